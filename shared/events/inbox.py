"""The inbox: event ids a consumer has handled, written in the handler's transaction so a redelivery is a no-op."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table
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


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox", metadata,
        Column("consumer", String(80), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("type", String(80), nullable=False),
        Column("handled_at", UtcDateTime, nullable=False),
        PrimaryKeyConstraint("consumer", "event_id"),
    )


class Consumer:
    """Runs a service's handlers for one queue: each event once, in one transaction with its inbox row."""

    def __init__(self, *, name: str, database: Database, inbox: Table,
                 handlers: Mapping[str, Sequence[EventHandler]], clock: Clock | None = None) -> None:
        self.name = name
        self.database = database
        self.inbox = inbox
        self.handlers = handlers
        self.clock = clock or SystemClock()

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

    async def _first_time(self, session: AsyncSession, envelope: Envelope) -> bool:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        row = {"consumer": self.name, "event_id": str(envelope.id), "type": envelope.type,
               "handled_at": self.clock.now()}
        result = await session.execute(insert(self.inbox).values(**row).on_conflict_do_nothing())
        return rows_touched(result) == 1

    async def attach(self, bus: Bus) -> None:
        await bus.subscribe(self.name, self.bindings, self.handle)
