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
