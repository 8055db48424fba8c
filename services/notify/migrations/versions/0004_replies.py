"""replies: what workers answered to their offers SMS (an offer's number, 0 for none fits, or words for staff)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 16:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('replies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=True),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('message_id', sa.String(length=36), nullable=True),
    sa.Column('set_id', sa.String(length=36), nullable=True),
    sa.Column('run_id', sa.String(length=36), nullable=True),
    sa.Column('offer_number', sa.Integer(), nullable=True),
    sa.Column('posting_id', sa.String(length=36), nullable=True),
    sa.Column('posting_title', sa.String(length=100), nullable=True),
    sa.Column('content', sa.String(length=70), nullable=False),
    sa.Column('provider', sa.String(length=12), nullable=False),
    sa.Column('received_at', UtcDateTime(), nullable=False),
    sa.Column('callback_key', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replies')),
    sa.UniqueConstraint('callback_key', name=op.f('uq_replies_callback_key')),
    sa.UniqueConstraint('message_id', 'offer_number', name='uq_replies_message_offer')
    )
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.create_index('ix_replies_kind', ['kind', 'received_at'], unique=False)
        batch_op.create_index('ix_replies_run', ['run_id'], unique=False)
        batch_op.create_index('ix_replies_worker', ['worker_id', 'received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_index('ix_replies_worker')
        batch_op.drop_index('ix_replies_run')
        batch_op.drop_index('ix_replies_kind')
    op.drop_table('replies')
