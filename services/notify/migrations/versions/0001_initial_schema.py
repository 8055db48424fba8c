"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 22:52:24.834306
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox',
    sa.Column('consumer', sa.String(length=80), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('handled_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_inbox'))
    )
    op.create_table('messages',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('idempotency_key', sa.String(length=32), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('set_id', sa.String(length=36), nullable=False),
    sa.Column('set_version', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.String(length=36), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sms', sa.JSON(), nullable=False),
    sa.Column('wechat', sa.JSON(), nullable=False),
    sa.Column('excluded_channels', sa.JSON(), nullable=False),
    sa.Column('provider', sa.String(length=12), nullable=True),
    sa.Column('provider_message_id', sa.String(length=64), nullable=True),
    sa.Column('unconfirmed_provider', sa.String(length=12), nullable=True),
    sa.Column('next_attempt_at', UtcDateTime(), nullable=True),
    sa.Column('lease', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('sent_at', UtcDateTime(), nullable=True),
    sa.Column('delivered_at', UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_messages_idempotency_key'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_messages_provider_message', ['provider', 'provider_message_id'], unique=False)
        batch_op.create_index('ix_messages_run', ['run_id'], unique=False)
        batch_op.create_index('ix_messages_worker', ['worker_id', 'created_at'], unique=False)

    op.create_table('opt_outs',
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('worker_id', 'channel', name=op.f('pk_opt_outs'))
    )
    op.create_table('outbox',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('next_attempt_at', UtcDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('published_at', UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['next_attempt_at', 'seq'], unique=False, postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.create_table('receipts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('provider', sa.String(length=12), nullable=False),
    sa.Column('provider_message_id', sa.String(length=64), nullable=False),
    sa.Column('delivered', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.Column('message_id', sa.String(length=36), nullable=True),
    sa.Column('received_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts'))
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index('ix_receipts_provider_message', ['provider', 'provider_message_id'], unique=False)

    op.create_table('reply_routes',
    sa.Column('number_hash', sa.String(length=64), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('last_sent_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('number_hash', name=op.f('pk_reply_routes'))
    )
    with op.batch_alter_table('reply_routes', schema=None) as batch_op:
        batch_op.create_index('ix_reply_routes_seen', ['last_sent_at'], unique=False)

    op.create_table('attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('provider', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_attempts_message_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_message', ['message_id'], unique=False)
        batch_op.create_index('ix_attempts_worker_sent', ['worker_id', 'channel', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_worker_sent')
        batch_op.drop_index('ix_attempts_message')

    op.drop_table('attempts')
    with op.batch_alter_table('reply_routes', schema=None) as batch_op:
        batch_op.drop_index('ix_reply_routes_seen')

    op.drop_table('reply_routes')
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index('ix_receipts_provider_message')

    op.drop_table('receipts')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending', postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.drop_table('outbox')
    op.drop_table('opt_outs')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_worker')
        batch_op.drop_index('ix_messages_run')
        batch_op.drop_index('ix_messages_provider_message')
        batch_op.drop_index('ix_messages_due')

    op.drop_table('messages')
    op.drop_table('inbox')
