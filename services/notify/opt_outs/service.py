"""Opt-outs: recorded for good, read before every send; SMS replies tied to workers through keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.metrics import OPT_OUTS
from services.notify.opt_outs.models import OptOut, ReplyRoute
from services.notify.opt_outs.parse import Reply
from shared.clock import Clock
from shared.db import rows_touched

log = logging.getLogger("jobbridge.notify")

# What carriers and both vendors treat as "unsubscribe" in a reply (回T退订 asks for T; TD is the carriers' word).
_WORDS = {"T", "TD", "N", "回T", "回TD", "退订", "取消", "退定", "不要再发", "拒收"}


def number_hash(number: str, *, key: bytes) -> str:
    """The keyed hash that stands for a number in reply routes (the number itself is never stored)."""
    digits = re.sub(r"\D", "", number)[-11:]  # +86 13…, 8613…, 13…: the same mainland mobile
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


def is_opt_out(content: str) -> bool:
    """Does this reply ask to stop? Case, spaces and punctuation aside: T, TD, N, 退订, …"""
    word = re.sub(r"[\s\W_]+", "", content or "").upper()
    return word in _WORDS or word.startswith(("退订", "TD"))


async def channels_left(*, session: AsyncSession, worker_ids: Iterable[str]) -> dict[str, set[str]]:
    rows = await session.execute(select(OptOut.worker_id, OptOut.channel).where(OptOut.worker_id.in_(list(worker_ids))))
    left: dict[str, set[str]] = defaultdict(set)
    for worker_id, channel in rows:
        left[worker_id].add(channel)
    return left


async def record(*, session: AsyncSession, worker_id: str, channel: str, source: str, clock: Clock) -> bool:
    """Note that the worker left a channel (once; the first source is kept); True when it is new."""
    if await session.get(OptOut, (worker_id, channel)) is not None:
        return False
    session.add(OptOut(worker_id=worker_id, channel=channel, source=source[:40], at=clock.now()))
    await session.flush()
    OPT_OUTS.labels(channel, source.split(" ", 1)[0]).inc()
    log.info("worker opted out of a channel", extra={"worker_id": worker_id, "channel": channel, "source": source})
    return True


async def remember_route(*, session: AsyncSession, number_hash: str, worker_id: str, clock: Clock) -> None:
    """Keep (or refresh) the hash of the number an SMS went to: one statement, whichever the database."""
    connection = await session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(ReplyRoute).values(number_hash=number_hash, worker_id=worker_id, last_sent_at=clock.now())
    await session.execute(statement.on_conflict_do_update(
        index_elements=[ReplyRoute.number_hash],
        set_={"worker_id": statement.excluded.worker_id, "last_sent_at": statement.excluded.last_sent_at}))


async def forget_old_routes(*, session: AsyncSession, clock: Clock, keep_days: int) -> int:
    """Delete reply routes of numbers no SMS went to for `keep_days`: a reply after that is not tied to anyone."""
    result = await session.execute(delete(ReplyRoute).where(
        ReplyRoute.last_sent_at < clock.now() - timedelta(days=keep_days)))
    return rows_touched(result) or 0


async def worker_for(*, session: AsyncSession, number_hash: str) -> str | None:
    route = await session.get(ReplyRoute, number_hash)
    return route.worker_id if route else None


async def reply(*, session: AsyncSession, worker_id: str | None, number_hash: str | None, content: str,
                provider: str, clock: Clock) -> str | None:
    """Honour an SMS reply: 回T/TD opts the worker out of SMS for good. Returns the worker opted out, if any."""
    if not is_opt_out(content):
        return None
    worker = worker_id or (await worker_for(session=session, number_hash=number_hash) if number_hash else None)
    if worker is None:
        log.info("an opt-out reply from a number no recent message went to", extra={"provider": provider})
        return None
    await record(session=session, worker_id=worker, channel="sms", source=f"reply {provider}", clock=clock)
    return worker


async def accept_replies(*, session: AsyncSession, replies: list[Reply], provider: str, key: bytes,
                         clock: Clock) -> int:
    """Honour each reply that asks to stop; return how many workers were opted out."""
    done = 0
    for item in replies:
        hashed = number_hash(item.number, key=key) if item.number else None
        if await reply(session=session, worker_id=item.worker_id, number_hash=hashed, content=item.content,
                       provider=provider, clock=clock):
            done += 1
    return done
