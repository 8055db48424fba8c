"""The events notify publishes: a message delivered, or a message that will not reach the worker (and why); a worker
who replied with an offer's number (interested) or with 0 (none of the offers fits). Their names and payloads are the
contracts in shared/contracts/notify.py."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.db import outbox
from services.notify.messages.models import Message
from services.notify.replies.models import Reply, ReplyKind
from shared.clock import Clock
from shared.contracts.notify import (
    MESSAGE_DELIVERED,
    MESSAGE_FAILED,
    OFFER_DECLINED_ALL,
    OFFER_INTERESTED,
    MessageEnded,
    OfferDeclinedAll,
    OfferInterested,
)
from shared.events.outbox import add_event

__all__ = ["MESSAGE_DELIVERED", "MESSAGE_FAILED", "OFFER_DECLINED_ALL", "OFFER_INTERESTED", "REPLY_EVENTS",
           "message_ended", "reply_data", "snapshot", "worker_replied"]

# Matching consumes both (interest first on a posting's candidate list, the funnel).
REPLY_EVENTS = frozenset({OFFER_INTERESTED, OFFER_DECLINED_ALL})


def snapshot(message: Message) -> MessageEnded:
    """The message without its text or any number: what kind (offers, or a fair's invitation: `set_id` is then the
    fair's id), who, which set and run, how, and how it ended."""
    return MessageEnded(message_id=message.id, kind=message.kind, worker_id=message.worker_id, set_id=message.set_id,
                        run_id=message.run_id, channel=message.channel, status=message.status,
                        provider=message.provider, attempts=message.attempts, reason=message.reason,
                        sent_at=message.sent_at, delivered_at=message.delivered_at)


async def message_ended(session: AsyncSession, message: Message, *, clock: Clock) -> None:
    """Publish the final outcome: delivered, or failed / not sent (with the reason)."""
    kind = MESSAGE_DELIVERED if message.status == "delivered" else MESSAGE_FAILED
    await add_event(session, outbox, clock=clock, producer="notify", type=kind, subject=message.id,
                    version=message.version, data=snapshot(message).data())


def reply_data(reply: Reply, *, channel: str) -> OfferDeclinedAll:
    """An interest in an offer, or that none fits; ids and the time only (never the number or the words)."""
    declined = OfferDeclinedAll(reply_id=reply.id, worker_id=reply.worker_id, set_id=reply.set_id,
                                run_id=reply.run_id, message_id=reply.message_id, channel=channel,
                                received_at=reply.received_at)
    if reply.kind == ReplyKind.interest:
        return OfferInterested(**declined.model_dump(), posting_id=reply.posting_id, offer_number=reply.offer_number)
    return declined


async def worker_replied(session: AsyncSession, reply: Reply, *, clock: Clock, channel: str = "sms") -> None:
    """Publish an interest in an offer, or that none fits. `channel`: where the worker answered (sms, or wechat for
    the offers page)."""
    kind = OFFER_INTERESTED if reply.kind == ReplyKind.interest else OFFER_DECLINED_ALL
    await add_event(session, outbox, clock=clock, producer="notify", type=kind, subject=reply.id, version=1,
                    data=reply_data(reply, channel=channel).data())
