"""clean stored text: drop control characters and broken text the API now refuses

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 13:30:00.000000
"""

from alembic import op

from shared.migrations import clean_stored_text

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    # The read models are built from events of the jobs and workers services, which carry what they stored.
    clean_stored_text(connection, 'postings', documents=['snapshot'])
    clean_stored_text(connection, 'workers', documents=['snapshot'])
    clean_stored_text(connection, 'recommendation_sets', documents=['items'])


def downgrade() -> None:
    pass  # the characters removed were never meant to be there
