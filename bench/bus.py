"""Events per second and due-to-handled latency through the jobs outbox on PostgreSQL, the relay, RabbitMQ and a
consumer's inbox transaction on PostgreSQL, against bare aio-pika with confirms and manual acks (bench/bare_amqp.py)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from time import perf_counter, process_time

from sqlalchemy.ext.asyncio import AsyncSession

from bench import infra
from bench.bare_amqp import bare_amqp
from bench.infra import Child, child, seconds
from bench.jobs_api import SECRET, vacancy
from bench.report import Arrivals, Report, median, p95, paced
from services.jobs.app import build
from services.jobs.db import inbox, outbox
from services.jobs.settings import JobsSettings
from shared import heap
from shared.db import Database
from shared.events.envelope import Envelope
from shared.events.inbox import Consumer
from shared.events.outbox import OutboxRelay, add_event
from shared.runtime import ServiceUnit, make_bus

N = 5000
WARM_UP = 500  # a burst through a helper process before it is measured
APART_ROUNDS = 3  # bursts apart, ours and bare in turn
TX_SIZE = 100
# 50/s with writer, relay and consumer in this one process (a writer transaction per event costs this process as
# much as relaying and handling it); 500/s with the writer in a process of its own, as an API process would be.
RATE = 50
FAST_RATE = 500
SECONDS = 10
EVENT = "jobs.posting.opened"
DATA = vacancy() | {"id": str(uuid.uuid4()), "employer_id": str(uuid.uuid4()), "employer_name": "北京安居家政服务有限公司",
                    "status": "open", "placed": 0, "version": 1}


async def handled(_: AsyncSession, __: Envelope) -> None:
    """The consumer's own work is left out: what is measured is the delivery and the inbox transaction."""


@asynccontextmanager
async def relaying(relay: OutboxRelay) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        if relay.listen:  # measure from the moment its NOTIFY listener is connected, as in a running process
            deadline = perf_counter() + 10
            while relay.listener is None or relay.listener.backend_pid is None:
                if perf_counter() > deadline:
                    raise RuntimeError("the relay's NOTIFY listener did not connect within 10 s")
                await asyncio.sleep(0.01)
        yield
    finally:
        stop.set()
        await task


class OutboxPath:
    """The jobs outbox, a relay publishing it over one RabbitBus, a Consumer with its inbox behind another."""

    def __init__(self, unit: ServiceUnit, settings: JobsSettings) -> None:
        self.unit, self.settings = unit, settings
        self.bus = make_bus(settings)
        self.arrivals = Arrivals()

    def relay(self, database: Database, *, listen: bool = True) -> OutboxRelay:
        return OutboxRelay(database=database, outbox=outbox, bus=self.bus, service="jobs", clock=self.unit.clock,
                           batch=self.settings.relay_batch, poll_seconds=self.settings.relay_poll_seconds,
                           listen=listen)

    async def write(self, session: AsyncSession) -> str:
        envelope = await add_event(session, outbox, clock=self.unit.clock, producer="jobs", type=EVENT,
                                   subject=str(uuid.uuid4()), version=1, data=DATA)
        return str(envelope.id)

    async def fill(self, n: int) -> list[str]:
        """Write n events into the outbox, TX_SIZE a transaction; their ids."""
        ids = []
        for _ in range(0, n, TX_SIZE):
            async with self.unit.database.transaction() as session:
                ids += [await self.write(session) for _ in range(TX_SIZE)]
        return ids

    async def burst(self) -> tuple[float, float]:
        """Events a second from relay start to the last inbox commit, N events waiting in the outbox; and the CPU
        per event of this process (relay and consumer)."""
        ids = await self.fill(N)
        cpu, started = process_time(), perf_counter()
        async with relaying(self.relay(self.unit.database)):
            arrived = await self.arrivals.wait_for(ids)
        return N / (max(arrived) - started), (process_time() - cpu) / N

    async def burst_apart(self, relay: Child, n: int = N) -> tuple[float, float, float]:
        """As `burst`, with the relay in a process of its own (bench/bus_relay.py) and the consumer in this one;
        the CPU per event of each."""
        ids = await self.fill(n)
        cpu, started = process_time(), perf_counter()
        if (answer := await relay.say("go")) != "relaying":
            raise RuntimeError(f"bench.bus_relay answered {answer!r}")
        arrived = await self.arrivals.wait_for(ids)
        rate, consumer = n / (max(arrived) - started), (process_time() - cpu) / n
        return rate, consumer, seconds(await relay.say("stop")) / n

    async def write_one(self, due: dict[str, float]) -> None:
        async with self.unit.database.transaction() as session:
            at = perf_counter()  # add_event stamps next_attempt_at with the clock's now at this point
            due[await self.write(session)] = at

    async def steady(self, relay_database: Database, *, listen: bool = True) -> tuple[list[float], float]:
        """Seconds from due (the row's next_attempt_at) to inbox commit of events written one a transaction at
        RATE a second, each write started on time like an independent request; and the rate achieved."""
        due: dict[str, float] = {}
        async with relaying(self.relay(relay_database, listen=listen)):
            started = perf_counter()
            writes = [asyncio.create_task(self.write_one(due)) async for _ in paced(range(RATE * SECONDS), RATE)]
            await asyncio.gather(*writes)
            achieved = len(due) / (perf_counter() - started)
            arrived = await self.arrivals.wait_for(due)
        return [at - became_due for at, became_due in zip(arrived, due.values())], achieved

    async def steady_apart(self, relay_database: Database, rate: float) -> tuple[list[float], float]:
        """Seconds from commit to inbox commit of events written one a transaction at `rate` a second by a writer
        in a process of its own (bench/bus_writer.py), the relay woken by its NOTIFY; and the rate it achieved."""
        async with relaying(self.relay(relay_database)):
            writer = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.bus_writer", self.settings.db_url(), str(rate), str(SECONDS),
                stdout=asyncio.subprocess.PIPE)
            out, _ = await writer.communicate()
            if writer.returncode != 0:
                raise RuntimeError(f"bench.bus_writer exited with {writer.returncode}")
            first, *lines = out.decode().splitlines()
            committed = {event_id: float(at) for event_id, at in (line.split() for line in lines)}
            arrived = await self.arrivals.wait_for(committed)
        return [at - done for at, done in zip(arrived, committed.values())], float(first.split()[1])


@asynccontextmanager
async def outbox_path(pg_url: str, amqp_url: str, data_dir: Path) -> AsyncIterator[OutboxPath]:
    settings = JobsSettings(data_dir=data_dir, database_url=pg_url, bus="amqp", amqp_url=amqp_url, jwt_secret=SECRET)
    unit = build(settings)
    await unit.migrate()
    path = OutboxPath(unit, settings)
    # The consumer stands for another process: its own connection to RabbitMQ and its own connection pool.
    consumer_bus, consumer_db = make_bus(settings), Database(pg_url)
    consumer = Consumer(name="bench", database=consumer_db, inbox=inbox, handlers={EVENT: [handled]})

    async def handle(envelope: Envelope) -> None:
        await consumer.handle(envelope)  # returns once the inbox row is committed
        path.arrivals.record(str(envelope.id))

    async def handle_batch(envelopes: Sequence[Envelope]) -> None:
        await consumer.handle_batch(envelopes)  # returns once the inbox rows are committed
        for envelope in envelopes:
            path.arrivals.record(str(envelope.id))

    try:
        await path.bus.start()
        await consumer_bus.start()
        await consumer_bus.subscribe(consumer.name, consumer.bindings, handle, batch_handler=handle_batch)
        heap.settle()  # as a process of the platform once started (shared.heap)
        yield path
    finally:
        await consumer_bus.close()
        await path.bus.close()
        await consumer_db.dispose()
        await unit.database.dispose()


def bodies(n: int) -> dict[str, bytes]:
    """Envelopes as the relay publishes them, by id."""
    now = datetime.now(timezone.utc)
    envelopes = [Envelope(type=EVENT, occurred_at=now, producer="jobs", subject=str(uuid.uuid4()), version=1,
                          data=DATA) for _ in range(n)]
    return {str(e.id): e.to_json() for e in envelopes}


def latencies(report: Report, name: str, measured: list[float], baseline: str, base: list[float]) -> None:
    report.figure(f"{name}: p50", median(measured) * 1000, "ms", baseline, median(base) * 1000)
    report.figure(f"{name}: p95", p95(measured) * 1000, "ms", baseline, p95(base) * 1000)


async def run(report: Report) -> None:
    infra.need_postgres()
    infra.need_rabbitmq()
    async with infra.postgres_database() as pg_url, infra.rabbitmq_vhost() as amqp_url:
        with tempfile.TemporaryDirectory(prefix="jobbridge-bench-") as tmp:
            async with outbox_path(pg_url, amqp_url, Path(tmp)) as path, \
                    bare_amqp(amqp_url, prefetch=path.settings.amqp_batch_prefetch, batch=path.settings.relay_batch) as bare:
                # Each figure right before its baseline: the load of a shared machine moves within a minute.
                burst, burst_cpu = await path.burst()
                bare_burst, bare_cpu = await bare.burst(bodies(N))
                # As deployed: the relay (`jobbridge relay jobs`) apart from the consumer; bare aio-pika likewise.
                async with child("bench.bus_relay", pg_url, amqp_url) as relay, \
                        child("bench.bare_publisher", amqp_url, str(path.settings.relay_batch)) as publisher:
                    await path.burst_apart(relay, WARM_UP)  # the process's first statements and connections
                    await bare.burst_apart(publisher, bodies(WARM_UP))
                    # Rounds in turn, ours then bare: one burst lasts a second or two, the machine's speed moves
                    # within a minute, and the figures are the rounds' medians.
                    rounds = [(await path.burst_apart(relay), await bare.burst_apart(publisher, bodies(N)))
                              for _ in range(APART_ROUNDS)]
                woken, woken_rate = await path.steady(path.unit.database)
                # The relay's own pool, as in `jobbridge relay`: no commit of the writer wakes it in-process.
                apart = Database(pg_url)
                try:
                    polled, polled_rate = await path.steady(apart, listen=False)
                    bare_steady = await bare.steady(bodies(RATE * SECONDS), RATE)
                    notified, notified_rate = await path.steady_apart(apart, FAST_RATE)
                    bare_fast = await bare.steady(bodies(FAST_RATE * SECONDS), FAST_RATE)
                finally:
                    await apart.dispose()
                settings = path.settings

    report.figure(f"burst of {N} in the outbox: events/s to inbox commit", burst, "/s", "bare aio-pika", bare_burst)
    report.figure("burst: CPU per event, relay and consumer in one process", burst_cpu * 1e6, "µs",
                  "bare aio-pika, publisher and consumer in one process", bare_cpu * 1e6)
    ours, theirs = [mine for mine, _ in rounds], [bare for _, bare in rounds]

    def middle(runs: list[tuple[float, float, float]], index: int, scale: float = 1.0) -> float:
        return median([run[index] for run in runs]) * scale

    report.figure(f"burst of {N}, relay and consumer apart: events/s to inbox commit (median of {APART_ROUNDS})",
                  middle(ours, 0), "/s", "bare aio-pika, publisher and consumer apart", middle(theirs, 0))
    report.figure("apart: CPU per event, the relay's process", middle(ours, 2, 1e6), "µs", "bare aio-pika's publisher",
                  middle(theirs, 2, 1e6))
    report.figure("apart: CPU per event, the consumer's process", middle(ours, 1, 1e6), "µs",
                  "bare aio-pika's consumer", middle(theirs, 1, 1e6))
    report.note("apart, each round ours / bare aio-pika: " + "; ".join(
        f"{o[0]:,.0f} / {b[0]:,.0f} /s ({o[0] / b[0]:.2f}×), relay {o[2] * 1e6:.0f} / {b[2] * 1e6:.0f} µs, "
        f"consumer {o[1] * 1e6:.0f} / {b[1] * 1e6:.0f} µs" for o, b in rounds) +
        f"; the rounds' ratios, each ours over the bare burst right after it: median "
        f"{median([o[0] / b[0] for o, b in rounds]):.2f}× (the figure above is the ratio of the two medians)")
    latencies(report, f"{RATE}/s, relay woken by commits", woken, f"bare aio-pika, {RATE}/s", bare_steady)
    latencies(report, f"{RATE}/s, relay apart, polling every {settings.relay_poll_seconds:g} s", polled,
              f"bare aio-pika, {RATE}/s", bare_steady)
    latencies(report, f"{FAST_RATE}/s, writer and relay apart, woken by NOTIFY", notified,
              f"bare aio-pika, {FAST_RATE}/s", bare_fast)
    size = len(next(iter(bodies(1).values())))
    report.note(f"events of {size} bytes; burst written {TX_SIZE} a transaction "
                f"before the relay starts; relay batch {settings.relay_batch}, prefetch {settings.amqp_batch_prefetch} (ours and bare)")
    report.note(f"steady runs last {SECONDS} s, one event a transaction (writer achieved {woken_rate:.0f}/s, "
                f"{polled_rate:.0f}/s and {notified_rate:.0f}/s); latency at {RATE}/s = inbox commit − the row's "
                f"next_attempt_at, at {FAST_RATE}/s = inbox commit − the writer's commit")
    report.note("'relay woken by commits': the relay shares the writer's Database, as in-process relays do; "
                "'relay apart': it has its own, as `jobbridge relay` in its own process, and is woken by the "
                "writer's NOTIFY or, with its listener off (as before NOTIFY), only by its poll; 'writer apart': "
                "the writer is a process of its own (bench/bus_writer.py), as an API process is")
    report.note("bare aio-pika: persistent messages, publisher confirms, a quorum queue, manual acks; "
                "latency = consumed − publish called")
    report.note("relay and consumer share this one Python process (and the writer, but at "
                f"{FAST_RATE}/s), except in the 'apart' burst; one PostgreSQL database holds the outbox and the "
                "consumer's inbox")
    report.note("'apart', as deployed: the relay in a process of its own (bench/bus_relay.py, as `jobbridge relay "
                "jobs`), the consumer in this one; the baseline's publisher likewise (bench/bare_publisher.py); each "
                f"process warmed up with a burst of {WARM_UP} first")
