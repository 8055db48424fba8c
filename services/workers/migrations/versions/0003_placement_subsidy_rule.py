"""placements keep the rule that decided the subsidy, and the title and employer of the posting taken

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 16:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('placements') as batch:
        batch.add_column(sa.Column('subsidy_rule', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('posting_title', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('employer_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('employer_name', sa.String(length=100), nullable=True))
    # The rule the flag was decided by until now: organised export outside the home county.
    op.execute("UPDATE placements SET subsidy_rule = CASE WHEN subsidy_eligible THEN 'export_outside_home_county' "
               "WHEN NOT organised_export THEN 'not_organised_export' ELSE 'inside_home_county' END")


def downgrade() -> None:
    with op.batch_alter_table('placements') as batch:
        batch.drop_column('employer_name')
        batch.drop_column('employer_id')
        batch.drop_column('posting_title')
        batch.drop_column('subsidy_rule')
