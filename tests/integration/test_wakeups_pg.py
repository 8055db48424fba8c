"""Wake-ups across processes on PostgreSQL: a relay or a dispatcher polling only every 30 s still acts within a
second or two of another process's commit (NOTIFY), also after its listening connection was killed."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, time as clock_time, timezone

import asyncpg
import httpx
import pytest

from services.jobs.app import build as build_jobs
from services.jobs.db import outbox
from services.jobs.settings import JobsSettings
from services.notify.app import build as build_notify
from services.notify.contacts import Contact
from services.notify.settings import NotifySettings
from shared.clock import SystemClock
from shared.db import Database
from shared.events.envelope import Envelope
from shared.events.memory import InProcessBus
from shared.events.outbox import add_event
from shared.events.wakeup import Listener, listening
from shared.runtime import Runtime, create_app, make_bus
from tests import services
from tests.fakes.aliyun import FakeAliyun
from tests.fakes.wechat import FakeWechat
from tests.service.notify_fixtures import THREE, StaticContacts

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"
POLL = 30.0  # far longer than any wait below: only a wake-up makes these tests pass
WITHIN = 2.0  # seconds from the commit to the effect in another "process"


async def eventually(check: Callable[[], Awaitable[bool] | bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while True:
        result = check()
        if (await result) if asyncio.iscoroutine(result) else result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.02)


async def settled(listener_of: Callable[[], Listener | None], connections: int = 1) -> Listener:
    """Wait until the loop's listener is LISTENing (for the `connections`-th time), then for the pass its connection
    woke to be over: what is written after this is found only by a NOTIFY (or by the poll, 30 s later)."""

    def connected() -> bool:
        listener = listener_of()
        return listener is not None and listener.connections >= connections and listener.backend_pid is not None

    await eventually(connected, within=10, what="the listener is connected")
    await asyncio.sleep(0.5)
    listener = listener_of()
    assert listener is not None, "the listener went away again"
    return listener


async def listening_backends(application_name: str) -> int:
    admin = await asyncpg.connect(services.pg_admin_dsn())
    try:
        return await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                                    application_name)
    finally:
        await admin.close()


class Arrivals:
    """Events received from the broker, by id, with the time each came."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}

    async def __call__(self, envelope: Envelope) -> None:
        self.at[str(envelope.id)] = time.monotonic()


async def write_event(database: Database) -> tuple[str, float]:
    """One event committed in the outbox by `database` (the API or consumer process); its id and commit time."""
    async with database.transaction() as session:
        envelope = await add_event(session, outbox, clock=SystemClock(), producer="jobs", type="jobs.posting.closed",
                                   subject=str(uuid.uuid4()), version=2, data={"status": "closed"})
    return str(envelope.id), time.monotonic()


async def test_a_relay_in_its_own_process_publishes_at_once_after_another_process_commits(pg_url, amqp_url, tmp_path):
    settings = JobsSettings(data_dir=tmp_path, database_url=pg_url, bus="amqp", amqp_url=amqp_url, jwt_secret=SECRET,
                            relay_poll_seconds=POLL)
    # `jobbridge relay jobs`: its own units, hence its own Database, so no commit of the writer wakes it in-process.
    relay_process = Runtime(units=[build_jobs(settings)], bus=make_bus(settings, name="test jobs relay"),
                            settings=settings, api=False, relays=True, consumers=False)
    writer = Database(pg_url)  # the API process
    receiver, arrivals = make_bus(settings, name="test receiver"), Arrivals()
    await relay_process.start()
    try:
        await receiver.start()
        await receiver.subscribe("test-wakeups", ["jobs.#"], arrivals)
        relay = relay_process.relays["jobs"]
        listener = await settled(lambda: relay.listener)

        for _ in range(3):
            event_id, committed = await write_event(writer)
            await eventually(lambda event_id=event_id: event_id in arrivals.at, within=WITHIN + 3,
                             what="the event reached the bus")
            assert arrivals.at[event_id] - committed < WITHIN

        # The listening connection dies (a restart, a failover, an operator): the listener connects again ...
        killed = listener.backend_pid
        await services.terminate_backend(killed)
        await settled(lambda: relay.listener, connections=2)
        assert listener.backend_pid != killed
        # ... and the relay is woken as before.
        event_id, committed = await write_event(writer)
        await eventually(lambda: event_id in arrivals.at, within=WITHIN + 3, what="the event reached the bus")
        assert arrivals.at[event_id] - committed < WITHIN
        assert await listening_backends(listener.application_name) == 1
    finally:
        await receiver.close()
        await relay_process.stop()
        await writer.dispose()

    async def closed() -> bool:  # stopping the process closed its listening connection
        return await listening_backends(listener.application_name) == 0

    await eventually(closed, within=5, what="no listener left")


def issued(worker_id: str) -> Envelope:
    return Envelope(type="matching.recommendations.issued", occurred_at=datetime.now(timezone.utc),
                    producer="matching", subject=worker_id, version=1,
                    data={"worker_id": worker_id, "set_id": str(uuid.uuid4()), "run_id": None, "items": THREE,
                          "shortfall": None, "home_region_code": "152222105"})


async def test_the_dispatcher_in_its_own_process_sends_at_once_what_another_process_queued(pg_url, tmp_path):
    worker_id = str(uuid.uuid4())
    contacts = StaticContacts({worker_id: Contact(worker_id, "13900000001", "oFakeWakeup000000000000001", True, True,
                                                  "seeking")})
    async with FakeAliyun() as aliyun, FakeWechat() as wechat:
        wechat.blocked.add("oFakeWakeup000000000000001")  # accepted, then reported "failed:user block"
        settings = NotifySettings(
            data_dir=tmp_path, database_url=pg_url, jwt_secret=SECRET, dispatch_poll_seconds=POLL, digest_minutes=0,
            quiet_start=clock_time(0, 0), quiet_end=clock_time(0, 0),  # the test runs at any hour
            sms_providers="aliyun", wechat_provider="wechat",
            aliyun_endpoint=aliyun.url, aliyun_access_key_id=aliyun.access_key_id,
            aliyun_access_key_secret=aliyun.access_key_secret, aliyun_template_code=aliyun.template_code,
            wechat_base_url=wechat.url, wechat_appid=wechat.appid, wechat_secret=wechat.secret,
            wechat_template_id=wechat.template_id, wechat_callback_token=wechat.callback_token)
        # The API and consumer process (receipts, sets) and `jobbridge relay notify` (the dispatcher), apart.
        api = Runtime(units=[build_notify(settings, contacts=contacts)], bus=InProcessBus(), settings=settings,
                      relays=False, consumers=False)
        app = create_app(api)
        dispatcher = build_notify(settings, contacts=contacts).state["dispatcher"]
        stop = asyncio.Event()
        async with app.router.lifespan_context(app):
            dispatching = asyncio.create_task(dispatcher.run(stop))
            try:
                await settled(lambda: dispatcher.listener)
                # The consumer queues the worker's message: the dispatcher sends it by WeChat ...
                await api.units[0].consumers[0].handle(issued(worker_id))
                committed = time.monotonic()
                await eventually(lambda: len(wechat.sent) == 1, within=WITHIN + 3, what="the WeChat message went")
                assert time.monotonic() - committed < WITHIN

                # ... WeChat reports it undelivered (the API takes the receipt): it goes again by SMS at once.
                await asyncio.sleep(0.5)
                client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
                async with client:
                    url = f"http://test/notify/receipts/wechat?token={settings.callback_token}"
                    [answer] = await wechat.push_receipts(url, client=client)
                assert answer.status_code == 200
                committed = time.monotonic()
                await eventually(lambda: len(aliyun.sent) == 1, within=WITHIN + 3, what="the SMS went")
                assert time.monotonic() - committed < WITHIN
            finally:
                stop.set()
                await dispatching
                await dispatcher.database.dispose()


async def test_a_listener_that_cannot_connect_keeps_trying_and_ends_when_its_loop_does(caplog):
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    database, woken = Database(f"postgresql+asyncpg://nobody@127.0.0.1:{port}/nothing"), []
    try:
        async with listening(database, "jobbridge_outbox", lambda: woken.append(1), name="test") as listener:
            await asyncio.sleep(1.5)
            tries = [r for r in caplog.records if r.name == "jobbridge.wakeup"]
        assert len(tries) >= 2  # tried again after a pause
        assert listener.connections == 0 and not woken
        assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("listen-")]
    finally:
        await database.dispose()
