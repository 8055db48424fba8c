"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 22:08:13.459119
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
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

    op.create_table('personal_data_reads',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_personal_data_reads'))
    )
    with op.batch_alter_table('personal_data_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_data_reads_at'), ['at'], unique=False)
        batch_op.create_index('ix_personal_data_reads_worker', ['worker_id', 'at'], unique=False)

    op.create_table('worker_profiles',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('id_number_sealed', sa.String(length=200), nullable=False),
    sa.Column('id_number_hash', sa.String(length=64), nullable=False),
    sa.Column('id_last4', sa.String(length=4), nullable=False),
    sa.Column('phone_sealed', sa.String(length=200), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('wechat_openid_sealed', sa.String(length=300), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=False),
    sa.Column('home_region_code', sa.String(length=12), nullable=False),
    sa.Column('labor_capacity', sa.String(length=10), nullable=False),
    sa.Column('education', sa.String(length=12), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('desired_occupations', sa.JSON(), nullable=False),
    sa.Column('transfer_intention', sa.String(length=12), nullable=False),
    sa.Column('expected_wage', sa.Integer(), nullable=True),
    sa.Column('wants_training', sa.Boolean(), nullable=False),
    sa.Column('wants_entrepreneurship', sa.Boolean(), nullable=False),
    sa.Column('consent_sms', sa.Boolean(), nullable=False),
    sa.Column('consent_wechat', sa.Boolean(), nullable=False),
    sa.Column('consent_share', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('registered_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worker_profiles')),
    sa.UniqueConstraint('id_number_hash', name=op.f('uq_worker_profiles_id_number_hash'))
    )
    with op.batch_alter_table('worker_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_worker_profiles_last4', ['id_last4'], unique=False)
        batch_op.create_index(batch_op.f('ix_worker_profiles_phone_hash'), ['phone_hash'], unique=False)
        batch_op.create_index('ix_worker_profiles_region', ['home_region_code'], unique=False)

    op.create_table('placements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('posting_id', sa.String(length=36), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('monthly_wage', sa.Integer(), nullable=False),
    sa.Column('contract_months', sa.Integer(), nullable=True),
    sa.Column('work_region_code', sa.String(length=12), nullable=True),
    sa.Column('organised_export', sa.Boolean(), nullable=False),
    sa.Column('subsidy_eligible', sa.Boolean(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=100), nullable=True),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker_profiles.id'], name=op.f('fk_placements_worker_id_worker_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements'))
    )
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placements_worker_id'), ['worker_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placements_worker_id'))

    op.drop_table('placements')
    with op.batch_alter_table('worker_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_profiles_region')
        batch_op.drop_index(batch_op.f('ix_worker_profiles_phone_hash'))
        batch_op.drop_index('ix_worker_profiles_last4')

    op.drop_table('worker_profiles')
    with op.batch_alter_table('personal_data_reads', schema=None) as batch_op:
        batch_op.drop_index('ix_personal_data_reads_worker')
        batch_op.drop_index(batch_op.f('ix_personal_data_reads_at'))

    op.drop_table('personal_data_reads')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending', postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.drop_table('outbox')
