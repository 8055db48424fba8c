"""delivery outcome of issued sets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 23:20:26.301005
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recommendation_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('delivery_reason', sa.String(length=200), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('recommendation_sets', schema=None) as batch_op:
        batch_op.drop_column('delivery_reason')
        batch_op.drop_column('delivery')

