"""openings held for placements: who holds one, and whether the placement's event confirmed it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 16:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('posting_placements') as batch:
        batch.add_column(sa.Column('worker_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('confirmed_at', UtcDateTime(), nullable=True))
    # Every opening counted so far was counted from the placement's own event: confirmed when it was counted.
    op.execute("UPDATE posting_placements SET confirmed_at = recorded_at")
    op.create_index('ix_posting_placements_unconfirmed', 'posting_placements', ['confirmed_at', 'recorded_at'])


def downgrade() -> None:
    op.drop_index('ix_posting_placements_unconfirmed', table_name='posting_placements')
    with op.batch_alter_table('posting_placements') as batch:
        batch.drop_column('confirmed_at')
        batch.drop_column('worker_id')
