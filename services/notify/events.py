"""The events notify publishes: a message delivered, or a message that will not reach the worker (and why)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.db import outbox
from services.notify.messages.models import Message
from shared.clock import Clock
from shared.events.outbox import add_event

MESSAGE_DELIVERED = "notify.message.delivered"
MESSAGE_FAILED = "notify.message.failed"


def snapshot(message: Message) -> dict:
    """The message without its text or any number: who, which set and run, how, and how it ended."""
    return {"message_id": message.id, "worker_id": message.worker_id, "set_id": message.set_id,
            "run_id": message.run_id, "channel": message.channel, "status": message.status,
            "provider": message.provider, "attempts": message.attempts, "reason": message.reason,
            "sent_at": message.sent_at.isoformat() if message.sent_at else None,
            "delivered_at": message.delivered_at.isoformat() if message.delivered_at else None}


async def message_ended(session: AsyncSession, message: Message, *, clock: Clock) -> None:
    """Publish the final outcome: delivered, or failed / not sent (with the reason)."""
    kind = MESSAGE_DELIVERED if message.status == "delivered" else MESSAGE_FAILED
    await add_event(session, outbox, clock=clock, producer="notify", type=kind, subject=message.id,
                    version=message.version, data=snapshot(message))
