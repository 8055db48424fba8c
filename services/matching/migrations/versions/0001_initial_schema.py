"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 22:31:01.740940
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('generations',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_generations'))
    )
    op.create_table('inbox',
    sa.Column('consumer', sa.String(length=80), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('handled_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_inbox'))
    )
    op.create_table('outbox',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('next_attempt_at', UtcDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('published_at', UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['next_attempt_at', 'seq'], unique=False, postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.create_table('postings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('employer_id', sa.String(length=36), nullable=False),
    sa.Column('supply_list_id', sa.String(length=36), nullable=True),
    sa.Column('supply_list_office_id', sa.String(length=64), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_postings'))
    )
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.create_index('ix_postings_status', ['status'], unique=False)
        batch_op.create_index('ix_postings_supply_list', ['supply_list_id'], unique=False)

    op.create_table('recommendation_sets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.String(length=36), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('shortfall', sa.JSON(), nullable=True),
    sa.Column('issued_by', sa.String(length=80), nullable=False),
    sa.Column('issued_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_sets'))
    )
    with op.batch_alter_table('recommendation_sets', schema=None) as batch_op:
        batch_op.create_index('ix_recommendation_sets_run', ['run_id'], unique=False)
        batch_op.create_index('ix_recommendation_sets_worker', ['worker_id', 'version'], unique=False)

    op.create_table('runs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by', sa.String(length=80), nullable=False),
    sa.Column('items_total', sa.Integer(), nullable=False),
    sa.Column('items_done', sa.Integer(), nullable=False),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.Column('covered', sa.Integer(), nullable=False),
    sa.Column('shortfalls', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('finished_at', UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs'))
    )
    op.create_table('workers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('home_region_code', sa.String(length=12), nullable=False),
    sa.Column('transfer_intention', sa.String(length=12), nullable=False),
    sa.Column('share_with_partners', sa.Boolean(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workers'))
    )
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.create_index('ix_workers_region', ['home_region_code'], unique=False)

    op.create_table('run_candidates',
    sa.Column('run_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('item_key', sa.String(length=12), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_run_candidates_run_id_runs')),
    sa.PrimaryKeyConstraint('run_id', 'worker_id', name=op.f('pk_run_candidates'))
    )


def downgrade() -> None:
    op.drop_table('run_candidates')
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.drop_index('ix_workers_region')

    op.drop_table('workers')
    op.drop_table('runs')
    with op.batch_alter_table('recommendation_sets', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendation_sets_worker')
        batch_op.drop_index('ix_recommendation_sets_run')

    op.drop_table('recommendation_sets')
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index('ix_postings_supply_list')
        batch_op.drop_index('ix_postings_status')

    op.drop_table('postings')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending', postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.drop_table('outbox')
    op.drop_table('inbox')
    op.drop_table('generations')
