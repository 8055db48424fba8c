"""The in-process bus of the embedded mode."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shared.events.bus import PublishError
from shared.events.envelope import Envelope
from shared.events.memory import InProcessBus, topic_matches


@pytest.mark.parametrize(("pattern", "key", "matches"), [
    ("jobs.posting.opened", "jobs.posting.opened", True), ("jobs.#", "jobs.posting.closed", True),
    ("jobs.*.closed", "jobs.posting.closed", True), ("jobs.*", "jobs.posting.closed", False),
    ("#", "workers.profile.placed", True), ("workers.#", "jobs.posting.opened", False),
])
def test_topic_patterns_match_as_in_rabbitmq(pattern, key, matches):
    assert topic_matches(pattern, key) is matches


def event(type_: str) -> Envelope:
    return Envelope(type=type_, occurred_at=datetime.now(timezone.utc), producer="jobs", subject="s", version=1,
                    data={})


async def test_publish_returns_after_every_subscriber_handled_the_event():
    bus = InProcessBus()
    await bus.start()
    seen: list[str] = []

    async def handler(envelope: Envelope) -> None:
        seen.append(envelope.type)

    await bus.subscribe("matching", ["jobs.#"], handler)
    await bus.publish(event("jobs.posting.opened"))
    assert seen == ["jobs.posting.opened"]
    with pytest.raises(PublishError):  # nobody is bound: the outbox keeps it, as a mandatory publish would
        await bus.publish(event("workers.profile.placed"))


async def test_a_failing_handler_is_retried_then_dead_lettered():
    bus = InProcessBus(delivery_limit=3, retry_delay=0)
    await bus.start()
    attempts: list[int] = []

    async def broken(_: Envelope) -> None:
        attempts.append(1)
        raise RuntimeError("boom")

    await bus.subscribe("audit", ["jobs.#"], broken)
    await bus.publish(event("jobs.posting.opened"))
    assert len(attempts) == 3 and await bus.dead_letters("audit") == 1


async def test_a_closed_bus_refuses_to_publish():
    bus = InProcessBus()
    with pytest.raises(PublishError):
        await bus.publish(event("jobs.posting.opened"))


async def test_an_optional_event_nobody_is_bound_to_is_confirmed_and_goes_nowhere():
    bus = InProcessBus()
    await bus.start()
    await bus.publish(event("matching.shortfall.detected"), mandatory=False)  # no error: nothing to hold it for
    with pytest.raises(PublishError):
        await bus.publish(event("matching.shortfall.detected"))


async def test_the_relay_publishes_optional_events_and_holds_mandatory_ones_until_a_consumer_binds(tmp_path):
    from sqlalchemy import MetaData, select

    from shared.clock import SystemClock
    from shared.db import Database
    from shared.events.outbox import OutboxRelay, add_event, outbox_table

    metadata = MetaData()
    outbox = outbox_table(metadata)
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'relay.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    clock = SystemClock()
    async with database.transaction() as session:
        for type_ in ("matching.shortfall.detected", "matching.recommendations.issued"):
            await add_event(session, outbox, clock=clock, producer="matching", type=type_, subject="w", version=1,
                            data={})
    bus = InProcessBus()
    await bus.start()
    relay = OutboxRelay(database=database, outbox=outbox, bus=bus, service="matching",
                        optional={"matching.shortfall.detected"})
    assert await relay.publish_pending() == 1
    async with database.sessions() as session:
        rows = dict((await session.execute(select(outbox.c.type, outbox.c.published_at))).all())
    assert rows["matching.shortfall.detected"] is not None  # confirmed although nobody listens
    assert rows["matching.recommendations.issued"] is None  # kept for the consumer that will bind
    await database.dispose()
