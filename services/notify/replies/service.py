"""Taking SMS replies: 回T opts out, an offer's number becomes an interest, 0 a "none fits", the rest waits for staff.

A reply is tied to its worker by the keyed hash of the sender's number (the reply routes every SMS leaves) and to the
worker's latest offers SMS sent within NOTIFY_REPLY_ROUTE_DAYS: its digits are that message's numbers. Each reply is
kept once: a redelivered callback (same vendor marks) or the same answer twice to one message changes nothing, which
the unique keys of the table decide, so two identical callbacks at once also make one row.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import events
from services.notify.messages.models import Message, MessageStatus
from services.notify.metrics import REPLIES
from services.notify.opt_outs import service as opt_outs
from services.notify.replies.models import CONTENT_KEPT, Reply, ReplyKind
from services.notify.replies.parse import Answer, Reading, read_answer
from services.notify.settings import NotifySettings
from services.notify.vendors.base import OFFERS
from services.notify.vendors.pushes import SmsReply
from shared.auth import Principal
from shared.clock import Clock
from shared.db import rows_touched
from shared.forms import clean

log = logging.getLogger("jobbridge.notify")


async def accept(*, session: AsyncSession, replies: Sequence[SmsReply], provider: str, settings: NotifySettings,
                 clock: Clock) -> list[Reply]:
    """Take each reply of a callback; return the replies kept (opt-outs and repeats are not among them)."""
    kept = []
    for item in replies:
        if (reply := await take(session=session, item=item, provider=provider, settings=settings,
                                clock=clock)) is not None:
            kept.append(reply)
    return kept


async def take(*, session: AsyncSession, item: SmsReply, provider: str, settings: NotifySettings,
               clock: Clock) -> Reply | None:
    """Honour one reply: opt out, or keep it as an interest, a none-fits or an unread reply (with its event)."""
    reading = read_answer(item.content)
    hashed = opt_outs.number_hash(item.number, key=settings.reply_key) if item.number else None
    worker = item.worker_id or (await opt_outs.worker_for(session=session, number_hash=hashed) if hashed else None)
    if reading.answer == Answer.opt_out:
        await _opt_out(session, worker, provider=provider, clock=clock)
        return None
    now = clock.now()
    message = await _latest_sms(session, worker, since=now - timedelta(days=settings.reply_route_days))
    kind, offer = judge(reading, message)
    reply = Reply(id=str(uuid.uuid4()), kind=kind, worker_id=worker, received_at=now, provider=provider,
                  region_code=message.region_code if message else await _home(session, worker),
                  message_id=message.id if message else None, set_id=message.set_id if message else None,
                  run_id=message.run_id if message else None,
                  offer_number=reading.number if kind != ReplyKind.unknown else None,
                  posting_id=offer.posting_id if offer else None, posting_title=offer.title if offer else None,
                  content=shown(item.content),
                  callback_key=_callback_key(item, provider=provider, number_hash=hashed, key=settings.reply_key))
    if not await insert_once(session, reply):
        REPLIES.labels(provider, "repeat").inc()
        return None
    REPLIES.labels(provider, kind).inc()
    if kind != ReplyKind.unknown:
        await events.worker_replied(session, reply, clock=clock)
    log.info("reply kept", extra={"reply_id": reply.id, "kind": kind, "worker_id": worker, "provider": provider})
    return reply


@dataclass(frozen=True)
class Offer:
    """One numbered offer of a sent SMS (`Message.sms["offers"]`)."""

    posting_id: str
    title: str | None


def judge(reading: Reading, message: Message | None) -> tuple[ReplyKind, Offer | None]:
    """What a reply is, against the offers SMS it answers: never a guess (no message, a number it did not give)."""
    if message is None or reading.answer not in (Answer.pick, Answer.none_fit):
        return ReplyKind.unknown, None
    if reading.answer == Answer.none_fit:
        return ReplyKind.none_fit, None
    offers = [Offer(str(o["posting_id"]), o.get("title")) for o in (message.sms or {}).get("offers") or ()
              if o.get("posting_id")]
    if reading.number is None or not 1 <= reading.number <= len(offers):
        return ReplyKind.unknown, None
    return ReplyKind.interest, offers[reading.number - 1]


def shown(content: str) -> str:
    """The words as staff read them: one line, control characters gone, at most one SMS long."""
    return " ".join(clean(content or "", multiline=True).split())[:CONTENT_KEPT]


async def _opt_out(session: AsyncSession, worker: str | None, *, provider: str, clock: Clock) -> None:
    REPLIES.labels(provider, "opt_out").inc()
    if worker is None:
        log.info("an opt-out reply from a number no recent message went to", extra={"provider": provider})
        return
    await opt_outs.record(session=session, worker_id=worker, channel="sms", source=f"reply {provider}", clock=clock)


async def _latest_sms(session: AsyncSession, worker: str | None, *, since: datetime) -> Message | None:
    """The worker's offers SMS a reply answers: the latest one sent (or delivered) since `since`."""
    if worker is None:
        return None
    return await session.scalar(select(Message).where(
        Message.worker_id == worker, Message.channel == "sms", Message.sent_at >= since, Message.kind == OFFERS,
        Message.status.in_((MessageStatus.sent, MessageStatus.delivered)))
        .order_by(Message.sent_at.desc(), Message.id).limit(1))


async def _home(session: AsyncSession, worker: str | None) -> str | None:
    """The worker's home region as their latest message has it (for staff's scope), when no offers SMS is found."""
    if worker is None:
        return None
    return await session.scalar(select(Message.region_code).where(Message.worker_id == worker)
                                .order_by(Message.created_at.desc()).limit(1))


def _callback_key(item: SmsReply, *, provider: str, number_hash: str | None, key: bytes) -> str:
    """The same for a redelivery of one reply; the vendor's time and sequence tell two sendings apart."""
    parts = (provider, number_hash or "", item.worker_id or "", item.marks, item.content)
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


async def insert_once(session: AsyncSession, reply: Reply) -> bool:
    """Insert unless a unique key holds it already (a redelivered callback, the same answer to one message);
    True when inserted. One statement, so two callbacks at once cannot both insert."""
    connection = await session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    values = {column.key: getattr(reply, column.key) for column in Reply.__table__.columns}
    result = await session.execute(insert(Reply).values(**values).on_conflict_do_nothing())
    return rows_touched(result) == 1


# --- reading them ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReplyFilter:
    worker_id: str | None = None
    run_id: str | None = None
    kind: str | None = None


def _visible(query, by: Principal):
    """Station staff see the replies of workers homed in their region; replies from unknown numbers: admin only."""
    if by.is_admin:
        return query
    return query.where(Reply.region_code.startswith(by.region or "\x00", autoescape=True))


async def search(*, session: AsyncSession, filters: ReplyFilter, by: Principal, page: int,
                 page_size: int) -> tuple[list[Reply], int]:
    """Replies within the caller's region, newest first, by worker, run and kind."""
    query = _visible(select(Reply), by)
    if filters.worker_id:
        query = query.where(Reply.worker_id == filters.worker_id)
    if filters.run_id:
        query = query.where(Reply.run_id == filters.run_id)
    if filters.kind:
        query = query.where(Reply.kind == filters.kind)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(Reply.received_at.desc(), Reply.id)
                                 .limit(page_size).offset((page - 1) * page_size))
    return list(rows), total
