"""The jobs service on the real PostgreSQL and RabbitMQ: outbox, relay, broker and consumers, with faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

import httpx
import pytest
from sqlalchemy import Column, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.app import create_app
from services.jobs.db import inbox, outbox
from services.jobs.settings import JobsSettings
from shared.auth import mint_token
from shared.events.bus import PublishError, StoredEvent
from shared.events.envelope import Envelope
from shared.events.inbox import Consumer
from shared.events.outbox import OutboxRelay
from tests import services
from tests.events import placed as placed_data
from tests.service.conftest import vacancy

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"

# What a downstream consumer does with each opened posting: one row per posting, so a double effect shows.
effects_metadata = MetaData()
effects = Table("test_effects", effects_metadata, Column("subject", String(36)), Column("event_id", String(36)))


async def eventually(check: Callable, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within} s")
        await asyncio.sleep(0.1)


class Platform:
    def __init__(self, app, client: httpx.AsyncClient) -> None:
        self.app, self.client = app, client
        self.unit = app.state.units["jobs"]
        self.bus = app.state.runtime.bus
        self.headers: dict[str, str] = {}

    async def start_audit_consumer(self, fail_for: set[str] | None = None) -> Consumer:
        """A second consumer of `jobs.posting.opened`, writing one effect row per event it handles."""
        async with self.unit.database.engine.begin() as connection:
            await connection.run_sync(effects_metadata.create_all)

        async def record(session: AsyncSession, event: Envelope) -> None:
            if fail_for and event.subject in fail_for:
                raise RuntimeError("this posting always breaks the handler")
            await session.execute(effects.insert().values(subject=event.subject, event_id=str(event.id)))

        consumer = Consumer(name="audit", database=self.unit.database, inbox=inbox,
                            handlers={"jobs.posting.opened": [record]})
        await consumer.attach(self.bus)
        return consumer

    async def effects_by_subject(self) -> dict[str, int]:
        async with self.unit.database.sessions() as session:
            rows = await session.execute(select(effects.c.subject, func.count()).group_by(effects.c.subject))
            return dict(rows.all())

    async def unpublished(self) -> int:
        async with self.unit.database.sessions() as session:
            return await session.scalar(select(func.count()).select_from(outbox)
                                        .where(outbox.c.published_at.is_(None)))

    async def post(self, **changes) -> str:
        response = await self.client.post("/jobs/postings", json=vacancy(**changes), headers=self.headers)
        assert response.status_code == 201, response.text
        return response.json()["id"]


@pytest.fixture
async def platform(pg_url, amqp_url, tmp_path):
    settings = JobsSettings(data_dir=tmp_path, database_url=pg_url, bus="amqp", amqp_url=amqp_url,
                            jwt_secret=SECRET, relay_poll_seconds=0.2, delivery_limit=2)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            platform = Platform(app, client)
            admin = {"Authorization": f"Bearer {mint_token(key=SECRET, role='admin')}"}
            employer = await client.post("/jobs/employers", json={"name": "北京安居家政", "region_code": "110106"},
                                         headers=admin)
            token = mint_token(key=SECRET, role="employer", employer_id=employer.json()["id"])
            platform.headers = {"Authorization": f"Bearer {token}"}
            yield platform


async def test_a_posting_reaches_a_consumer_once_in_effect_even_when_delivered_twice(platform):
    await platform.start_audit_consumer()
    posting_id = await platform.post()

    async def handled() -> bool:
        return (await platform.effects_by_subject()).get(posting_id) == 1

    await eventually(handled)
    async with platform.unit.database.sessions() as session:
        body = await session.scalar(select(outbox.c.body).where(outbox.c.subject == posting_id))
    await platform.bus.publish(Envelope.from_json(body))  # the broker delivers the same event again
    await platform.bus.publish(Envelope.from_json(body))
    await asyncio.sleep(1.0)
    assert (await platform.effects_by_subject()) == {posting_id: 1}
    assert await platform.unpublished() == 0


class CrashAfterPublish:
    """A bus whose relay process dies right after the broker confirmed, before the row is marked sent."""

    class Killed(BaseException):
        pass

    def __init__(self, bus) -> None:
        self.bus = bus

    async def publish_all(self, events: Sequence[StoredEvent]) -> list[BaseException | None]:
        await self.bus.publish_all(events)
        raise self.Killed()

    def on_reconnect(self, callback) -> None:
        self.bus.on_reconnect(callback)


async def test_a_relay_killed_between_publish_and_mark_publishes_again_and_the_effect_happens_once(platform):
    await platform.start_audit_consumer()
    await platform.app.state.runtime.stop_relays()  # this test drives the relays by hand
    posting_ids = [await platform.post(title=f"家政服务员{n}号") for n in range(5)]
    dying = OutboxRelay(database=platform.unit.database, outbox=outbox, bus=CrashAfterPublish(platform.bus),
                        service="jobs")
    with pytest.raises(CrashAfterPublish.Killed):
        await dying.publish_pending()
    assert await platform.unpublished() == 5  # nothing was marked: the crash came before the commit

    async def all_seen_once_or_more() -> bool:
        return set(await platform.effects_by_subject()) == set(posting_ids)

    await eventually(all_seen_once_or_more)
    restarted = OutboxRelay(database=platform.unit.database, outbox=outbox, bus=platform.bus, service="jobs")
    assert await restarted.publish_pending() == 5
    await asyncio.sleep(1.0)
    assert await platform.unpublished() == 0
    assert await platform.effects_by_subject() == {posting_id: 1 for posting_id in posting_ids}


async def test_postings_made_while_the_broker_connection_is_cut_all_arrive(platform, amqp_url):
    vhost = amqp_url.rsplit("/", 1)[1]
    await platform.start_audit_consumer()
    before = [await platform.post(title=f"保洁员{n}号") for n in range(10)]
    assert await asyncio.to_thread(services.cut_connections, vhost) >= 1
    during = [await platform.post(title=f"保安员{n}号") for n in range(10)]
    await asyncio.sleep(6)  # past the client's reconnect interval
    after = [await platform.post(title=f"厨师{n}号") for n in range(10)]

    async def all_handled() -> bool:
        seen = await platform.effects_by_subject()
        return set(seen) == set(before + during + after)

    await eventually(all_handled, within=45)
    assert set((await platform.effects_by_subject()).values()) == {1}
    assert await platform.unpublished() == 0
    assert await asyncio.to_thread(services.consumers_of, vhost, "audit") == 1


async def test_postings_that_failed_while_the_broker_was_away_arrive_within_seconds_of_its_return(platform, amqp_url):
    vhost = amqp_url.rsplit("/", 1)[1]
    await platform.start_audit_consumer()
    back = asyncio.Event()
    platform.bus.on_reconnect(back.set)
    # The broker refuses the vhost to the client and drops its connections: it is away until allowed again.
    await asyncio.to_thread(services.rabbitmqctl, "clear_permissions", "-p", vhost, "guest")
    try:
        assert await asyncio.to_thread(services.cut_connections, vhost) >= 1
        during = [await platform.post(title=f"保安员{n}号") for n in range(10)]

        async def tried_again_and_again() -> bool:  # each row's backoff is now up to 8 s or more
            async with platform.unit.database.sessions() as session:
                fewest = await session.scalar(select(func.min(outbox.c.attempts))
                                              .where(outbox.c.published_at.is_(None)))
            return (fewest or 0) >= 5

        await eventually(tried_again_and_again, within=60)
    finally:
        await asyncio.to_thread(services.rabbitmqctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    returned = time.monotonic()

    async def all_handled() -> bool:
        return set(await platform.effects_by_subject()) == set(during)

    await eventually(all_handled, within=30)
    assert back.is_set()
    assert time.monotonic() - returned < 5  # not after each row's backoff: the relay retried them on reconnection
    assert set((await platform.effects_by_subject()).values()) == {1}


async def test_an_event_that_always_fails_goes_to_the_dead_letter_queue_and_the_rest_flow(platform):
    poison = await platform.post(title="坏岗位")
    await platform.start_audit_consumer(fail_for={poison})
    healthy = [await platform.post(title=f"好岗位{n}") for n in range(3)]

    async def dead_lettered() -> bool:
        return await platform.bus.dead_letters("audit") == 1

    async def others_handled() -> bool:
        return set(await platform.effects_by_subject()) == set(healthy)

    await eventually(dead_lettered, within=30)
    await eventually(others_handled)
    later = await platform.post(title="之后的岗位")

    async def later_handled() -> bool:
        return later in await platform.effects_by_subject()

    await eventually(later_handled)


async def test_a_placement_through_the_broker_lowers_the_headcount_once(platform):
    posting_id = await platform.post(headcount=2)
    placed = Envelope(type="workers.profile.placed", occurred_at="2026-11-28T03:00:00Z", producer="workers",
                      subject="worker-1", version=2,
                      data=placed_data("placement-1", posting_id))
    for _ in range(3):
        await platform.bus.publish(placed)

    async def lowered() -> bool:
        response = await platform.client.get(f"/jobs/postings/{posting_id}", headers=platform.headers)
        return response.json()["placed"] == 1

    await eventually(lowered)
    await asyncio.sleep(0.5)
    final = (await platform.client.get(f"/jobs/postings/{posting_id}", headers=platform.headers)).json()
    assert (final["headcount"], final["placed"]) == (1, 1)


async def test_placements_on_one_posting_handled_at_once_each_count(platform):
    posting_id = await platform.post(headcount=8)
    consumer = next(c for c in platform.unit.consumers if c.name == "jobs")
    placements = [Envelope(type="workers.profile.placed", occurred_at="2026-11-28T03:00:00Z", producer="workers",
                           subject=f"worker-{n}", version=2,
                           data=placed_data(f"placement-{n}", posting_id))
                  for n in range(6)]
    await asyncio.gather(*(consumer.handle(event) for event in placements))  # as a prefetch of 6 would
    final = (await platform.client.get(f"/jobs/postings/{posting_id}", headers=platform.headers)).json()
    assert (final["headcount"], final["placed"], final["version"]) == (2, 6, 7)


async def test_publishing_to_a_closed_bus_keeps_the_event_in_the_outbox(platform):
    await platform.app.state.runtime.stop_relays()
    await platform.post()
    await platform.bus.close()
    relay = OutboxRelay(database=platform.unit.database, outbox=outbox, bus=platform.bus, service="jobs")
    assert await relay.publish_pending() == 0
    assert await platform.unpublished() == 1
    async with platform.unit.database.sessions() as session:
        attempts, error = (await session.execute(select(outbox.c.attempts, outbox.c.last_error))).one()
    assert attempts == 1 and "PublishError" in error
    with pytest.raises(PublishError):
        await platform.bus.publish(Envelope.from_json('{"id":"00000000-0000-4000-8000-000000000000",'
                                                      '"type":"jobs.posting.opened","occurred_at":"2026-11-28T00:00:00Z",'
                                                      '"producer":"jobs","subject":"x","version":1,"data":{}}'))
