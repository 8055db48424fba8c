"""ledger figures: targets, service points, training, start-up support, pension, monthly snapshots

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('placement_targets',
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('placed', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('county_code', 'year', name=op.f('pk_placement_targets'))
    )
    op.create_table('report_snapshots',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('recorded_by', UtcDateTime(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('frozen_at', UtcDateTime(), nullable=False),
    sa.Column('frozen_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_report_snapshots'))
    )
    op.create_table('service_points',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('township_code', sa.String(length=12), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('established_on', sa.Date(), nullable=False),
    sa.Column('staff', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('removed_at', UtcDateTime(), nullable=True),
    sa.Column('removed_by', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_service_points'))
    )
    with op.batch_alter_table('service_points', schema=None) as batch_op:
        batch_op.create_index('ix_service_points_township', ['township_code', 'removed_at'], unique=False)

    op.create_table('snapshot_members',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('figure', sa.String(length=30), nullable=False),
    sa.Column('subject', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.PrimaryKeyConstraint('month', 'figure', 'subject', name=op.f('pk_snapshot_members'))
    )
    op.create_table('target_changes',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('before', sa.Integer(), nullable=True),
    sa.Column('after', sa.Integer(), nullable=True),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_target_changes'))
    )
    with op.batch_alter_table('target_changes', schema=None) as batch_op:
        batch_op.create_index('ix_target_changes_year', ['year', 'county_code'], unique=False)

    op.create_table('startup_support',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('guidance_on', sa.Date(), nullable=True),
    sa.Column('training_on', sa.Date(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('operating_since', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('replaced_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['worker_profiles.id'], name=op.f('fk_startup_support_worker_id_worker_profiles')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_startup_support'))
    )
    with op.batch_alter_table('startup_support', schema=None) as batch_op:
        batch_op.create_index('ix_startup_support_worker', ['worker_id', 'replaced_at'], unique=False)

    op.create_table('training_records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('course', sa.String(length=80), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('certificate', sa.String(length=80), nullable=True),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker_profiles.id'], name=op.f('fk_training_records_worker_id_worker_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_records'))
    )
    with op.batch_alter_table('training_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_records_worker_id'), ['worker_id'], unique=False)

    with op.batch_alter_table('worker_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pension_insured', sa.Boolean(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('worker_profiles', schema=None) as batch_op:
        batch_op.drop_column('pension_insured')

    with op.batch_alter_table('training_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_records_worker_id'))

    op.drop_table('training_records')
    with op.batch_alter_table('startup_support', schema=None) as batch_op:
        batch_op.drop_index('ix_startup_support_worker')

    op.drop_table('startup_support')
    with op.batch_alter_table('target_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_target_changes_year')

    op.drop_table('target_changes')
    op.drop_table('snapshot_members')
    with op.batch_alter_table('service_points', schema=None) as batch_op:
        batch_op.drop_index('ix_service_points_township')

    op.drop_table('service_points')
    op.drop_table('report_snapshots')
    op.drop_table('placement_targets')
