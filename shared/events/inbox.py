"""The inbox: event ids a consumer has handled, written in the handler's transaction so a redelivery is a no-op."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import Clock, SystemClock
from shared.db import Database, UtcDateTime
from shared.errors import Conflict
from shared.events.bus import Bus
from shared.events.envelope import Envelope
from shared.metrics import EVENTS_HANDLED

log = logging.getLogger("jobbridge.inbox")

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
        try:
            async with self.database.transaction() as session:
                # The inbox row first, in one statement: a repeated event inserts nothing and changes nothing.
                if not await self._first_time(session, envelope):
                    EVENTS_HANDLED.labels(self.name, envelope.type, "duplicate").inc()
                    return
                for handler in self.handlers.get(envelope.type, ()):
                    await handler(session, envelope)
        except Conflict:
            # Two deliveries of one event raced; the other one committed, so this one changes nothing.
            EVENTS_HANDLED.labels(self.name, envelope.type, "duplicate").inc()
            return
        except Exception:
            EVENTS_HANDLED.labels(self.name, envelope.type, "error").inc()
            raise
        EVENTS_HANDLED.labels(self.name, envelope.type, "ok").inc()

    async def _first_time(self, session: AsyncSession, envelope: Envelope) -> bool:
        dialect = session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        row = {"consumer": self.name, "event_id": str(envelope.id), "type": envelope.type,
               "handled_at": self.clock.now()}
        result = await session.execute(insert(self.inbox).values(**row).on_conflict_do_nothing())
        return result.rowcount == 1

    async def attach(self, bus: Bus) -> None:
        await bus.subscribe(self.name, self.bindings, self.handle)
