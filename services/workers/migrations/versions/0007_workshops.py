"""employment workshops and their labourers' contracts (kept version by version)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 20:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CURRENT = sa.text("replaced_at IS NULL")


def upgrade() -> None:
    op.create_table(
        'workshops',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('region_code', sa.String(length=12), nullable=False),
        sa.Column('employer_id', sa.String(length=36), nullable=True),
        sa.Column('created_by', sa.String(length=80), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshops')),
    )
    op.create_index('ix_workshops_region_name', 'workshops', ['region_code', 'name'], unique=True)
    op.create_table(
        'workshop_labourers',
        sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('workshop_id', sa.String(length=36), nullable=False),
        sa.Column('worker_id', sa.String(length=36), nullable=False),
        sa.Column('contract_start', sa.Date(), nullable=False),
        sa.Column('contract_months', sa.Integer(), nullable=False),
        sa.Column('monthly_wage', sa.Integer(), nullable=False),
        sa.Column('left_on', sa.Date(), nullable=True),
        sa.Column('placement_id', sa.String(length=36), nullable=True),
        sa.Column('recorded_by', sa.String(length=80), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('replaced_at', UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'],
                                name=op.f('fk_workshop_labourers_workshop_id_workshops')),
        sa.ForeignKeyConstraint(['worker_id'], ['worker_profiles.id'],
                                name=op.f('fk_workshop_labourers_worker_id_worker_profiles')),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_workshop_labourers')),
    )
    op.create_index('uq_workshop_labourers_current', 'workshop_labourers', ['workshop_id', 'worker_id'], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)
    op.create_index('ix_workshop_labourers_worker', 'workshop_labourers', ['worker_id', 'replaced_at'])


def downgrade() -> None:
    op.drop_table('workshop_labourers')
    op.drop_table('workshops')
