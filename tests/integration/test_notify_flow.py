"""Notify on PostgreSQL and RabbitMQ: 200 workers' sets through the broker, flaky providers, a vendor down a while.

Every worker gets exactly one message or an explicit failure with its reason; nothing is lost and nothing is sent
twice — counted at the fake servers, which record every message they accept.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from datetime import datetime, time as clock_time, timedelta, timezone

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from services.notify.app import build
from services.notify.contacts import Contact
from services.notify.messages.models import Message
from services.notify.settings import NotifySettings
from services.notify.vendors import tencent as tencent_vendor
from shared.events.amqp import RabbitBus
from shared.events.envelope import Envelope
from shared.runtime import Runtime, create_app
from tests.fakes.aliyun import FakeAliyun
from tests.fakes.server import FakeServer, Fault
from tests.fakes.tencent import FakeTencent
from tests.fakes.wechat import FakeWechat
from tests.service.notify_fixtures import THREE, StaticContacts

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"
WORKERS = 200
FAILURE_RATE = 0.2


class Flaky(FakeServer):
    """A fake that also fails a share of its sends at random, each time in one of the given transient ways."""

    def __init__(self, *args, rate: float, faults: list[dict], seed: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rate, self.faults, self.rng = rate, faults, random.Random(seed)
        self.injected: Counter[str] = Counter()

    def take_fault(self, action: str) -> Fault | None:
        fault = super().take_fault(action)
        if fault is None and action == self.primary_action and self.rng.random() < self.rate:
            fault = Fault(action=action, **self.rng.choice(self.faults))
            self.injected[fault.code or fault.kind + ("+accepted" if fault.accept else "")] += 1
        return fault


class FlakyAliyun(Flaky, FakeAliyun):
    pass


class FlakyTencent(Flaky, FakeTencent):
    pass


class FlakyWechat(Flaky, FakeWechat):
    pass


# Transient failures of every shape: 5xx, answers lost before and after the provider took the message, and the
# providers' own transient codes. Tencent gets no "taken, then lost" here: its pull lists a message only once the
# carrier has reported on it, which this run does only at its end (tests/service/test_notify_delivery.py covers it).
# Its lost answers are still checked by a pull, with a report wait of a second so the run stays short.
ALIYUN_FAULTS = [{"kind": "http", "status": 503}, {"kind": "timeout"}, {"kind": "timeout", "accept": True},
                 {"kind": "code", "code": "isp.SYSTEM_ERROR"}]
TENCENT_FAULTS = [{"kind": "http", "status": 502}, {"kind": "timeout"}, {"kind": "code", "code": "InternalError.Timeout"}]
WECHAT_FAULTS = [{"kind": "http", "status": 502}, {"kind": "timeout"}, {"kind": "timeout", "accept": True},
                 {"kind": "code", "code": "-1"}]


def population() -> tuple[dict[str, Contact], dict[str, str]]:
    """200 workers: SMS only, WeChat followers (some unsubscribed, some blocking), no consent, bad numbers."""
    contacts, kinds = {}, {}
    for n in range(WORKERS):
        worker_id = str(uuid.uuid4())
        phone = f"139{n:08d}"
        openid = f"oFake{n:023d}"
        if n < 110:
            kind, contact = "sms", Contact(worker_id, phone, None, True, False, "seeking")
        elif n < 160:
            kind, contact = "wechat", Contact(worker_id, phone, openid, True, True, "seeking")
        elif n < 170:
            kind, contact = "unsubscribed", Contact(worker_id, phone, openid, True, True, "seeking")
        elif n < 180:
            kind, contact = "blocking", Contact(worker_id, phone, openid, True, True, "seeking")
        elif n < 190:
            kind, contact = "no_consent", Contact(worker_id, phone, openid, False, False, "seeking")
        else:
            kind, contact = "bad_number", Contact(worker_id, f"1{n:09d}", None, True, False, "seeking")
        contacts[worker_id], kinds[worker_id] = contact, kind
    return contacts, kinds


def issued(worker_id: str, run_id: str) -> Envelope:
    return Envelope(type="matching.recommendations.issued", occurred_at=datetime.now(timezone.utc),
                    producer="matching", subject=worker_id, version=1,
                    data={"worker_id": worker_id, "set_id": str(uuid.uuid4()), "run_id": run_id, "items": THREE,
                          "shortfall": None, "home_region_code": "152222105"})


async def eventually(check, within: float = 180.0, what: str = "") -> None:
    """Bounds a stuck pipeline, not its speed (bench notify measures that): a busy machine may take minutes."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within} s: {what}")
        await asyncio.sleep(0.2)


def settings_for(pg_url: str, amqp_url: str, tmp_path, aliyun, tencent, wechat) -> NotifySettings:
    return NotifySettings(
        data_dir=tmp_path, database_url=pg_url, bus="amqp", amqp_url=amqp_url, jwt_secret=SECRET,
        relay_poll_seconds=0.2, dispatch_poll_seconds=0.1, sms_providers="aliyun,tencent", wechat_provider="wechat",
        provider_timeout_seconds=2.0, retry_base_seconds=0.2, retry_cap_seconds=2.0, max_attempts=10,
        provider_down_seconds=1.0, contact_retry_seconds=0.5, digest_minutes=0, lease_seconds=20,
        quiet_start=clock_time(0, 0), quiet_end=clock_time(0, 0),  # the test runs at any hour
        aliyun_endpoint=aliyun.url, aliyun_access_key_id=aliyun.access_key_id,
        aliyun_access_key_secret=aliyun.access_key_secret, aliyun_template_code=aliyun.template_code,
        tencent_endpoint=tencent.url, tencent_secret_id=tencent.secret_id, tencent_secret_key=tencent.secret_key,
        tencent_sdk_app_id=tencent.sdk_app_id, tencent_template_id=tencent.template_id,
        wechat_base_url=wechat.url, wechat_appid=wechat.appid, wechat_secret=wechat.secret,
        wechat_template_id=wechat.template_id, wechat_callback_token=wechat.callback_token)


async def test_two_hundred_sets_through_the_broker_reach_each_worker_once_or_fail_with_a_reason(
        pg_url, amqp_url, tmp_path, monkeypatch):
    monkeypatch.setattr(tencent_vendor, "REPORT_WAIT", timedelta(seconds=1))
    contacts, kinds = population()
    aliyun = FlakyAliyun(rate=FAILURE_RATE, faults=ALIYUN_FAULTS, seed=1)
    tencent = FlakyTencent(rate=FAILURE_RATE, faults=TENCENT_FAULTS, seed=2)
    wechat = FlakyWechat(rate=FAILURE_RATE, faults=WECHAT_FAULTS, seed=3)
    for fake in (aliyun, tencent, wechat):
        fake.hang_seconds = 3.0  # past the 2 s client timeout
    wechat.unsubscribed |= {c.wechat_openid for w, c in contacts.items() if kinds[w] == "unsubscribed"}
    wechat.blocked |= {c.wechat_openid for w, c in contacts.items() if kinds[w] == "blocking"}
    alerts_before = REGISTRY.get_sample_value("jobbridge_notify_provider_down_total",
                                              {"provider": "aliyun", "code": "isv.AMOUNT_NOT_ENOUGH"}) or 0.0

    async with aliyun, tencent, wechat:
        settings = settings_for(pg_url, amqp_url, tmp_path, aliyun, tencent, wechat)
        directory = StaticContacts(contacts)
        # Two notify processes on one database: one consumes and dispatches, the other only dispatches (as
        # `jobbridge relay notify` scaled to two); they share the due messages through FOR UPDATE SKIP LOCKED.
        first = Runtime(units=[build(settings, contacts=directory)], bus=RabbitBus(amqp_url), settings=settings)
        second = Runtime(units=[build(settings, contacts=directory)], bus=RabbitBus(amqp_url), settings=settings,
                         consumers=False)
        # Stands for matching's relay. Its 200 publishes go out at once, and a quorum queue confirms each only after
        # its log is on disk: on a machine busy with other disk work that can take longer than the bus's usual 10 s,
        # which would fail the test on the stand-in's patience rather than on what notify does.
        matching = RabbitBus(amqp_url, publish_timeout=120.0)
        app = create_app(first)
        notify_events: list[Envelope] = []

        async def listen(event: Envelope) -> None:
            notify_events.append(event)

        async with app.router.lifespan_context(app):
            await second.start()
            await matching.start()
            await matching.subscribe("test-notify-events", ["notify.#"], listen)
            database = first.units[0].database
            try:
                aliyun.down = "isv.AMOUNT_NOT_ENOUGH"  # Aliyun's balance runs out at the start ...
                events = [issued(worker_id, "run-200") for worker_id in contacts]
                started = time.monotonic()
                await asyncio.gather(*(matching.publish(e) for e in events))
                await asyncio.gather(*(matching.publish(e) for e in events[:20]))  # the broker repeats a few

                async def all_accepted() -> bool:
                    async with database.sessions() as session:
                        return await session.scalar(select(func.count()).select_from(Message)) >= WORKERS

                await eventually(all_accepted, what="every set became a message")
                await asyncio.sleep(max(0.0, 2.5 - (time.monotonic() - started)))
                aliyun.down = None  # ... and is topped up a little later

                async def settled() -> bool:
                    async with database.sessions() as session:
                        return not await session.scalar(select(func.count()).select_from(Message)
                                                        .where(Message.status == "queued"))

                await eventually(settled, what="no message still queued")
                client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
                token = settings.callback_token  # as the URLs set in the provider consoles carry it
                async with client:
                    answers = await wechat.push_receipts(f"http://test/notify/receipts/wechat?token={token}",
                                                         client=client)
                    await eventually(settled, what="blocked WeChat messages went by SMS")
                    answers += await aliyun.push_receipts(f"http://test/notify/receipts/aliyun?token={token}",
                                                          client=client)
                    answers += await tencent.push_receipts(f"http://test/notify/receipts/tencent?token={token}",
                                                           client=client)
                assert all(a.status_code == 200 for a in answers)
                elapsed = time.monotonic() - started

                async with database.sessions() as session:
                    messages = list(await session.scalars(select(Message)))

                async def events_out() -> bool:
                    return len(notify_events) >= WORKERS

                await eventually(events_out, what="an event for every message's end")
            finally:
                await matching.close()
                await second.stop()

    # One message per worker: the repeated events and the second dispatcher changed nothing.
    by_worker = {m.worker_id: m for m in messages}
    assert len(messages) == WORKERS and set(by_worker) == set(contacts)

    expected = {"sms": "delivered", "wechat": "delivered", "unsubscribed": "delivered", "blocking": "delivered",
                "no_consent": "not_sent", "bad_number": "failed"}
    wrong = {w: (kinds[w], m.status, m.reason, m.last_error) for w, m in by_worker.items()
             if m.status != expected[kinds[w]]}
    assert not wrong, list(wrong.values())[:5]
    for worker_id, message in by_worker.items():
        if message.status != "delivered":
            assert message.reason, f"{kinds[worker_id]}: {message.status} without a reason"
    assert {by_worker[w].channel for w in by_worker if kinds[w] in ("unsubscribed", "blocking")} == {"sms"}
    assert {by_worker[w].channel for w in by_worker if kinds[w] == "wechat"} == {"wechat"}

    # Counted at the fakes: exactly one message reached each worker who got one, none reached the others.
    reached: Counter[str] = Counter()
    owner = {c.phone: w for w, c in contacts.items()} | {f"+86{c.phone}": w for w, c in contacts.items()} | {
        c.wechat_openid: w for w, c in contacts.items() if c.wechat_openid}
    for fake in (aliyun, tencent):
        for sent in fake.sent:
            reached[owner[sent.to]] += 1
    for sent in wechat.sent:
        if sent.to not in wechat.blocked:  # a blocked message never shows on the phone
            reached[owner[sent.to]] += 1
    for worker_id in contacts:
        assert reached[worker_id] == (1 if by_worker[worker_id].status == "delivered" else 0), kinds[worker_id]
    assert len({(m.to, m.key) for f in (aliyun, tencent, wechat) for m in f.sent}) == sum(
        len(f.sent) for f in (aliyun, tencent, wechat))

    # The failures really happened, the vendor outage raised the alert, and every end was published once.
    injected = aliyun.injected + tencent.injected + wechat.injected
    assert sum(injected.values()) >= 30, injected
    assert tencent.sent and aliyun.sent
    assert (REGISTRY.get_sample_value("jobbridge_notify_provider_down_total",
                                      {"provider": "aliyun", "code": "isv.AMOUNT_NOT_ENOUGH"}) or 0) > alerts_before
    ends = Counter(e.subject for e in notify_events)
    assert set(ends) == {m.id for m in messages} and set(ends.values()) == {1}
    # A bound on a stuck pipeline, not a speed figure (`python -m bench notify` measures speed, beside a baseline).
    assert elapsed < 300, f"took {elapsed:.0f} s: a stuck pipeline"
    print(f"\n200 workers settled in {elapsed:.1f} s; faults injected {dict(injected)}; "
          f"aliyun {len(aliyun.sent)}, tencent {len(tencent.sent)}, wechat {len(wechat.sent)} accepted")
