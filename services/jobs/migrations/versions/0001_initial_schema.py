"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 21:59:32.805550
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('employers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('office_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employers')),
    sa.UniqueConstraint('name', name=op.f('uq_employers_name'))
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

    op.create_table('supply_lists',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('office_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('source_region_code', sa.String(length=12), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supply_lists'))
    )
    with op.batch_alter_table('supply_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supply_lists_office_id'), ['office_id'], unique=False)

    op.create_table('postings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('employer_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('occupation', sa.String(length=60), nullable=False),
    sa.Column('occupation_code', sa.String(length=16), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('wage_min', sa.Integer(), nullable=False),
    sa.Column('wage_max', sa.Integer(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('placed', sa.Integer(), nullable=False),
    sa.Column('age_min', sa.Integer(), nullable=False),
    sa.Column('age_max', sa.Integer(), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=True),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('meals', sa.Boolean(), nullable=False),
    sa.Column('lodging', sa.Boolean(), nullable=False),
    sa.Column('contract_months', sa.Integer(), nullable=True),
    sa.Column('public_welfare', sa.Boolean(), nullable=False),
    sa.Column('workshop', sa.Boolean(), nullable=False),
    sa.Column('supply_list_id', sa.String(length=36), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('close_reason', sa.String(length=20), nullable=True),
    sa.Column('posted_on', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_postings_employer_id_employers')),
    sa.ForeignKeyConstraint(['supply_list_id'], ['supply_lists.id'], name=op.f('fk_postings_supply_list_id_supply_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_postings'))
    )
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.create_index('ix_postings_employer', ['employer_id'], unique=False)
        batch_op.create_index('ix_postings_status_region', ['status', 'region_code'], unique=False)
        batch_op.create_index('ix_postings_supply_list', ['supply_list_id'], unique=False)

    op.create_table('posting_placements',
    sa.Column('placement_id', sa.String(length=64), nullable=False),
    sa.Column('posting_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_posting_placements_posting_id_postings')),
    sa.PrimaryKeyConstraint('placement_id', name=op.f('pk_posting_placements'))
    )


def downgrade() -> None:
    op.drop_table('posting_placements')
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index('ix_postings_supply_list')
        batch_op.drop_index('ix_postings_status_region')
        batch_op.drop_index('ix_postings_employer')

    op.drop_table('postings')
    with op.batch_alter_table('supply_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supply_lists_office_id'))

    op.drop_table('supply_lists')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending', postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.drop_table('outbox')
    op.drop_table('inbox')
    op.drop_table('employers')
