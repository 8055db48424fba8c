"""message kinds: offers (a recommendation set) or a job fair's invitation, each sent with its own template

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 19:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='offers'))


def downgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('kind')
