"""The transactional outbox: events written with the state change, published by a relay that never drops one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    Index,
    Insert,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    bindparam,
    literal_column,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import Clock, SystemClock
from shared.db import BigId, Database, UtcDateTime, notifying, on_postgresql, rows_touched, wake_at_commit
from shared.driven import SingleWrite
from shared.events.bus import Bus, StoredEvent
from shared.events.envelope import Envelope
from shared.events.waiting import backoff, first_of
from shared.events.wakeup import Listener, listening
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_FAILURES, OUTBOX_PUBLISHED

log = logging.getLogger("jobbridge.outbox")

# The relays' wake-up. One name serves every service: each outbox lives in its service's own database, and a
# NOTIFY reaches only the listeners connected to the database it was sent in.
OUTBOX_CHANNEL = "jobbridge_outbox"


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox", metadata,
        Column("seq", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("type", String(80), nullable=False),
        Column("subject", String(80), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("next_attempt_at", UtcDateTime, nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", String(500)),
        Column("published_at", UtcDateTime),
        Index("ix_outbox_pending", "next_attempt_at", "seq",
              postgresql_where=Column("published_at").is_(None), sqlite_where=Column("published_at").is_(None)),
    )


async def add_event(unit: AsyncSession | SingleWrite, outbox: Table, *, clock: Clock, producer: str, type: str,
                    subject: str, version: int, data: dict[str, Any],
                    along: Sequence[tuple[Table, Mapping[str, Any]]] = ()) -> Envelope:
    """Write one event into the outbox, inside the caller's unit of work: a transaction (`Database.transaction`) or
    a single write (`Database.single_write`). `along`: rows of other tables to insert with it, the record the event
    tells of. On PostgreSQL those rows, the event and the relays' wake-up go in one statement, one round trip;
    elsewhere the rows are inserted first, then the event."""
    now = clock.now()
    envelope = Envelope(type=type, occurred_at=now, producer=producer, subject=subject, version=version, data=data)
    event = {"event_id": str(envelope.id), "type": type, "subject": subject, "body": envelope.model_dump_json(),
             "created_at": now, "next_attempt_at": now, "attempts": 0}
    execute = unit.write if isinstance(unit, SingleWrite) else unit.execute
    postgresql = unit.on_postgresql if isinstance(unit, SingleWrite) else on_postgresql(unit)
    if postgresql:
        rows = {f"r{i}_{key}": value for i, (_, row) in enumerate(along) for key, value in row.items()}
        await execute(_written_with(outbox, tuple((table, tuple(row)) for table, row in along)), event | rows)
    else:
        for table, row in along:
            await execute(table.insert(), row)
        await execute(_insert(outbox), event)
    if isinstance(unit, SingleWrite):
        unit.wake(OUTBOX_CHANNEL)  # on PostgreSQL the statement sent its own NOTIFY
    else:
        wake_at_commit(unit, OUTBOX_CHANNEL, notified=postgresql)
    return envelope


_EVENT = ("event_id", "type", "subject", "body", "created_at", "next_attempt_at", "attempts")


@cache
def _insert(table: Table, columns: tuple[str, ...] = _EVENT, prefix: str = "") -> Insert:
    """An INSERT of one row with its values bound by name, built once: SQLAlchemy then keeps its cache key."""
    return table.insert().values({column: bindparam(prefix + column) for column in columns})


@cache
def _written_with(outbox: Table, along: tuple[tuple[Table, tuple[str, ...]], ...]) -> Select:
    """`WITH r0 AS (INSERT INTO … RETURNING 1), …, written AS (INSERT INTO outbox … RETURNING 1) SELECT pg_notify(…)
    FROM written`, built once for each outbox and shape of rows along (PostgreSQL runs each WITH that writes, once
    and to completion, in the statement's transaction)."""
    statement = notifying(_insert(outbox), OUTBOX_CHANNEL)
    for i, (table, columns) in enumerate(along):
        statement = statement.add_cte(_insert(table, columns, f"r{i}_").returning(literal_column("1")).cte(f"r{i}"))
    return statement


class NewEvent(NamedTuple):
    """One event of a bulk write (`add_events`): what `add_event` takes besides the clock and the producer."""

    type: str
    subject: str
    version: int
    data: dict[str, Any]


async def add_events(session: AsyncSession, outbox: Table, *, clock: Clock, producer: str,
                     events: Iterable[NewEvent]) -> int:
    """Write many events into the outbox, inside the caller's transaction, as one executemany INSERT (the driver
    sends the rows together, the statement compiled once); the number written. One clock reading stamps them all,
    as they are one change (an import, say)."""
    now = clock.now()
    rows = []
    for event in events:
        envelope = Envelope(type=event.type, occurred_at=now, producer=producer, subject=event.subject,
                            version=event.version, data=event.data)
        rows.append({"event_id": str(envelope.id), "type": event.type, "subject": event.subject,
                     "body": envelope.model_dump_json(), "created_at": now, "next_attempt_at": now, "attempts": 0})
    if rows:
        await session.execute(outbox.insert(), rows)
        wake_at_commit(session, OUTBOX_CHANNEL)
    return len(rows)


class OutboxRelay:
    """Publishes pending outbox rows; a row is marked sent only after the bus confirmed it.

    Woken by commits that wrote events: in this process through the Database, from other processes (PostgreSQL)
    through NOTIFY unless `listen` is off; polling every `poll_seconds` catches whatever a wake-up missed.
    When the bus has its connection back after losing it, the rows that failed meanwhile are due again at once
    instead of after their backoff.
    """

    def __init__(self, *, database: Database, outbox: Table, bus: Bus, service: str, clock: Clock | None = None,
                 batch: int = 200, poll_seconds: float = 0.5, optional: Collection[str] = (),
                 listen: bool = True) -> None:
        self.database = database
        self.optional = frozenset(optional)  # event types published for whoever binds: not held when none does
        self.outbox = outbox
        self.bus = bus
        self.service = service
        self.clock = clock or SystemClock()
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.listen = listen
        self.listener: Listener | None = None  # while running on PostgreSQL
        self._wake = asyncio.Event()
        self._retry_now = False  # the bus reconnected: the next pass first makes the failed rows due
        database.on_commit(OUTBOX_CHANNEL, self.wake)
        bus.on_reconnect(self.reconnected)

    def wake(self) -> None:
        self._wake.set()

    def reconnected(self) -> None:
        """The bus has its connection back: what failed while it was away goes out now, not after its backoff."""
        self._retry_now = True
        self.wake()

    async def retry_failed_now(self) -> int:
        """Make every unpublished row that waits for a retry due now; return how many."""
        now = self.clock.now()
        async with self.database.transaction() as session:
            result = await session.execute(
                update(self.outbox)
                .where(self.outbox.c.published_at.is_(None), self.outbox.c.attempts > 0,
                       self.outbox.c.next_attempt_at > now)
                .values(next_attempt_at=now))
        due = rows_touched(result)
        if due:
            log.info("the bus is back: outbox events that failed meanwhile are retried now",
                     extra={"service": self.service, "events": due})
        return due

    async def publish_pending(self) -> int:
        """Publish one batch of due rows; return how many were confirmed."""
        now = self.clock.now()
        if self.database.is_sqlite:
            # SQLite: one relay per database (the embedded process). Holding the read transaction across the
            # publish would make the final UPDATE fail whenever a consumer of the same database committed meanwhile.
            async with self.database.transaction() as session:
                rows = await self._due(session, now, lock=False)
            if not rows:
                return 0
            results = await self._publish(rows)
            async with self.database.transaction() as session:
                return await self._record(session, rows, results, now)
        # PostgreSQL: the rows stay locked while they are published, so relays side by side never send one twice.
        async with self.database.transaction() as session:
            rows = await self._due(session, now, lock=True)
            if not rows:
                return 0
            return await self._record(session, rows, await self._publish(rows), now)

    async def _due(self, session: AsyncSession, now: datetime, *, lock: bool) -> list:
        query = (select(self.outbox.c.seq, self.outbox.c.event_id, self.outbox.c.type, self.outbox.c.created_at,
                        self.outbox.c.body, self.outbox.c.attempts)
                 .where(self.outbox.c.published_at.is_(None), self.outbox.c.next_attempt_at <= now)
                 .order_by(self.outbox.c.seq).limit(self.batch))
        if lock:
            query = query.with_for_update(skip_locked=True)
        return list((await session.execute(query)).all())

    async def _publish(self, rows: list) -> list:
        # The bodies go out as stored: the envelope was written as JSON by `add_event`, with these id, type and time.
        results = await self.bus.publish_all([
            StoredEvent(row.event_id, row.type, row.created_at, row.body.encode(), row.type not in self.optional)
            for row in rows])
        # A process being stopped is no publish failure: let it end the transaction untouched.
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result
        return results

    async def _record(self, session: AsyncSession, rows: list, results: list, now: datetime) -> int:
        """Mark the confirmed rows sent and postpone the others."""
        sent = [row.seq for row, result in zip(rows, results) if not isinstance(result, BaseException)]
        if sent:
            await session.execute(update(self.outbox).where(self.outbox.c.seq.in_(sent))
                                  .values(published_at=self.clock.now()))
        failed = [(row, result) for row, result in zip(rows, results) if isinstance(result, BaseException)]
        if failed:
            await self._postpone(session, failed, now)
            OUTBOX_FAILURES.labels(self.service).inc(len(failed))
            log.warning("outbox events not published; each retries with backoff",
                        extra={"service": self.service, "failed": len(failed), "error": str(failed[0][1])[:200]})
        OUTBOX_PUBLISHED.labels(self.service).inc(len(sent))
        return len(sent)

    async def _postpone(self, session: AsyncSession, failed: list, now: datetime) -> None:
        """Count the try and set each row's next one after its own backoff, in one statement for all."""
        statement = update(self.outbox).where(self.outbox.c.seq == bindparam("row_seq")).values(
            attempts=bindparam("row_attempts"), last_error=bindparam("row_error"),
            next_attempt_at=bindparam("row_next"))
        await (await session.connection()).execute(statement, [
            {"row_seq": row.seq, "row_attempts": row.attempts + 1,
             "row_error": f"{type(error).__name__}: {error}"[:500],
             "row_next": now + timedelta(seconds=backoff(row.attempts))} for row, error in failed])

    async def pending(self) -> int:
        from sqlalchemy import func

        async with self.database.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(self.outbox)
                                         .where(self.outbox.c.published_at.is_(None)))
        OUTBOX_BACKLOG.labels(self.service).set(count or 0)
        return count or 0

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set: drain what is due, then sleep until woken by a commit (of this process, or of
        another through NOTIFY) or the poll interval."""
        wakeups = (listening(self.database, OUTBOX_CHANNEL, self.wake, name=f"{self.service} relay") if self.listen
                   else contextlib.nullcontext())
        async with wakeups as self.listener:
            try:
                await self._relay(stop)
            finally:
                self.listener = None

    async def _relay(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()  # before the pass, so a commit during the pass wakes the next one
            try:
                if self._retry_now:
                    await self.retry_failed_now()
                    self._retry_now = False
                while await self.publish_pending() == self.batch:
                    pass
            except Exception:  # noqa: BLE001 - the relay must outlive a database or broker hiccup
                log.exception("outbox relay pass failed")
            await first_of(self._wake, stop, timeout=self.poll_seconds)
