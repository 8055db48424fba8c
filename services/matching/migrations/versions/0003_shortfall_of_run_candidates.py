"""shortfall of run candidates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 00:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('run_candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shortfall', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('run_candidates', schema=None) as batch_op:
        batch_op.drop_column('shortfall')

