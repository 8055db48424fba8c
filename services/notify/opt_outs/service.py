"""Opt-outs: recorded for good, read before every send; the keyed hashes that tie an SMS reply to its worker."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import cast

from sqlalchemy import ARRAY, Insert, String, Table, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.metrics import OPT_OUTS
from services.notify.opt_outs.models import OptOut, ReplyRoute
from shared.clock import Clock
from shared.db import on_postgresql, one_of, rows_touched

log = logging.getLogger("jobbridge.notify")


def number_hash(number: str, *, key: bytes) -> str:
    """The keyed hash that stands for a number in reply routes (the number itself is never stored)."""
    digits = re.sub(r"\D", "", number)[-11:]  # +86 13…, 8613…, 13…: the same mainland mobile
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


async def channels_left(*, session: AsyncSession, worker_ids: Iterable[str]) -> dict[str, set[str]]:
    rows = await session.execute(_LEFT[on_postgresql(session)], {"workers": list(worker_ids)})
    left: dict[str, set[str]] = defaultdict(set)
    for worker_id, channel in rows:
        left[worker_id].add(channel)
    return left


# The channels the workers bound as `workers` left, per kind of database (True: PostgreSQL).
_LEFT = {postgresql: select(OptOut.worker_id, OptOut.channel).where(
    one_of(OptOut.worker_id, "workers", postgresql=postgresql)) for postgresql in (True, False)}


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
    await remember_routes(session=session, routes={number_hash: worker_id}, clock=clock)


async def remember_routes(*, session: AsyncSession, routes: Mapping[str, str], clock: Clock) -> None:
    """Keep (or refresh) the hashes of the numbers SMS went to, each with its worker: one statement for all."""
    connection = await session.connection()
    ordered = sorted(routes.items())
    if connection.dialect.name == "postgresql":
        await connection.execute(_REMEMBER_ON_POSTGRESQL, {
            "hashes": [number for number, _ in ordered], "workers": [worker for _, worker in ordered],
            "at": clock.now()})
        return
    statement = sqlite_insert(ReplyRoute).values([
        {"number_hash": number, "worker_id": worker, "last_sent_at": clock.now()} for number, worker in ordered])
    await session.execute(statement.on_conflict_do_update(
        index_elements=[ReplyRoute.number_hash],
        set_={"worker_id": statement.excluded.worker_id, "last_sent_at": statement.excluded.last_sent_at}))


def _remember_on_postgresql() -> Insert:
    """The routes as two arrays (hashes, workers) and one time: a statement of three parameters for any number of
    routes, built once, so that SQLAlchemy compiles it once (a VALUES list of each new length was compiled anew)."""
    table = cast(Table, ReplyRoute.__table__)
    routes = (func.unnest(bindparam("hashes", type_=ARRAY(String)), bindparam("workers", type_=ARRAY(String)))
              .table_valued("number_hash", "worker_id").render_derived(name="routes"))
    statement = postgresql_insert(table).from_select(
        ["number_hash", "worker_id", "last_sent_at"],
        select(routes.c.number_hash, routes.c.worker_id, bindparam("at", type_=table.c.last_sent_at.type)))
    return statement.on_conflict_do_update(
        index_elements=[table.c.number_hash],
        set_={"worker_id": statement.excluded.worker_id, "last_sent_at": statement.excluded.last_sent_at})


_REMEMBER_ON_POSTGRESQL = _remember_on_postgresql()


async def forget_old_routes(*, session: AsyncSession, clock: Clock, keep_days: int) -> int:
    """Delete reply routes of numbers no SMS went to for `keep_days`: a reply after that is not tied to anyone."""
    result = await session.execute(delete(ReplyRoute).where(
        ReplyRoute.last_sent_at < clock.now() - timedelta(days=keep_days)))
    return rows_touched(result) or 0


async def worker_for(*, session: AsyncSession, number_hash: str) -> str | None:
    route = await session.get(ReplyRoute, number_hash)
    return route.worker_id if route else None
