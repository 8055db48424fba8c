"""vocabulary: phrases staff taught, and their changes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'vocabulary_phrases',
        sa.Column('phrase', sa.String(length=64), primary_key=True),
        sa.Column('occupation_code', sa.String(length=12), nullable=False),
        sa.Column('taught_by', sa.String(length=80), nullable=False),
        sa.Column('taught_at', UtcDateTime(), nullable=False),
    )
    op.create_table(
        'vocabulary_changes',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('phrase', sa.String(length=64), nullable=False),
        sa.Column('before', sa.String(length=12), nullable=True),
        sa.Column('after', sa.String(length=12), nullable=True),
        sa.Column('by', sa.String(length=80), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('vocabulary_changes')
    op.drop_table('vocabulary_phrases')
