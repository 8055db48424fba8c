"""The RabbitMQ bus against a real broker: routing, confirms, dead-lettering, redelivery and reconnection."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from typing import Any

import aio_pika
import aio_pika.exceptions
import pytest

from shared.events.amqp import STREAM, RabbitBus
from shared.events.bus import PublishError, StoredEvent
from shared.events.envelope import Envelope
from tests import services

pytestmark = pytest.mark.integration


def event(type_: str = "jobs.posting.opened", **data: object) -> Envelope:
    return Envelope(
        type=type_,
        occurred_at=datetime.now(timezone.utc),
        producer=type_.split(".")[0],
        subject=str(uuid.uuid4()),
        version=1,
        data=data or {"title": "welder"},
    )


def stored(envelope: Envelope, mandatory: bool = True) -> StoredEvent:
    """The envelope as an outbox row hands it to `publish_all`."""
    return StoredEvent(str(envelope.id), envelope.type, envelope.occurred_at, envelope.to_json(), mandatory)


@contextlib.asynccontextmanager
async def running(url: str, **options: Any) -> AsyncIterator[RabbitBus]:
    bus = RabbitBus(url, **options)
    await bus.start()
    try:
        yield bus
    finally:
        await bus.close()


async def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within} s")
        await asyncio.sleep(0.05)


async def publish_until_confirmed(bus: RabbitBus, envelope: Envelope, within: float = 15.0) -> None:
    """Retry as the outbox relay does: the row stays until the broker confirms."""
    deadline = time.monotonic() + within
    while True:
        try:
            await bus.publish(envelope)
            return
        except PublishError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def vhost_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def test_a_subscriber_receives_the_events_its_bindings_match(amqp_url):
    received: list[Envelope] = []

    async def handle(envelope: Envelope) -> None:
        received.append(envelope)

    async with running(amqp_url) as bus:
        await bus.subscribe("matching", ["jobs.#"], handle)
        await bus.subscribe("notify", ["workers.*.*"], lambda envelope: asyncio.sleep(0))
        opened, closed = event("jobs.posting.opened"), event("jobs.posting.closed")
        registered = event("workers.profile.registered", region="440300")

        for envelope in (opened, registered, closed):
            await bus.publish(envelope)

        await eventually(lambda: len(received) == 2)
        await asyncio.sleep(0.3)  # would a workers event still arrive?
        assert sorted(received, key=lambda e: e.type) == [closed, opened]


async def test_an_unroutable_event_raises_publish_error(amqp_url):
    async with running(amqp_url) as bus:
        with pytest.raises(PublishError) as raised:
            await bus.publish(event("jobs.posting.opened"))
        assert isinstance(raised.value.__cause__, aio_pika.exceptions.PublishError)

        # The return does not break the publishing channel.
        await bus.subscribe("matching", ["jobs.#"], lambda envelope: asyncio.sleep(0))
        await bus.publish(event("jobs.posting.opened"))


async def test_an_optional_event_nobody_is_bound_to_is_confirmed(amqp_url):
    async with running(amqp_url) as bus:
        await bus.publish(event("jobs.posting.opened"), mandatory=False)  # no queue bound: confirmed, dropped
        received = []
        await bus.subscribe("matching", ["jobs.#"], lambda envelope: asyncio.sleep(0, received.append(envelope)))
        await bus.publish(event("jobs.posting.closed"), mandatory=False)  # bound now: delivered as usual
        await eventually(lambda: len(received) == 1)
        assert received[0].type == "jobs.posting.closed"


async def test_events_published_together_are_each_confirmed_or_refused_alone_and_arrive_as_stored(amqp_url):
    received: list[Envelope] = []

    async def handle(envelope: Envelope) -> None:
        received.append(envelope)

    async with running(amqp_url) as bus:
        await bus.subscribe("matching", ["jobs.#"], handle)
        opened, closed = event("jobs.posting.opened", title="家政服务员"), event("jobs.posting.closed")
        unbound, optional = event("workers.profile.registered"), event("workers.profile.changed")
        outcomes = await bus.publish_all([stored(opened), stored(unbound), stored(optional, mandatory=False),
                                          stored(closed)])

        assert [type(outcome) for outcome in outcomes] == [type(None), PublishError, type(None), type(None)]
        assert str(unbound.id) in str(outcomes[1])
        await eventually(lambda: len(received) == 2)
        assert sorted(received, key=lambda e: e.type) == [closed, opened]  # the bodies as stored, read back whole


async def test_an_event_the_broker_refuses_raises_publish_error(amqp_url):
    async with running(amqp_url) as bus:
        # A full queue that rejects publishes makes the broker answer with Basic.Nack.
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            full = await channel.declare_queue(arguments={"x-max-length": 0, "x-overflow": "reject-publish"})
            await full.bind("jobbridge", routing_key="jobs.#")

            with pytest.raises(PublishError) as raised:
                await bus.publish(event("jobs.posting.opened"))
            assert isinstance(raised.value.__cause__, aio_pika.exceptions.DeliveryError)


async def test_an_event_not_confirmed_in_time_raises_publish_error(amqp_url):
    async with running(amqp_url, publish_timeout=0) as bus:
        await bus.subscribe("matching", ["jobs.#"], lambda envelope: asyncio.sleep(0))
        with pytest.raises(PublishError) as raised:
            await bus.publish(event("jobs.posting.opened"))
        assert isinstance(raised.value.__cause__, TimeoutError)


async def test_a_message_that_keeps_failing_goes_to_the_dead_letter_queue_and_the_consumer_goes_on(amqp_url):
    poison = event("jobs.posting.opened")
    attempts: list[uuid.UUID] = []
    handled: list[Envelope] = []

    async def handle(envelope: Envelope) -> None:
        attempts.append(envelope.id)
        if envelope.id == poison.id:
            raise RuntimeError("the handler cannot cope with this one")
        handled.append(envelope)

    async with running(amqp_url, delivery_limit=2, retry_delay=0.01) as bus:
        await bus.subscribe("matching", ["jobs.#"], handle)
        await bus.publish(poison)

        deadline = time.monotonic() + 10
        while await bus.dead_letters("matching") < 1:
            assert time.monotonic() < deadline, "the poison message never reached matching.dlq"
            await asyncio.sleep(0.1)
        assert attempts.count(poison.id) == 3  # the first delivery and two redeliveries

        good = event("jobs.posting.closed")
        await bus.publish(good)
        await eventually(lambda: handled == [good])
        assert await bus.dead_letters("matching") == 1


async def test_an_unparsable_message_is_dead_lettered_at_once(amqp_url):
    calls: list[Envelope] = []

    async def handle(envelope: Envelope) -> None:
        calls.append(envelope)

    async with running(amqp_url, delivery_limit=5) as bus:
        await bus.subscribe("matching", ["jobs.#"], handle)
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange("jobbridge")
            await exchange.publish(aio_pika.Message(b"{not json"), routing_key="jobs.posting.opened")

        deadline = time.monotonic() + 5
        while await bus.dead_letters("matching") < 1:
            assert time.monotonic() < deadline, "the unparsable message never reached matching.dlq"
            await asyncio.sleep(0.1)
        assert calls == []


async def test_a_handler_that_fails_once_handles_the_event_once(amqp_url):
    calls = 0
    handled: list[Envelope] = []

    async def handle(envelope: Envelope) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("the database blinked")
        handled.append(envelope)

    async with running(amqp_url, retry_delay=0.01) as bus:
        await bus.subscribe("matching", ["jobs.#"], handle)
        sent = event()
        await bus.publish(sent)

        await eventually(lambda: handled == [sent])
        await asyncio.sleep(0.3)  # no further delivery after the ack
        assert calls == 2
        assert handled == [sent]
        assert await bus.dead_letters("matching") == 0


async def test_the_bus_recovers_after_the_broker_closes_its_connection(amqp_url):
    received: set[uuid.UUID] = set()

    async def handle(envelope: Envelope) -> None:
        received.add(envelope.id)

    vhost = vhost_of(amqp_url)
    async with running(amqp_url, publish_timeout=2.0) as bus:
        await bus.subscribe("matching", ["jobs.#"], handle)
        before = event()
        await bus.publish(before)
        await eventually(lambda: before.id in received)

        assert await asyncio.to_thread(services.cut_connections, vhost) == 1

        after = [event() for _ in range(5)]
        for envelope in after:
            await publish_until_confirmed(bus, envelope)

        await eventually(lambda: {e.id for e in after} <= received, within=10)
        assert bus.connected
        assert await asyncio.to_thread(services.consumers_of, vhost, "matching") == 1


async def test_publish_after_close_raises_publish_error(amqp_url):
    bus = RabbitBus(amqp_url)
    await bus.start()
    await bus.subscribe("matching", ["jobs.#"], lambda envelope: asyncio.sleep(0))
    await bus.close()

    assert not bus.connected
    with pytest.raises(PublishError):
        await bus.publish(event())


async def test_a_batch_with_one_failing_event_commits_the_others_once_and_dead_letters_the_failing_one(
        amqp_url, tmp_path):
    from sqlalchemy import Column, MetaData, String, Table, func, select

    from shared.db import Database
    from shared.events.inbox import Consumer, inbox_table

    metadata = MetaData()
    inbox = inbox_table(metadata)
    effects = Table("effects", metadata, Column("event_id", String(36), nullable=False))
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'consumer.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)

    opener, poison = event("jobs.posting.opened"), event("jobs.posting.closed")
    good = [event("jobs.posting.opened") for _ in range(10)]
    gate = asyncio.Event()
    batches: list[int] = []

    async def record(session, envelope: Envelope) -> None:
        if envelope.id == opener.id:
            await gate.wait()  # the others arrive meanwhile and make one batch
        await session.execute(effects.insert().values(event_id=str(envelope.id)))

    async def refuse(session, envelope: Envelope) -> None:
        await session.execute(effects.insert().values(event_id=str(envelope.id)))
        raise RuntimeError("this event cannot be handled")

    consumer = Consumer(name="audit", database=database, inbox=inbox,
                        handlers={"jobs.posting.opened": [record], "jobs.posting.closed": [refuse]})

    async def handle_batch(envelopes) -> None:
        batches.append(len(envelopes))
        await consumer.handle_batch(envelopes)

    try:
        async with running(amqp_url, delivery_limit=1, retry_delay=0.01) as bus:
            await bus.subscribe("audit", consumer.bindings, consumer.handle, batch_handler=handle_batch)
            await bus.publish(opener)
            await asyncio.sleep(0.3)  # the opener is being handled, alone
            for envelope in [*good[:5], poison, *good[5:]]:
                await bus.publish(envelope)
            await asyncio.sleep(0.3)
            gate.set()

            deadline = time.monotonic() + 15
            while await bus.dead_letters("audit") < 1:
                assert time.monotonic() < deadline, "the failing event never reached audit.dlq"
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.3)  # would anything else still be delivered?

            async with database.sessions() as session:
                counted = dict((await session.execute(
                    select(effects.c.event_id, func.count()).group_by(effects.c.event_id))).all())
            assert counted == {str(e.id): 1 for e in [opener, *good]}  # each once, the failing one not at all
            assert 11 in batches  # the ten good ones and the failing one came as one batch, which fell back
            assert await bus.dead_letters("audit") == 1
    finally:
        await database.dispose()


async def test_the_bus_says_when_its_connection_is_back_and_calls_back(amqp_url, caplog):
    back = asyncio.Event()
    vhost = vhost_of(amqp_url)
    async with running(amqp_url, name="jobbridge test relay") as bus:
        bus.on_reconnect(back.set)
        with caplog.at_level("INFO", logger="jobbridge.bus"):
            assert await asyncio.to_thread(services.cut_connections, vhost) == 1
            started = time.monotonic()
            await asyncio.wait_for(back.wait(), timeout=10)
        assert time.monotonic() - started < 3  # tried again every second, not every five
        messages = [record.getMessage() for record in caplog.records if record.name == "jobbridge.bus"]
        assert "bus connection jobbridge test relay is back" in messages
        assert any(message.startswith("bus connection jobbridge test relay lost") for message in messages)
        await bus.publish(event(), mandatory=False)


async def test_a_batch_consumer_takes_in_more_at_once_than_one_handling_single_events(amqp_url):
    """Run items are shared by competing consumers, a few unacknowledged each; a consumer that handles batches (notify
    taking in a run's sets) has many more in hand, so what queued up while it worked is one transaction."""
    gate = asyncio.Event()
    singles_in_hand: list[Envelope] = []
    batches: list[int] = []

    async def single(envelope: Envelope) -> None:
        singles_in_hand.append(envelope)
        await gate.wait()

    async def batch(envelopes) -> None:
        batches.append(len(envelopes))
        await gate.wait()

    async def alone(envelope: Envelope) -> None:  # a message that arrived by itself
        batches.append(1)

    async with running(amqp_url, prefetch=3, batch_prefetch=40) as bus:
        await bus.subscribe("matching-runs", ["matching.run.#"], single)
        await bus.subscribe("notify", ["matching.recommendations.#"], alone, batch_handler=batch)
        await asyncio.gather(*(bus.publish(event("matching.run.item_requested")) for _ in range(10)),
                             *(bus.publish(event("matching.recommendations.issued")) for _ in range(50)))
        await eventually(lambda: len(singles_in_hand) == 3 and bool(batches))
        await asyncio.sleep(0.3)  # more would be in hand by now if the prefetch let them
        assert len(singles_in_hand) == 3  # the first of each consumer's messages hold it up
        gate.set()
        await eventually(lambda: len(singles_in_hand) == 10 and sum(batches) == 50)
    # What queued up behind the held batch came as one: more than a single-event consumer may hold, within the bound.
    assert 3 < max(batches) <= 40


async def test_a_lingering_batch_consumer_takes_a_trickle_in_few_transactions_and_leaves_none_waiting(amqp_url):
    """Sets issued one by one: without a linger nearly each is a transaction of its own; with one, a small batch
    waits for more, the last one too is handled once its wait is over, and half the prefetch ends the wait at once."""
    async def take(linger: float, *, trickle: bool, count: int = 20) -> tuple[list[int], float]:
        sizes: list[int] = []

        async def batch(envelopes) -> None:
            sizes.append(len(envelopes))

        async def alone(envelope: Envelope) -> None:
            sizes.append(1)

        async with running(amqp_url, batch_prefetch=40) as bus:
            await bus.subscribe(f"notify-{uuid.uuid4().hex[:8]}", ["matching.recommendations.#"], alone,
                                batch_handler=batch, linger=linger)
            started = time.monotonic()
            if trickle:
                for _ in range(count):
                    await bus.publish(event("matching.recommendations.issued"))
                    await asyncio.sleep(0.01)
            else:
                await asyncio.gather(*(bus.publish(event("matching.recommendations.issued")) for _ in range(count)))
            await eventually(lambda: sum(sizes) == count)
            return sizes, time.monotonic() - started

    unhurried, _ = await take(0.0, trickle=True)
    lingering, _ = await take(0.5, trickle=True)
    assert len(unhurried) > 10  # one by one, as they came
    assert len(lingering) <= 4  # those that came within half a second of the first, together
    sizes, took = await take(60.0, trickle=False, count=20)  # half the prefetch at once: no waiting for more
    assert sizes == [20] and took < 10


async def test_a_lone_event_after_a_burst_is_not_held_back(amqp_url):
    """Behind a batch of several, a small batch waits a moment for more (fewer transactions under a burst); a lone
    event that comes once the burst is handled waits at most that moment, not a linger."""
    handled: dict[str, float] = {}
    sizes: list[int] = []

    async def batch(envelopes) -> None:
        await asyncio.sleep(0.002)  # a transaction's round trips
        sizes.append(len(envelopes))
        handled.update((str(e.id), time.monotonic()) for e in envelopes)

    async def alone(envelope: Envelope) -> None:
        sizes.append(1)
        handled[str(envelope.id)] = time.monotonic()

    async with running(amqp_url, batch_prefetch=256) as bus:
        await bus.subscribe(f"audit-{uuid.uuid4().hex[:8]}", ["jobs.posting.#"], alone, batch_handler=batch)
        burst = [stored(event()) for _ in range(1000)]
        assert await bus.publish_all(burst) == [None] * len(burst)
        await eventually(lambda: len(handled) == len(burst), within=30)
        assert max(sizes) >= STREAM  # the burst came in batches: the next small one would wait for more
        lone = event()
        published = time.monotonic()
        await bus.publish(lone)
        await eventually(lambda: str(lone.id) in handled)
    assert handled[str(lone.id)] - published < 0.5
