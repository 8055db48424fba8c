"""The inbox: event ids a consumer has handled, written in the handler's transaction so a redelivery is a no-op."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cache

from sqlalchemy import ARRAY, Column, Insert, MetaData, PrimaryKeyConstraint, String, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import Clock, SystemClock
from shared.db import Database, UtcDateTime, rows_touched
from shared.errors import Conflict
from shared.events.bus import Bus
from shared.events.envelope import Envelope
from shared.metrics import EVENTS_HANDLED

log = logging.getLogger("jobbridge.inbox")
CONFLICT_TRIES = 5  # a handler that still clashes after this raises: the bus redelivers the event later

EventHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]
# Handles several events of one type in one go, as its type's handlers would one after the other (fewer statements).
BatchEventHandler = Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox", metadata,
        Column("consumer", String(80), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("type", String(80), nullable=False),
        Column("handled_at", UtcDateTime, nullable=False),
        PrimaryKeyConstraint("consumer", "event_id"),
    )


@cache
def _first_times_on_postgresql(table: Table) -> Insert:
    """The inbox rows of a batch, the ids and types given as two arrays: one statement and four parameters for any
    batch size, built once so that SQLAlchemy keeps its compiled form."""
    batch = (func.unnest(bindparam("event_ids", type_=ARRAY(String)), bindparam("types", type_=ARRAY(String)))
             .table_valued("event_id", "type").render_derived(name="batch"))
    rows = select(bindparam("consumer", type_=String), batch.c.event_id, batch.c.type,
                  bindparam("handled_at", type_=table.c.handled_at.type))
    return (postgresql.insert(table).from_select(["consumer", "event_id", "type", "handled_at"], rows)
            .on_conflict_do_nothing().returning(table.c.event_id))


class Consumer:
    """Runs a service's handlers for one queue: each event once, in one transaction with its inbox row.

    With `batches` (the default) the bus may hand over several events at once: they are handled in one transaction,
    and if any of them fails none is written and the bus hands each over alone. Turn it off for a queue whose events
    are long pieces of work (a batch run's items), where one transaction for several would only delay them.
    `batch_handlers` may take the place of a type's handlers for consecutive events of that type in such a batch.
    `linger` (seconds) lets a small batch wait that long for more (see `Bus.subscribe`): for a queue whose events
    trickle in one by one and cost more per transaction than the wait costs anyone.
    """

    def __init__(self, *, name: str, database: Database, inbox: Table,
                 handlers: Mapping[str, Sequence[EventHandler]], clock: Clock | None = None,
                 batches: bool = True, batch_handlers: Mapping[str, BatchEventHandler] | None = None,
                 linger: float = 0.0) -> None:
        self.name = name
        self.database = database
        self.inbox = inbox
        self.handlers = handlers
        self.batch_handlers = dict(batch_handlers or {})
        assert set(self.batch_handlers) <= set(handlers), "a batch handler stands for a type's handlers"
        self.clock = clock or SystemClock()
        self.batches = batches
        self.linger = linger

    @property
    def bindings(self) -> list[str]:
        return sorted(self.handlers)

    async def handle(self, envelope: Envelope) -> None:
        """Apply every handler of the event type, unless this consumer already did."""
        for attempt in range(1, CONFLICT_TRIES + 1):
            try:
                outcome = await self._handle_once(envelope)
            except Conflict:
                # Another transaction wrote one of the same keys first: a second delivery of this event (the inbox
                # row), or another event about the same record (events are handled concurrently, up to the
                # prefetch). Never assume which: run again now that it has committed. The inbox then says whether
                # this event was handled, and the handlers see the other event's row (and its version).
                if attempt == CONFLICT_TRIES:
                    EVENTS_HANDLED.labels(self.name, envelope.type, "error").inc()
                    raise
                await asyncio.sleep(random.uniform(0.01, 0.05) * attempt)
                continue
            except Exception:
                EVENTS_HANDLED.labels(self.name, envelope.type, "error").inc()
                raise
            EVENTS_HANDLED.labels(self.name, envelope.type, outcome).inc()
            return

    async def _handle_once(self, envelope: Envelope) -> str:
        async with self.database.transaction() as session:
            # The inbox row first, in one statement: a repeated event inserts nothing and changes nothing.
            if not await self._first_time(session, envelope):
                return "duplicate"
            for handler in self.handlers.get(envelope.type, ()):
                await handler(session, envelope)
        return "ok"

    async def handle_batch(self, envelopes: Sequence[Envelope]) -> None:
        """Apply the handlers of several events in one transaction, each event that this consumer has not handled
        yet once, in order (consecutive events of a type with a batch handler go to it together); raise if any
        handler does, having written nothing."""
        async with self.database.transaction() as session:
            first = await self._first_times(session, envelopes)
            outcomes = []
            run: list[Envelope] = []  # consecutive new events of one type that has a batch handler
            for envelope in envelopes:
                event_id = str(envelope.id)
                if event_id not in first:
                    outcomes.append((envelope.type, "duplicate"))
                    continue
                first.discard(event_id)  # the same event twice in one batch: handled once
                outcomes.append((envelope.type, "ok"))
                if run and run[0].type != envelope.type:
                    await self.batch_handlers[run[0].type](session, run)
                    run = []
                if envelope.type in self.batch_handlers:
                    run.append(envelope)
                    continue
                for handler in self.handlers.get(envelope.type, ()):
                    await handler(session, envelope)
            if run:
                await self.batch_handlers[run[0].type](session, run)
        for type_, outcome in outcomes:
            EVENTS_HANDLED.labels(self.name, type_, outcome).inc()

    async def _first_times(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> set[str]:
        """Insert the inbox rows of a batch in one statement; the ids that were not there yet."""
        now = self.clock.now()
        types = {str(e.id): e.type for e in envelopes}
        if session.get_bind().dialect.name == "postgresql":
            result = await session.execute(_first_times_on_postgresql(self.inbox), {
                "consumer": self.name, "event_ids": list(types), "types": list(types.values()), "handled_at": now})
            return set(result.scalars())
        statement = sqlite.insert(self.inbox).on_conflict_do_nothing().returning(self.inbox.c.event_id)
        result = await session.execute(statement, [
            {"consumer": self.name, "event_id": event_id, "type": type_, "handled_at": now}
            for event_id, type_ in types.items()])
        return set(result.scalars())

    async def _first_time(self, session: AsyncSession, envelope: Envelope) -> bool:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        row = {"consumer": self.name, "event_id": str(envelope.id), "type": envelope.type,
               "handled_at": self.clock.now()}
        result = await session.execute(insert(self.inbox).values(**row).on_conflict_do_nothing())
        return rows_touched(result) == 1

    async def attach(self, bus: Bus) -> None:
        await bus.subscribe(self.name, self.bindings, self.handle,
                            batch_handler=self.handle_batch if self.batches else None,
                            linger=self.linger if self.batches else 0.0)
