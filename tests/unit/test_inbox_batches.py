"""A consumer handed several events at once: one transaction for all, each event once, nothing written on failure."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import Column, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.events.envelope import Envelope
from shared.events.inbox import Consumer, inbox_table

metadata = MetaData()
inbox = inbox_table(metadata)
effects = Table("effects", metadata, Column("event_id", String(36), nullable=False))


def event(type_: str = "jobs.posting.opened") -> Envelope:
    return Envelope(type=type_, occurred_at=datetime.now(timezone.utc), producer="jobs", subject=str(uuid.uuid4()),
                    version=1, data={})


@pytest.fixture
async def database(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'consumer.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield database
    await database.dispose()


async def record(session: AsyncSession, envelope: Envelope) -> None:
    await session.execute(effects.insert().values(event_id=str(envelope.id)))


async def refuse(session: AsyncSession, envelope: Envelope) -> None:
    await record(session, envelope)  # written, then rolled back with the rest of the batch
    raise RuntimeError("this event cannot be handled")


async def counts(database: Database) -> tuple[dict[str, int], int]:
    async with database.sessions() as session:
        rows = (await session.execute(select(effects.c.event_id, func.count()).group_by(effects.c.event_id))).all()
        handled = await session.scalar(select(func.count()).select_from(inbox))
    return dict(rows), handled or 0


async def test_a_batch_handles_each_new_event_once_and_skips_those_already_handled(database):
    consumer = Consumer(name="audit", database=database, inbox=inbox, handlers={"jobs.posting.opened": [record]})
    earlier, first, second = event(), event(), event()
    await consumer.handle(earlier)

    # `earlier` again (a redelivery) and `first` twice (published twice by a relay that crashed before marking it).
    await consumer.handle_batch([earlier, first, second, first])

    effects_by_event, handled = await counts(database)
    assert effects_by_event == {str(earlier.id): 1, str(first.id): 1, str(second.id): 1}
    assert handled == 3


async def test_a_batch_in_which_one_handler_fails_writes_nothing_and_raises(database):
    poison = event("jobs.posting.closed")
    consumer = Consumer(name="audit", database=database, inbox=inbox,
                        handlers={"jobs.posting.opened": [record], "jobs.posting.closed": [refuse]})
    good = [event(), event()]

    with pytest.raises(RuntimeError):
        await consumer.handle_batch([good[0], poison, good[1]])
    assert await counts(database) == ({}, 0)

    # Handed over alone, as the bus then does: the good ones are handled, the poison one still fails.
    for envelope in good:
        await consumer.handle(envelope)
    with pytest.raises(RuntimeError):
        await consumer.handle(poison)
    assert await counts(database) == ({str(good[0].id): 1, str(good[1].id): 1}, 2)


async def test_a_consumer_attaches_its_batch_handler_and_linger_unless_told_not_to(database):
    subscribed: dict[str, tuple[object, float]] = {}

    class Recorder:
        async def subscribe(self, consumer, bindings, handler, *, batch_handler=None, linger=0.0) -> None:
            subscribed[consumer] = (batch_handler, linger)

    batched = Consumer(name="matching", database=database, inbox=inbox, handlers={"jobs.#": [record]}, linger=0.02)
    alone = Consumer(name="matching-runs", database=database, inbox=inbox, handlers={"matching.#": [record]},
                     batches=False, linger=0.02)
    await batched.attach(Recorder())
    await alone.attach(Recorder())
    assert subscribed == {"matching": (batched.handle_batch, 0.02), "matching-runs": (None, 0.0)}


async def test_consecutive_events_of_a_type_with_a_batch_handler_are_handled_together_in_order(database):
    order: list[tuple[str, ...]] = []

    async def one(session: AsyncSession, envelope: Envelope) -> None:
        await record(session, envelope)
        order.append((str(envelope.id),))

    async def together(session: AsyncSession, envelopes) -> None:
        for envelope in envelopes:
            await record(session, envelope)
        order.append(tuple(str(envelope.id) for envelope in envelopes))

    consumer = Consumer(name="audit", database=database, inbox=inbox,
                        handlers={"jobs.posting.opened": [one], "jobs.posting.closed": [one]},
                        batch_handlers={"jobs.posting.opened": together})
    a, b, closed, c = event(), event(), event("jobs.posting.closed"), event()
    await consumer.handle(a)  # handled alone: by its type's handlers
    await consumer.handle_batch([a, b, b, closed, c])  # `a` again and `b` twice: once each

    assert order == [(str(a.id),), (str(b.id),), (str(closed.id),), (str(c.id),)]
    effects_by_event, handled = await counts(database)
    assert effects_by_event == {str(e.id): 1 for e in (a, b, closed, c)} and handled == 4


async def test_a_batch_handler_gets_the_run_of_its_type_at_once(database):
    runs: list[int] = []

    async def together(session: AsyncSession, envelopes) -> None:
        runs.append(len(envelopes))

    consumer = Consumer(name="audit", database=database, inbox=inbox, handlers={"jobs.posting.opened": [record]},
                        batch_handlers={"jobs.posting.opened": together})
    await consumer.handle_batch([event() for _ in range(5)])
    assert runs == [5]
