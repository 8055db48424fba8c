"""follow-up visits of placements (1, 3 and 6 months after the start), planned for the placements already recorded

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 16:30:00.000000
"""

import uuid
from datetime import date

import sqlalchemy as sa
from alembic import op

from services.workers.followups.rules import due_dates
from shared.db import UtcDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    follow_ups = op.create_table(
        'follow_ups',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('placement_id', sa.String(length=36), nullable=False),
        sa.Column('worker_id', sa.String(length=36), nullable=False),
        sa.Column('home_region_code', sa.String(length=12), nullable=False),
        sa.Column('months_after', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('done_at', UtcDateTime(), nullable=True),
        sa.Column('cancelled', sa.Boolean(), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('resolved_at', UtcDateTime(), nullable=True),
        sa.Column('recorded_by', sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(['placement_id'], ['placements.id']),
        sa.ForeignKeyConstraint(['worker_id'], ['worker_profiles.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('placement_id', 'months_after', name='uq_follow_ups_placement_months'),
    )
    op.create_index('ix_follow_ups_placement_id', 'follow_ups', ['placement_id'])
    op.create_index('ix_follow_ups_worker_id', 'follow_ups', ['worker_id'])
    op.create_index('ix_follow_ups_open_due', 'follow_ups', ['done_at', 'due_on'])
    op.create_index('ix_follow_ups_flagged', 'follow_ups', ['flagged'])
    # Placements recorded before visits were planned get the default ones; those already ended get none.
    rows = op.get_bind().execute(sa.text(
        "SELECT p.id, p.worker_id, p.start_date, w.home_region_code FROM placements p "
        "JOIN worker_profiles w ON w.id = p.worker_id WHERE p.ended_on IS NULL")).all()
    planned = []
    for placement_id, worker_id, start, home in rows:
        start = date.fromisoformat(start) if isinstance(start, str) else start  # SQLite answers text
        for after, due_on in due_dates(start, (1, 3, 6)):
            planned.append({"id": str(uuid.uuid4()), "placement_id": placement_id, "worker_id": worker_id,
                            "home_region_code": home, "months_after": after, "due_on": due_on, "cancelled": False,
                            "flagged": False})
    if planned:
        op.bulk_insert(follow_ups, planned)


def downgrade() -> None:
    op.drop_table('follow_ups')
