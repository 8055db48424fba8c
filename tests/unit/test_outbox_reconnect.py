"""The outbox relay when the broker comes back: what failed meanwhile goes out at once, not after its backoff."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from sqlalchemy import MetaData, select

from shared.clock import FixedClock
from shared.db import Database
from shared.events.bus import Handler, PublishError, StoredEvent, publish_each
from shared.events.envelope import Envelope
from shared.events.outbox import OutboxRelay, add_event, outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)


class Broker:
    """A bus whose broker can be away: publishing fails meanwhile, and its return is announced."""

    def __init__(self) -> None:
        self.up = False
        self.published: list[Envelope] = []
        self._on_reconnect: list[Callable[[], None]] = []

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def subscribe(self, consumer: str, bindings: Sequence[str], handler: Handler, *,
                        batch_handler: object = None, linger: float = 0.0) -> None: ...

    async def dead_letters(self, consumer: str) -> int:
        return 0

    async def publish(self, envelope: Envelope, *, mandatory: bool = True) -> None:
        if not self.up:
            raise PublishError("the broker is away")
        self.published.append(envelope)

    async def publish_all(self, events: Sequence[StoredEvent]) -> list[BaseException | None]:
        return await publish_each(self, events)

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        self._on_reconnect.append(callback)

    def come_back(self) -> None:
        self.up = True
        for callback in self._on_reconnect:
            callback()


async def eventually(check: Callable[[], bool], within: float) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, f"not true within {within} s"
        await asyncio.sleep(0.02)


async def test_events_that_failed_while_the_broker_was_away_go_out_at_once_when_it_returns(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'relay.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    # The clock stands still: a row postponed by its backoff is never due again by the clock's doing.
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    broker = Broker()
    relay = OutboxRelay(database=database, outbox=outbox, bus=broker, service="jobs", clock=clock, poll_seconds=0.05)
    async with database.transaction() as session:
        for n in range(3):
            await add_event(session, outbox, clock=clock, producer="jobs", type="jobs.posting.opened",
                            subject=f"p{n}", version=1, data={})

    assert await relay.publish_pending() == 0  # the broker is away: each row is postponed by its backoff
    async with database.sessions() as session:
        rows = (await session.execute(select(outbox.c.attempts, outbox.c.next_attempt_at))).all()
    assert [attempts for attempts, _ in rows] == [1, 1, 1]
    assert all(next_attempt > clock.now() for _, next_attempt in rows)

    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(0.3)  # several polls: nothing is due yet
        assert broker.published == []
        broker.come_back()
        await eventually(lambda: len(broker.published) == 3, within=3)
    finally:
        stop.set()
        await running
    assert await relay.pending() == 0
    async with database.sessions() as session:
        assert (await session.scalars(select(outbox.c.attempts))).all() == [1, 1, 1]  # the failed tries still count
    await database.dispose()
