"""number hash of attempts: the per-number SMS limits count sends by the phone, not only by the worker

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 13:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_attempts_number_sent', ['number_hash', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_number_sent')
        batch_op.drop_column('number_hash')
