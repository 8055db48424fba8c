"""job fairs: the fairs, their employers and postings, the labourers invited or come, and what came of it

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 19:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_fairs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('start_time', sa.String(length=5), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('venue', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_fairs'))
    )
    op.create_index('ix_job_fairs_county_held_on', 'job_fairs', ['county_code', 'held_on'])
    op.create_table('job_fair_employers',
    sa.Column('fair_id', sa.String(length=36), nullable=False),
    sa.Column('employer_id', sa.String(length=36), nullable=False),
    sa.Column('added_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_job_fair_employers_employer_id_employers')),
    sa.ForeignKeyConstraint(['fair_id'], ['job_fairs.id'], name=op.f('fk_job_fair_employers_fair_id_job_fairs')),
    sa.PrimaryKeyConstraint('fair_id', 'employer_id', name=op.f('pk_job_fair_employers'))
    )
    op.create_table('job_fair_postings',
    sa.Column('fair_id', sa.String(length=36), nullable=False),
    sa.Column('posting_id', sa.String(length=36), nullable=False),
    sa.Column('added_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['fair_id'], ['job_fairs.id'], name=op.f('fk_job_fair_postings_fair_id_job_fairs')),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_job_fair_postings_posting_id_postings')),
    sa.PrimaryKeyConstraint('fair_id', 'posting_id', name=op.f('pk_job_fair_postings'))
    )
    op.create_table('job_fair_attendees',
    sa.Column('fair_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('invited_at', UtcDateTime(), nullable=True),
    sa.Column('invited_by', sa.String(length=80), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('outcome_posting_id', sa.String(length=36), nullable=True),
    sa.Column('recorded_by', sa.String(length=80), nullable=True),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['fair_id'], ['job_fairs.id'], name=op.f('fk_job_fair_attendees_fair_id_job_fairs')),
    sa.PrimaryKeyConstraint('fair_id', 'worker_id', name=op.f('pk_job_fair_attendees'))
    )


def downgrade() -> None:
    op.drop_table('job_fair_attendees')
    op.drop_table('job_fair_postings')
    op.drop_table('job_fair_employers')
    op.drop_index('ix_job_fairs_county_held_on', table_name='job_fairs')
    op.drop_table('job_fairs')
