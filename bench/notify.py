"""Messages per second and issued-to-provider latency through RabbitMQ, the notify consumer (its inbox and message
on PostgreSQL) and the dispatcher to the fake Aliyun in a process of its own on loopback, against the same SMS sent
directly with the provider client (no bus, no database) to the same fake. The fake counts what it took: no message
twice, none lost, a number shared by several workers within its limits, nothing in quiet hours."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from time import perf_counter
from typing import Any

import httpx
from sqlalchemy import select, update

from bench import cpu, infra
from bench.bare_amqp import bare_amqp
from bench.notify_matching import BATCH as PUBLISH_BATCH
from bench.report import Report, median, p95, paced
from services.notify.app import build
from services.notify.compose import compose_sms
from services.notify.contacts import Contact
from services.notify.delivery.dispatcher import Dispatcher
from services.notify.messages.models import Message, MessageStatus
from services.notify.messages.service import idempotency_key
from services.notify.settings import NotifySettings
from services.notify.vendors.aliyun import AliyunSms
from services.notify.vendors.http import provider_client
from shared.clock import LOCAL_ZONE
from shared.db import Database
from shared.events.envelope import Envelope
from shared.runtime import Runtime, make_bus
from tests.fakes.aliyun import FakeAliyun
from tests.service.notify_fixtures import CONTACT, THREE, StaticContacts

N = 1000  # the burst
RATE, SECONDS = 500, 10  # the steady run
SHARED = 5  # sets of the burst for workers who share one phone number: the number's limits decide what goes
REPEATS = 100  # events of the burst published again, and sets issued again under new event ids
QUIET = 20  # sets issued while notify keeps quiet hours
# How often the benchmark asks the fake what it took: the times are the fake's own, so asking less often changes no
# figure, only the CPU the asking takes from the path (in this process and the fake's).
POLL_SECONDS = 0.1
# Parts of the machine whose CPU per set a burst reports (besides PostgreSQL, RabbitMQ and the rest: bench/cpu.py).
ONE_PROCESS = "the one notify process"
CONSUMER = "consumer process"
RELAY = "relay and dispatcher process"
FAKE = "the fake provider's process"
MATCHING = "matching's stand-in process"
BARE = "bare parts"  # the baseline of the whole path's CPU: bare aio-pika carrying a set, its direct provider call
SECRET = "bench-signing-secret-of-at-least-32-bytes"
_DEFAULTS = NotifySettings(jwt_secret=SECRET)
CONCURRENCY = _DEFAULTS.dispatch_concurrency  # the baseline's, as the dispatcher's
MIN_GAP = timedelta(seconds=_DEFAULTS.sms_min_interval_seconds)


class Fake:
    """The fake Aliyun's process (bench/notify_fake.py), and every message it says it took, by number (each set of
    the benchmark goes to a number of its own, but for the numbers that workers share; a message sent with others in
    one request carries no key of ours)."""

    def __init__(self) -> None:
        self.account = FakeAliyun()  # the credentials, signature and template the process accepts (its defaults)
        self.url = ""
        self.pid: int | None = None  # of the fake's process
        self.arrivals: dict[str, list[float]] = defaultdict(list)  # by number
        self._seen = 0
        self._process = contextlib.AsyncExitStack()
        self._client = httpx.AsyncClient(timeout=10)

    async def __aenter__(self) -> Fake:
        process = await self._process.enter_async_context(infra.child("bench.notify_fake", ready="port ",
                                                                      ready_within=30))
        self.url = self.account.url = f"http://127.0.0.1:{int(process.greeting.split()[1])}"
        self.pid = process.pid
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()
        await self._process.aclose()

    def provider(self, client: httpx.AsyncClient, *, batch: int) -> AliyunSms:
        return self.account.provider(client, batch=batch)

    async def poll(self) -> None:
        """Fetch what the fake took since the last poll."""
        rows = (await self._client.get(f"{self.url}/bench/taken", params={"since": self._seen})).json()
        self._seen += len(rows)
        for _key, number, at in rows:
            self.arrivals[number].append(at)

    async def wait_for(self, numbers: Iterable[str], within: float = 120.0) -> list[float]:
        """When the fake first took an SMS to each number, once all have arrived."""
        keys = list(numbers)
        deadline = perf_counter() + within
        while True:
            await self.poll()
            missing = [k for k in keys if k not in self.arrivals]
            if not missing:
                return [self.arrivals[k][0] for k in keys]
            if perf_counter() > deadline:
                raise RuntimeError(f"{len(missing)} of {len(keys)} messages never reached the fake Aliyun")
            await asyncio.sleep(POLL_SECONDS)

    def twice(self, shared: Iterable[str]) -> list[str]:
        """The numbers of a set of their own that got more than one SMS."""
        shared = set(shared)
        return [number for number, times in self.arrivals.items() if len(times) > 1 and number not in shared]

    @property
    def taken(self) -> int:
        return sum(len(times) for times in self.arrivals.values())


def issued(worker_id: str) -> Envelope:
    return Envelope(type="matching.recommendations.issued", occurred_at=datetime.now(timezone.utc),
                    producer="matching", subject=worker_id, version=1,
                    data={"worker_id": worker_id, "set_id": str(uuid.uuid4()), "run_id": "bench", "items": THREE,
                          "shortfall": None, "home_region_code": "152222105"})


class Matching:
    """Matching's stand-in in a process of its own, as the matching service is (bench/notify_matching.py): it
    publishes the events it is given and tells when it published each."""

    def __init__(self, process: infra.Child, folder: Path) -> None:
        self.process = process
        self._events, self._times = folder / "issued.jsonl", folder / "published.json"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stage(self, events: Iterable[Envelope]) -> None:
        """Write the events the next publish sends: writing them is the benchmark's work, done before a burst's
        CPU is counted."""
        self._events.write_bytes(b"".join(event.to_json() + b"\n" for event in events))

    async def burst(self, events: Iterable[Envelope] | None = None) -> list[float]:
        """Publish the events (those staged if none are given) at once, 200 at a time; when each was published."""
        if events is not None:
            self.stage(events)
        return await self._publish("burst")

    async def paced(self, events: Iterable[Envelope], rate: int) -> list[float]:
        """Publish the events at `rate` a second; when each was published."""
        self.stage(events)
        return await self._publish(f"paced {rate}")

    async def _publish(self, command: str) -> list[float]:
        answer = await self.process.say(f"{command} {self._events} {self._times}")
        if not answer.startswith("published "):
            raise RuntimeError(f"matching's stand-in answered {answer!r}")
        return json.loads(self._times.read_text())


class NotifyPath:
    """Matching's bus publishing `matching.recommendations.issued`; a notify process consuming and dispatching."""

    def __init__(self, matching: Matching, fake: Fake, directory: StaticContacts, database: Database,
                 dispatcher: Dispatcher, relay_pid: int | None = None) -> None:
        self.matching, self.fake, self.directory = matching, fake, directory
        self.database, self.dispatcher = database, dispatcher
        self.relay_pid = relay_pid  # the split setup's relay and dispatcher process
        # The last burst's CPU seconds per set, by part of the machine (bench/cpu.py).
        self.cpu: dict[str, float] = {}
        self.shared_numbers: dict[str, list[str]] = {}  # a number several workers share: their sets' keys
        self.numbers: dict[str, str] = {}  # each set's key: the number its SMS goes to

    async def burst(self, n: int) -> tuple[float, list[float], dict[str, Envelope]]:
        """Messages a second from the first publish to the last provider call, and each one's latency; with
        SHARED more sets for workers who share one number, spread through the burst."""
        events = self.events(n)
        phone = f"137{len(self.shared_numbers):08d}"
        shared = self.events(SHARED, phone=phone)
        self.shared_numbers[phone] = list(shared)
        order = list(events.items())
        for i, item in enumerate(shared.items()):
            order.insert((i + 1) * len(order) // (SHARED + 1), item)
        parts = {os.getpid(): CONSUMER if self.relay_pid else ONE_PROCESS, self.relay_pid: RELAY, self.fake.pid: FAKE,
                 self.matching.pid: MATCHING}
        self.matching.stage(event for _, event in order)
        before = cpu.sample()
        started = perf_counter()
        times = await self.matching.burst()
        published = {key: at for (key, _), at in zip(order, times)}
        taken = await self.fake.wait_for(self.numbers[key] for key in events)
        self.cpu = {part: seconds / n for part, seconds in cpu.spent(before, cpu.sample(), parts).items()}
        return n / (max(taken) - started), [t - published[k] for k, t in zip(events, taken)], events

    async def steady(self, rate: int, seconds: int) -> tuple[list[float], float]:
        """Each set's latency, and the rate the sets were published at."""
        events = self.events(rate * seconds)
        times = await self.matching.paced(events.values(), rate)
        published = dict(zip(events, times))
        achieved = (len(times) - 1) / (max(times) - min(times))
        taken = await self.fake.wait_for(self.numbers[key] for key in events)
        return [t - published[k] for k, t in zip(events, taken)], achieved

    async def repeat(self, events: dict[str, Envelope]) -> None:
        """Publish events again (the same ids), and the same sets under new event ids, then one new set; once that
        one is taken, wait a little: a repeated set that became a second message would have been due before it."""
        chosen = list(events.values())[:REPEATS]
        again = chosen + [event.model_copy(update={"id": uuid.uuid4()}) for event in chosen]
        await self.matching.burst(again)
        last = self.events(1)
        await self.matching.burst(last.values())
        await self.fake.wait_for(self.numbers[key] for key in last)
        await asyncio.sleep(1.0)
        await self.fake.poll()

    async def queued(self, keys: Iterable[str], *, within: float = 20.0) -> list[Message]:
        """The messages of these keys once each exists (the consumer has taken the sets)."""
        keys = list(keys)
        deadline = perf_counter() + within
        while True:
            async with self.database.sessions() as session:
                rows = list(await session.scalars(select(Message).where(Message.idempotency_key.in_(keys))))
            if len(rows) == len(keys) or perf_counter() > deadline:
                return rows
            await asyncio.sleep(0.05)

    def events(self, n: int, *, phone: str | None = None) -> dict[str, Envelope]:
        first = len(self.directory.contacts)
        # The phone first in the id: the dispatcher's process of the split setup reads it there (bench/notify_relay.py).
        contacts = {}
        for i in range(n):
            number = phone or f"139{first + i:08d}"
            contacts[f"{number}-{uuid.uuid4().hex[:24]}"] = number
        self.directory.contacts.update({w: Contact(w, number, None, True, False, "seeking")
                                        for w, number in contacts.items()})
        events = {}
        for worker_id, number in contacts.items():
            event = issued(worker_id)
            key = idempotency_key(worker_id, event.data["set_id"])
            events[key], self.numbers[key] = event, number
        return events


class Direct:
    """The baseline: the same SMS, composed once, sent straight with our Aliyun client to the same fake; with
    `batch` as notify's settings have it (those asked for while a request is under way go in the next one), or 1
    (each in a request of its own)."""

    def __init__(self, fake: Fake, *, batch: int) -> None:
        self.fake, self.batch = fake, batch
        self.sms = compose_sms(THREE, signature="【兴安就业】", contact=CONTACT)

    async def burst(self, n: int) -> tuple[float, list[float]]:
        async with provider_client(timeout=10) as client:
            provider = self.fake.provider(client, batch=self.batch)
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
            provider = self.fake.provider(client, batch=self.batch)
            latencies: list[float] = []

            async def send(phone: str) -> None:
                began = perf_counter()
                await provider.send_sms(phone=phone, template_params=self.sms.params, text=self.sms.text,
                                        idempotency_key=uuid.uuid4().hex)
                latencies.append(perf_counter() - began)

            tasks = [asyncio.create_task(send(phone)) async for phone in paced(self._phones(rate * seconds), rate)]
            await asyncio.gather(*tasks)
            return latencies

    _first = 10_000_000  # the next number, across instances: every baseline SMS goes to a number of its own

    def _phones(self, n: int) -> list[str]:
        Direct._first += n
        return [f"138{Direct._first - n + i:08d}" for i in range(n)]


@asynccontextmanager
async def notify_path(pg_url: str, amqp_url: str, data_dir: Path, fake: Fake, directory: StaticContacts, *,
                      quiet: tuple[time, time] = (time(0, 0), time(0, 0)),
                      split: bool = False) -> AsyncIterator[NotifyPath]:
    """A notify process on the database and vhost (quiet hours none unless given: the benchmark runs at any hour);
    split: its consumer here, its relay and dispatcher in a process of their own, as deployed."""
    account = fake.account
    options: dict[str, Any] = dict(
        data_dir=str(data_dir), database_url=pg_url, bus="amqp", amqp_url=amqp_url, jwt_secret=SECRET,
        sms_providers="aliyun", wechat_provider="none", aliyun_endpoint=fake.url,
        aliyun_access_key_id=account.access_key_id, aliyun_access_key_secret=account.access_key_secret,
        aliyun_template_code=account.template_code, contacts_by_region={"152222": CONTACT},
        quiet_start=quiet[0].isoformat(), quiet_end=quiet[1].isoformat(), digest_minutes=0)
    settings = NotifySettings(**options)
    unit = build(settings, contacts=directory)
    runtime = Runtime(units=[unit], bus=make_bus(settings, name="bench notify"), settings=settings, relays=not split,
                      settle_heap=True)
    await runtime.start()
    try:
        # Matching's stand-in, in a process of its own; it also takes notify's own events (their consumers' queue).
        async with infra.child("bench.notify_matching", amqp_url) as process:
            matching = Matching(process, data_dir)
            dispatcher = unit.state["dispatcher"]
            assert isinstance(dispatcher, Dispatcher)
            if split:  # notify's relay process (bench/notify_relay.py: the outbox relay and the dispatcher)
                async with infra.child("bench.notify_relay", json.dumps(options, default=str)) as relay:
                    yield NotifyPath(matching, fake, directory, unit.database, dispatcher, relay_pid=relay.pid)
            else:
                yield NotifyPath(matching, fake, directory, unit.database, dispatcher)
    finally:
        await runtime.stop()


async def bare_bus(amqp_url: str, n: int) -> float:
    """The whole machine's CPU per set of carrying sets with bare aio-pika and nothing else: the sets' events
    published by a process of their own as matching's relay publishes them (PUBLISH_BATCH at a time, their confirms
    awaited together), into a quorum queue, taken here with the prefetch notify's consumer uses, those that arrive
    together acknowledged with one ack as notify's consumer acknowledges a batch (bench/bare_amqp.py)."""
    def bodies(count: int) -> dict[str, bytes]:
        return {uuid.uuid4().hex: issued(f"13900000000-{uuid.uuid4().hex[:24]}").to_json() for _ in range(count)}

    async with bare_amqp(amqp_url, prefetch=_DEFAULTS.amqp_batch_prefetch, batch=PUBLISH_BATCH,
                         ack_together=True) as bare, \
            infra.child("bench.bare_publisher", amqp_url, str(PUBLISH_BATCH)) as publisher:
        await bare.burst_apart(publisher, bodies(50))  # warm-up
        staged = bodies(n)
        await bare.stage(publisher, staged)
        before = cpu.sample()
        await bare.go(publisher, list(staged))
        return cpu.spent(before, cpu.sample(), {})[cpu.MACHINE] / n


async def quiet_hours(path: NotifyPath) -> tuple[int, int]:
    """Sets issued in quiet hours wait for the morning; so do messages that were due before they began (made due
    now by hand, and the dispatcher woken). Returns how many of each."""
    events = path.events(QUIET)
    await path.matching.burst(events.values())
    messages = await path.queued(events)
    if len(messages) != QUIET:
        raise RuntimeError(f"only {len(messages)} of {QUIET} sets issued in quiet hours became messages")
    due_before = [m.id for m in messages[:QUIET // 2]]
    async with path.database.transaction() as session:
        await session.execute(update(Message).where(Message.id.in_(due_before))
                              .values(next_attempt_at=datetime.now(timezone.utc)))
    path.dispatcher.wake()
    await asyncio.sleep(1.5)  # the dispatcher's pass, and its poll after it
    await path.fake.poll()
    if sent := [key for key in events if path.numbers[key] in path.fake.arrivals]:
        raise RuntimeError(f"{len(sent)} messages went to the provider in quiet hours")
    now = datetime.now(timezone.utc)
    waiting = [m for m in await path.queued(events) if m.status == MessageStatus.queued
               and m.next_attempt_at is not None and m.next_attempt_at > now + timedelta(minutes=30)]
    if len(waiting) != QUIET:
        raise RuntimeError(f"only {len(waiting)} of {QUIET} messages wait for the end of the quiet hours")
    return QUIET - len(due_before), len(due_before)


def number_limits(fake: Fake, shared: dict[str, list[str]]) -> str:
    """Each number several workers share got SMS, at most the daily limit and none within the minimum gap."""
    lines = []
    for phone, keys in shared.items():
        times = sorted(fake.arrivals.get(phone, ()))
        gaps = [b - a for a, b in zip(times, times[1:])]
        if not times or len(times) > _DEFAULTS.sms_daily_limit or any(gap < MIN_GAP.total_seconds() for gap in gaps):
            raise RuntimeError(f"a shared number got {len(times)} SMS, gaps {gaps}: its limits did not hold")
        lines.append(f"{len(keys)} sets → {len(times)} SMS")
    return "; ".join(lines)


def latencies(report: Report, name: str, measured: list[float], baseline: str, base: list[float]) -> None:
    report.figure(f"{name}: p50", median(measured) * 1000, "ms", baseline, median(base) * 1000)
    report.figure(f"{name}: p95", p95(measured) * 1000, "ms", baseline, p95(base) * 1000)


async def run(report: Report) -> None:
    infra.need_postgres()
    infra.need_rabbitmq()
    directory = StaticContacts()
    async with Fake() as fake:
        async with infra.postgres_database() as pg_url, infra.rabbitmq_vhost() as amqp_url:
            with tempfile.TemporaryDirectory(prefix="jobbridge-bench-") as tmp:
                async with notify_path(pg_url, amqp_url, Path(tmp), fake, directory) as path:
                    await path.burst(50)  # warm-up: connections, the first queries
                    rate, burst, burst_events = await path.burst(N)
                    one_cpu = path.cpu
                    await path.repeat(burst_events)
                    steady, achieved = await path.steady(RATE, SECONDS)
                    shared = dict(path.shared_numbers)
                # As deployed: the consumer (`jobbridge consume notify`) here, the relay and the dispatcher
                # (`jobbridge relay notify`) in a process of their own.
                async with notify_path(pg_url, amqp_url, Path(tmp), fake, directory, split=True) as path:
                    await path.burst(50)
                    split_rate, split_burst, split_events = await path.burst(N)
                    split_cpu = path.cpu
                    await path.repeat(split_events)
                    split_steady, split_achieved = await path.steady(RATE, SECONDS)
                    shared.update(path.shared_numbers)
                now = datetime.now(LOCAL_ZONE)
                quiet = ((now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time())
                async with notify_path(pg_url, amqp_url, Path(tmp), fake, directory, quiet=quiet) as path:
                    new_in_quiet, due_in_quiet = await quiet_hours(path)
            bare_bus_cpu = await bare_bus(amqp_url, N)
        direct = Direct(fake, batch=_DEFAULTS.aliyun_batch)
        await direct.burst(50)
        before = cpu.sample()
        base_rate, base_burst = await direct.burst(N)
        direct_cpu = cpu.spent(before, cpu.sample(), {})[cpu.MACHINE] / N
        base_steady = await direct.steady(RATE, SECONDS)
        alone = Direct(fake, batch=1)
        await alone.burst(50)
        before = cpu.sample()
        alone_rate, _ = await alone.burst(N)
        alone_cpu = cpu.spent(before, cpu.sample(), {})[cpu.MACHINE] / N
        await fake.poll()
        if twice := fake.twice(shared):
            raise RuntimeError(f"{len(twice)} numbers of a set of their own got two SMS at the fake provider")
        limits = number_limits(fake, shared)

    report.figure(f"burst of {N} issued sets: messages/s to the provider", rate, "/s",
                  "direct provider calls", base_rate)
    latencies(report, f"burst of {N}: issued → provider", burst, "direct provider call", base_burst)
    latencies(report, f"{RATE}/s for {SECONDS} s: issued → provider", steady, f"direct call, {RATE}/s",
              base_steady)
    report.figure(f"burst: CPU per set, {ONE_PROCESS}", one_cpu[ONE_PROCESS] * 1000, "ms")
    for part in (CONSUMER, RELAY, FAKE, MATCHING, *dict.fromkeys(cpu.SERVICES.values()), cpu.REST):
        report.figure(f"split: burst: CPU per set, {part}", split_cpu[part] * 1000, "ms")
    bare = bare_bus_cpu + direct_cpu
    report.figure(f"split: burst: CPU per set, {cpu.MACHINE}", split_cpu[cpu.MACHINE] * 1000, "ms", BARE, bare * 1000)
    report.figure(f"split: burst: CPU per set, {cpu.STEAL}", split_cpu[cpu.STEAL] * 1000, "ms")
    report.figure(f"{BARE}: CPU per set, bare aio-pika carrying it", bare_bus_cpu * 1000, "ms")
    report.figure(f"{BARE}: CPU per set, a direct provider call and the fake taking it", direct_cpu * 1000, "ms",
                  "each in a request of its own", alone_cpu * 1000)
    report.figure("direct provider calls, as notify sends them: messages/s", base_rate, "/s",
                  "each in a request of its own", alone_rate)
    cores = os.cpu_count() or 1
    report.figure(f"split: burst: what {cores} cores could do at that CPU per set", cores / split_cpu[cpu.MACHINE],
                  "/s", f"at the {BARE}' CPU", cores / bare)
    platform = split_cpu[cpu.MACHINE] - split_cpu[FAKE] - split_cpu[MATCHING]
    report.figure(f"split: burst: what {cores} cores could do without the fake's and matching's CPU", cores / platform,
                  "/s")
    report.figure(f"split: burst of {N}: messages/s to the provider", split_rate, "/s", "direct provider calls",
                  base_rate)
    latencies(report, f"split: burst of {N}: issued → provider", split_burst, "direct provider call", base_burst)
    latencies(report, f"split: {RATE}/s for {SECONDS} s: issued → provider", split_steady,
              f"direct call, {RATE}/s", base_steady)
    report.note(f"notify: matching's stand-in (bench/notify_matching.py, a process of its own, as the matching "
                f"service is) publishes matching.recommendations.issued as matching's relay does (publish_all, 200 "
                f"at a time, confirms awaited together; a quorum queue); the "
                f"consumer writes inbox rows and messages on PostgreSQL, a bus batch a transaction, and wakes the "
                f"dispatcher, which claims due messages (one UPDATE … FOR UPDATE SKIP LOCKED … RETURNING), looks the "
                f"worker up (an in-memory directory stands for workers), sends {CONCURRENCY} at a time and records "
                f"the outcomes that finish together in one transaction; the time is taken when the fake Aliyun takes "
                f"the message")
    report.note(f"the fake Aliyun is a process of its own (bench/notify_fake.py, uvicorn with httptools, checking "
                f"every signature); the {RATE}/s sets were published at {achieved:.0f}/s ({split_achieved:.0f}/s "
                f"split)")
    report.note("split: the consumer in the benchmark's process (as `jobbridge consume notify`), the outbox relay "
                "and the dispatcher in one of their own (bench/notify_relay.py, as `jobbridge relay notify`), woken "
                "by NOTIFY; the figures without 'split' are of one process running all three")
    report.note(f"split: burst: CPU per set of each part of the machine from /proc (bench/cpu.py): our processes, "
                f"PostgreSQL's and RabbitMQ's, everything else busy meanwhile (the kernel, processes that ended) and "
                f"the whole machine (busy: user, system, interrupts); {os.cpu_count()} cores divided by the whole "
                f"machine's CPU per set is the most this path could send a second here; without the fake's and the "
                f"stand-in's CPU, what it could send were the provider and matching elsewhere, as deployed. Steal is "
                f"time the hypervisor ran others while this machine wanted its cores: when it is high, the run "
                f"measured a smaller machine")
    report.note(f"{BARE}: what no notify can do without, each measured alone as the whole machine's CPU per set: "
                f"the set's event carried by bare aio-pika (bench/bare_amqp.py: published by a process of its own "
                f"{PUBLISH_BATCH} at a time with confirms, taken from a quorum queue and acknowledged together as they "
                f"arrive; no inbox, no database) and the direct provider calls (the baseline below) with the fake "
                f"taking them; {cores} cores divided by their sum is the most any notify could send a second on this machine, with the fake "
                f"and matching's stand-in on it")
    report.note(f"baseline: the same composed SMS sent with our AliyunSms client (ACS3 signing, provider_client) to "
                f"the same fake, {CONCURRENCY} at a time for the burst, with notify's default NOTIFY_ALIYUN_BATCH "
                f"({_DEFAULTS.aliyun_batch}): the SMS asked for while a request is under way go together in the "
                f"next (SendBatchSms), as notify's dispatcher sends them; 'each in a request of its own': batch 1, "
                f"SendSms only; latency = the call's own duration")
    report.note(f"counted at the fake: {fake.taken} messages, none twice; {REPEATS} events of the burst "
                f"published again and {REPEATS} of its sets issued again under new event ids sent nothing new; "
                f"workers sharing one number (default limits: {_DEFAULTS.sms_daily_limit} a day, "
                f"{MIN_GAP.total_seconds():.0f} s apart): {limits}; quiet hours: {new_in_quiet} sets issued and "
                f"{due_in_quiet} messages due sent nothing and wait for the morning")
