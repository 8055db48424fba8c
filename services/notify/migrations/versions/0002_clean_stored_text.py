"""clean stored text: drop control characters and broken text the API now refuses

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 13:30:00.000000
"""

from alembic import op

from shared.migrations import clean_stored_text

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    clean_stored_text(connection, 'messages', texts=['text'], documents=['sms', 'wechat'])


def downgrade() -> None:
    pass  # the characters removed were never meant to be there
