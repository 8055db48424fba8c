"""training courses and their enrolments

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 19:01:40.849826
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('courses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('occupation_code', sa.String(length=12), nullable=False),
    sa.Column('provider', sa.String(length=100), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.Column('household_service', sa.Boolean(), nullable=False),
    sa.Column('certificate', sa.String(length=80), nullable=True),
    sa.Column('certificate_key', sa.String(length=80), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses'))
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.create_index('ix_courses_certificate_key', ['certificate_key'], unique=False)
        batch_op.create_index('ix_courses_region_start', ['region_code', 'start_on'], unique=False)

    op.create_table('course_enrolments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('course_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('subsidised', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('certificate_gained', sa.Boolean(), nullable=False),
    sa.Column('training_record_id', sa.String(length=36), nullable=True),
    sa.Column('enrolled_by', sa.String(length=80), nullable=False),
    sa.Column('enrolled_at', UtcDateTime(), nullable=False),
    sa.Column('outcome_by', sa.String(length=80), nullable=True),
    sa.Column('outcome_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_enrolments_course_id_courses')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker_profiles.id'], name=op.f('fk_course_enrolments_worker_id_worker_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_enrolments')),
    sa.UniqueConstraint('course_id', 'worker_id', name='uq_course_enrolments_course_worker')
    )
    with op.batch_alter_table('course_enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_course_enrolments_worker', ['worker_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('course_enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_course_enrolments_worker')

    op.drop_table('course_enrolments')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_index('ix_courses_region_start')
        batch_op.drop_index('ix_courses_certificate_key')

    op.drop_table('courses')
