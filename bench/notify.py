"""Messages per second and issued-to-provider-call latency through RabbitMQ, the notify consumer (its inbox and
message on PostgreSQL) and the dispatcher to the fake Aliyun on loopback, against the same SMS sent directly with
the provider client (no bus, no database)."""

from __future__ import annotations

import asyncio
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, time, timezone
from pathlib import Path
from time import perf_counter

from bench import infra
from bench.report import Report, median, p95, paced
from services.notify.app import build
from services.notify.compose import compose_sms
from services.notify.contacts import Contact
from services.notify.messages.service import idempotency_key
from services.notify.settings import NotifySettings
from services.notify.vendors.http import provider_client
from shared.events.amqp import RabbitBus
from shared.events.envelope import Envelope
from shared.runtime import Runtime
from tests.fakes.aliyun import FakeAliyun
from tests.fakes.server import SentMessage
from tests.service.notify_fixtures import CONTACT, THREE, StaticContacts

N = 1000  # the burst
RATE, SECONDS = 20, 10  # the steady run: well under the burst ceiling, so latency is not queueing
CONCURRENCY = 16  # the dispatcher's default NOTIFY_DISPATCH_CONCURRENCY, and the baseline's
SECRET = "bench-signing-secret-of-at-least-32-bytes"


class TimedAliyun(FakeAliyun):
    """The fake Aliyun, noting when (perf_counter) each message was taken, by its OutId (our idempotency key)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.taken: dict[str, float] = {}
        self._taken_lock = threading.Lock()

    def record(self, message: SentMessage) -> None:
        super().record(message)
        with self._taken_lock:
            self.taken.setdefault(message.key or "", perf_counter())

    async def wait_for(self, keys: Iterable[str], within: float = 120.0) -> list[float]:
        keys = list(keys)
        deadline = perf_counter() + within
        while True:
            with self._taken_lock:
                missing = [k for k in keys if k not in self.taken]
                if not missing:
                    return [self.taken[k] for k in keys]
            if perf_counter() > deadline:
                raise RuntimeError(f"{len(missing)} of {len(keys)} messages never reached the fake Aliyun")
            await asyncio.sleep(0.01)


def workers(n: int, first: int) -> dict[str, Contact]:
    return {str(uuid.uuid4()): Contact(worker_id="", phone=f"139{first + i:08d}", wechat_openid=None,
                                       consent_sms=True, consent_wechat=False, status="seeking") for i in range(n)}


def issued(worker_id: str) -> Envelope:
    return Envelope(type="matching.recommendations.issued", occurred_at=datetime.now(timezone.utc),
                    producer="matching", subject=worker_id, version=1,
                    data={"worker_id": worker_id, "set_id": str(uuid.uuid4()), "run_id": "bench", "items": THREE,
                          "shortfall": None, "home_region_code": "152222105"})


class NotifyPath:
    """Matching's bus publishing `matching.recommendations.issued`; a notify process consuming and dispatching."""

    def __init__(self, matching: RabbitBus, fake: TimedAliyun, directory: StaticContacts) -> None:
        self.matching, self.fake, self.directory = matching, fake, directory

    async def burst(self, n: int) -> tuple[float, list[float]]:
        """Messages a second from the first publish to the last provider call, and each one's latency."""
        events = self._events(n)
        published: dict[str, float] = {}
        started = perf_counter()

        async def publish(key: str, event: Envelope) -> None:
            published[key] = perf_counter()
            await self.matching.publish(event)

        for chunk in range(0, n, 200):  # as a relay publishes: a batch at a time
            await asyncio.gather(*(publish(k, e) for k, e in list(events.items())[chunk:chunk + 200]))
        taken = await self.fake.wait_for(events)
        return n / (max(taken) - started), [t - published[k] for k, t in zip(events, taken)]

    async def steady(self, rate: int, seconds: int) -> list[float]:
        events = self._events(rate * seconds)
        published: dict[str, float] = {}

        async def publish(key: str, event: Envelope) -> None:
            published[key] = perf_counter()
            await self.matching.publish(event)

        tasks = [asyncio.create_task(publish(k, e)) async for k, e in paced(list(events.items()), rate)]
        await asyncio.gather(*tasks)
        taken = await self.fake.wait_for(events)
        return [t - published[k] for k, t in zip(events, taken)]

    def _events(self, n: int) -> dict[str, Envelope]:
        contacts = workers(n, first=len(self.directory.contacts))
        self.directory.contacts.update({w: Contact(w, c.phone, None, True, False, "seeking")
                                        for w, c in contacts.items()})
        events = {}
        for worker_id in contacts:
            event = issued(worker_id)
            events[idempotency_key(worker_id, event.data["set_id"])] = event
        return events


class Direct:
    """The baseline: the same SMS, composed once, sent straight with our Aliyun client to the same fake."""

    def __init__(self, fake: TimedAliyun) -> None:
        self.fake = fake
        self.sms = compose_sms(THREE, signature="【兴安就业】", contact=CONTACT)
        self._first = 10_000_000

    async def burst(self, n: int) -> tuple[float, list[float]]:
        async with provider_client(timeout=10) as client:
            provider = self.fake.provider(client)
            gate = asyncio.Semaphore(CONCURRENCY)
            latencies: list[float] = []

            async def send(phone: str) -> None:
                async with gate:
                    began = perf_counter()
                    await provider.send_sms(phone=phone, template_params=self.sms.params, text=self.sms.text,
                                            idempotency_key=uuid.uuid4().hex)
                    latencies.append(perf_counter() - began)

            started = perf_counter()
            await asyncio.gather(*(send(phone) for phone in self._phones(n)))
            return n / (perf_counter() - started), latencies

    async def steady(self, rate: int, seconds: int) -> list[float]:
        async with provider_client(timeout=10) as client:
            provider = self.fake.provider(client)
            latencies: list[float] = []

            async def send(phone: str) -> None:
                began = perf_counter()
                await provider.send_sms(phone=phone, template_params=self.sms.params, text=self.sms.text,
                                        idempotency_key=uuid.uuid4().hex)
                latencies.append(perf_counter() - began)

            tasks = [asyncio.create_task(send(phone)) async for phone in paced(self._phones(rate * seconds), rate)]
            await asyncio.gather(*tasks)
            return latencies

    def _phones(self, n: int) -> list[str]:
        self._first += n
        return [f"138{self._first - n + i:08d}" for i in range(n)]


@asynccontextmanager
async def notify_path(pg_url: str, amqp_url: str, data_dir: Path, fake: TimedAliyun) -> AsyncIterator[NotifyPath]:
    settings = NotifySettings(
        data_dir=data_dir, database_url=pg_url, bus="amqp", amqp_url=amqp_url, jwt_secret=SECRET,
        sms_providers="aliyun", wechat_provider="none", aliyun_endpoint=fake.url,
        aliyun_access_key_id=fake.access_key_id, aliyun_access_key_secret=fake.access_key_secret,
        aliyun_template_code=fake.template_code, contacts_by_region={"152222": CONTACT},
        quiet_start=time(0, 0), quiet_end=time(0, 0), digest_minutes=0)  # the benchmark runs at any hour
    directory = StaticContacts()
    runtime = Runtime(units=[build(settings, contacts=directory)], bus=RabbitBus(amqp_url), settings=settings)
    matching = RabbitBus(amqp_url)

    async def ignore(_: Envelope) -> None:
        """Stands for the consumers of notify's own events."""

    await runtime.start()
    await matching.start()
    try:
        await matching.subscribe("bench-notify-events", ["notify.#"], ignore)
        yield NotifyPath(matching, fake, directory)
    finally:
        await matching.close()
        await runtime.stop()


def latencies(report: Report, name: str, measured: list[float], baseline: str, base: list[float]) -> None:
    report.figure(f"{name}: p50", median(measured) * 1000, "ms", baseline, median(base) * 1000)
    report.figure(f"{name}: p95", p95(measured) * 1000, "ms", baseline, p95(base) * 1000)


async def run(report: Report) -> None:
    infra.need_postgres()
    infra.need_rabbitmq()
    async with TimedAliyun(daily_limit=10**6) as fake:
        async with infra.postgres_database() as pg_url, infra.rabbitmq_vhost() as amqp_url:
            with tempfile.TemporaryDirectory(prefix="jobbridge-bench-") as tmp:
                async with notify_path(pg_url, amqp_url, Path(tmp), fake) as path:
                    await path.burst(50)  # warm-up: connections, the token, the first queries
                    rate, burst = await path.burst(N)
                    steady = await path.steady(RATE, SECONDS)
        direct = Direct(fake)
        await direct.burst(50)
        base_rate, base_burst = await direct.burst(N)
        base_steady = await direct.steady(RATE, SECONDS)

    report.figure(f"burst of {N} issued sets: messages/s to the provider call", rate, "/s",
                  "direct provider calls", base_rate)
    latencies(report, f"burst of {N}: issued → provider call", burst, "direct provider call", base_burst)
    latencies(report, f"{RATE}/s for {SECONDS} s: issued → provider call", steady, f"direct call, {RATE}/s",
              base_steady)
    report.note(f"notify: a RabbitBus publishes matching.recommendations.issued (confirms, a quorum queue); the "
                f"consumer writes inbox + message on PostgreSQL and wakes the dispatcher, which claims due messages "
                f"(FOR UPDATE SKIP LOCKED), looks the worker up (an in-memory directory stands for workers), sends "
                f"{CONCURRENCY} at a time and records each attempt; the time is taken when the fake Aliyun takes "
                f"the message")
    report.note(f"baseline: the same composed SMS sent with our AliyunSms client (ACS3 signing, httpx) to the same "
                f"fake, {CONCURRENCY} at a time for the burst; latency = the call's own duration")
    report.note("the fake Aliyun (uvicorn, one thread) checks every signature and shares this Python process "
                "(and its GIL) with the bus, the consumer and the dispatcher")
