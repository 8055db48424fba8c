"""what came of the offers: interest and none-fits replies, employers' decisions on candidates, placements seen

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'interests',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('worker_id', sa.String(length=36), nullable=False),
        sa.Column('posting_id', sa.String(length=36), nullable=True),
        sa.Column('set_id', sa.String(length=36), nullable=True),
        sa.Column('run_id', sa.String(length=36), nullable=True),
        sa.Column('position', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=12), nullable=False),
        sa.Column('received_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_interests_posting', 'interests', ['posting_id'])
    op.create_index('ix_interests_set', 'interests', ['set_id'])
    op.create_index('ix_interests_worker', 'interests', ['worker_id'])
    op.create_table(
        'candidate_decisions',
        sa.Column('posting_id', sa.String(length=36), nullable=False),
        sa.Column('worker_id', sa.String(length=36), nullable=False),
        sa.Column('decision', sa.String(length=16), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('decided_by', sa.String(length=80), nullable=False),
        sa.Column('decided_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('posting_id', 'worker_id'),
    )
    op.create_table(
        'placements_seen',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('worker_id', sa.String(length=36), nullable=False),
        sa.Column('posting_id', sa.String(length=36), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('from_offers', sa.Boolean(), nullable=False),
        sa.Column('set_id', sa.String(length=36), nullable=True),
        sa.Column('recorded_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_placements_seen_worker', 'placements_seen', ['worker_id'])


def downgrade() -> None:
    op.drop_table('placements_seen')
    op.drop_table('candidate_decisions')
    op.drop_table('interests')
