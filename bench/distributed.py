"""A batch run for the League's demonstration labourers across processes, undisturbed and with the matching
consumer killed in the middle, against the same run on the embedded platform in this process.

The distributed copy is the topology of `make up-local` (deploy/local/launch.py): 13 processes (four APIs, four
relays, three consumers, the proxy, the fake providers) on PostgreSQL databases and a RabbitMQ vhost of its own, with
the demonstration data of `make run` loaded through the services' outboxes. The baseline is that same data on the
embedded default (SQLite, the in-process bus, relays and consumers inside one uvicorn server in this process, the
`recording` providers), driven over HTTP the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from bench import infra
from bench.report import Report, progress
from shared.auth import mint_token
from tests import services
from tests.e2e.topology import LocalTopology

SECRET = f"bench-secret-{uuid.uuid4().hex}-long-enough"
LEAGUE = "1522"
PAGE = 500


@dataclass
class Batch:
    """What one run took (seconds from its start) and what was counted afterwards."""

    run: dict = field(default_factory=dict)
    done: float = 0.0
    sent: float = 0.0  # every set's message is out of the queue: sent (or not sendable: no channel, placed)
    delivered: float | None = None  # no message waits for a receipt any more; None where no receipts come
    checks: list[str] = field(default_factory=list)


class Driver:
    """Starts runs and follows them through the API, as staff and the League's admin would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.errors = 0  # 5xx answers while polling (asked again)
        self.admin = {"Authorization": f"Bearer {mint_token(key=SECRET, role='admin', sub='bench')}"}

    async def start(self) -> dict:
        answer = await self.client.post("/matching/runs", json={"region_code": LEAGUE}, headers=self.admin)
        answer.raise_for_status()
        return answer.json()

    async def get(self, path: str, **params: str | int) -> dict:
        """A GET as admin; an error answer is asked again a few times (and counted) before it fails the run."""
        for attempt in range(5):
            answer = await self.client.get(path, headers=self.admin, params=params)
            if answer.status_code < 500 or attempt == 4:
                answer.raise_for_status()
                return answer.json()
            self.errors += 1
            progress(f"distributed: {path} answered {answer.status_code}; asking again")
            await asyncio.sleep(0.5)
        raise AssertionError("unreachable")

    async def state(self, run_id: str) -> dict:
        return await self.get(f"/matching/runs/{run_id}")

    async def count(self, run_id: str, status: str | None = None) -> int:
        params: dict[str, str | int] = {"run_id": run_id, "page_size": 1}
        if status:
            params["status"] = status
        return (await self.get("/notify/messages", **params))["total"]

    async def follow(self, run: dict, *, receipts: bool, within: float = 900.0) -> Batch:
        """Poll until the run is done, until every set has its message out of the queue (sent, or settled
        otherwise), and with receipts until no message waits for one (delivered, failed or not sent)."""
        batch, started = Batch(run=run), perf_counter()
        deadline = started + within
        while True:
            state = await self.state(run["id"])
            if state["status"] == "done":
                batch.done = batch.done or perf_counter() - started
                sets = sum(state["messages"].values())
                if await self.count(run["id"]) == sets and not await self.count(run["id"], "queued"):
                    batch.sent = batch.sent or perf_counter() - started
                    if not receipts or not await self.count(run["id"], "sent"):
                        if receipts:
                            batch.delivered = perf_counter() - started
                        batch.run = state
                        return batch
            if perf_counter() > deadline:
                raise RuntimeError(f"run {run['id']} not settled within {within:g} s: {state}")
            await asyncio.sleep(0.25)

    async def messages(self, run_id: str) -> list[dict]:
        items, page = [], 1
        while True:
            body = await self.get("/notify/messages", run_id=run_id, page_size=PAGE, page=page)
            items += body["items"]
            if len(items) >= body["total"] or not body["items"]:
                return items
            page += 1

    async def check(self, batch: Batch, *, sent: Counter | None) -> None:
        """Counts that must add up: workers = covered + short; one message per set and worker; no number got the same
        SMS twice (a message sent with others in one request carries no key of ours: the number and text tell it)."""
        run = batch.run
        messages = await self.messages(run["id"])
        workers = {m["worker_id"] for m in messages}
        statuses = Counter(m["status"] for m in messages)
        problems = []
        if run["items_done"] != run["items_total"]:
            problems.append(f"items {run['items_done']}/{run['items_total']}")
        sets = sum(run["messages"].values())
        if not len(messages) == len(workers) == sets == run["workers"]:
            problems.append(f"{len(messages)} messages for {len(workers)} workers, {sets} sets, "
                            f"{run['workers']} workers in the run")
        if sent is not None:
            if twice := [pair for pair, times in sent.items() if times > 1]:
                problems.append(f"{len(twice)} SMS or WeChat messages reached a provider twice")
        if problems:
            raise RuntimeError(f"run {run['id']}: counts do not add up: {'; '.join(problems)}")
        batch.checks.append(f"{run['workers']} workers, {run['covered']} covered with 3+ offers, {run['shortfalls']} "
                            f"short; {len(messages)} messages, one per worker ({dict(statuses)})"
                            + ("; each reached a provider once" if sent is not None else ""))


# --- the distributed copy --------------------------------------------------------------------------------------
async def queues_idle(top: LocalTopology) -> bool:
    listing = await asyncio.to_thread(services.rabbitmqctl, "list_queues", "-p", top.name, "name", "messages")
    cells = [line.split("\t") for line in listing.splitlines() if "\t" in line]
    depths = [(name, int(depth)) for name, depth in cells if depth.isdigit()]  # not the header line
    return bool(depths) and all(depth == 0 for name, depth in depths if not name.endswith(".dlq"))


async def unacknowledged(top: LocalTopology, queue_part: str) -> int:
    listing = await asyncio.to_thread(services.rabbitmqctl, "list_queues", "-p", top.name, "name",
                                      "messages_unacknowledged")
    return sum(int(count) for name, count in (line.split("\t") for line in listing.splitlines() if "\t" in line)
               if queue_part in name and count.isdigit())


async def caught_up(top: LocalTopology, *, within: float = 600.0) -> float:
    """Seconds until matching's read models hold the demonstration data: queues drained, twice in a row."""
    started, quiet = perf_counter(), 0
    while quiet < 2:
        quiet = quiet + 1 if await queues_idle(top) else 0
        if perf_counter() - started > within:
            raise RuntimeError("the demonstration data did not reach matching in time")
        await asyncio.sleep(1.0)
    return perf_counter() - started


async def distributed(tmp: Path) -> tuple[float, float, Batch, Batch]:
    top = LocalTopology(tmp, secret=SECRET, prefix="jb_bench")
    top.env["LOG_LEVEL"] = "WARNING"
    started = perf_counter()
    await asyncio.to_thread(top.up, "--demo")
    up = perf_counter() - started
    try:
        async with httpx.AsyncClient(base_url=top.url, timeout=60) as client:
            driver = Driver(client)
            progress("distributed: topology up, waiting for the data to reach matching")
            caught = await caught_up(top)

            progress("distributed: undisturbed run")
            mark = sent_so_far(top)
            plain = await driver.follow(await driver.start(), receipts=True)
            await driver.check(plain, sent=sent_messages(top, since=mark))

            progress("distributed: run with the matching consumer killed mid-run")
            mark = sent_so_far(top)
            consumer = top.kill("matching-consumer", signal.SIGSTOP)  # holds the run's items unacknowledged
            run = await driver.start()
            killed_at = perf_counter()
            while not await unacknowledged(top, "matching-runs"):
                await asyncio.sleep(0.1)
            os.kill(consumer, signal.SIGKILL)
            state = await driver.state(run["id"])
            await asyncio.to_thread(top.restart, "matching-consumer")
            killed = await driver.follow(run, receipts=True)
            killed.checks.insert(0, f"killed with {state['items_done']}/{state['items_total']} items done, "
                                    f"{perf_counter() - killed_at:.0f} s before the run settled")
            await driver.check(killed, sent=sent_messages(top, since=mark))
            errors = {name: found for name, found in top.fakes()["errors"].items() if found}
            if errors:
                raise RuntimeError(f"the fake providers failed on their own: {errors}")
    except BaseException:
        kept = Path(tempfile.mkdtemp(prefix="jobbridge-bench-logs-"))
        shutil.copytree(top.state_dir / "logs", kept / "logs")
        progress(f"distributed: failed; the processes' logs are kept in {kept}")
        raise
    finally:
        await asyncio.to_thread(top.down)
    if driver.errors:
        plain.checks.append(f"{driver.errors} polls answered 5xx and were asked again")
    return up, caught, plain, killed


PROVIDERS = ("aliyun", "tencent", "wechat")


def sent_so_far(top: LocalTopology) -> dict[str, int]:
    sent = top.fakes()
    return {provider: len(sent[provider]) for provider in PROVIDERS}


def sent_messages(top: LocalTopology, *, since: dict[str, int]) -> Counter:
    """How often each (recipient, text) reached a provider since the mark (a run's sets: one SMS each)."""
    sent = top.fakes()
    return Counter((m["to"], m["text"]) for provider in PROVIDERS for m in sent[provider][since[provider]:])


# --- the embedded baseline -------------------------------------------------------------------------------------
@contextlib.contextmanager
def environment(values: dict[str, str | None]):
    """These variables set (None: unset) for the block, as they were after it."""
    saved = {key: os.environ.get(key) for key in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.asynccontextmanager
async def embedded_server(tmp: Path) -> AsyncIterator[tuple[str, FastAPI]]:
    """`make run`'s platform (every service in one uvicorn server, SQLite, the in-process bus) on a free port."""
    from jobbridge.platform import create_platform

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings: dict[str, str | None] = {
        "DATA_DIR": str(tmp), "JWT_SECRET": SECRET, "BUS": "memory", "RUN_WORKERS_IN_PROCESS": "true",
        "PORT": str(port), "NOTIFY_WORKERS_URL": f"http://127.0.0.1:{port}", "LOG_LEVEL": "WARNING",
        "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00", "NOTIFY_DIGEST_MINUTES": "0",
        "NOTIFY_SMS_MIN_INTERVAL_SECONDS": "0", "NOTIFY_SMS_PROVIDERS": "recording",
        "NOTIFY_WECHAT_PROVIDER": "recording"}
    settings |= {f"{name}_DATABASE_URL": None for name in ("JOBS", "WORKERS", "MATCHING", "NOTIFY")}  # SQLite
    with environment(settings):
        app = create_platform()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                               lifespan="on"))
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}", app
        finally:
            server.should_exit = True
            await task


async def outboxes_drained(app) -> bool:
    for unit in app.state.units.values():
        if unit.outbox is None:  # a unit that publishes nothing
            continue
        async with unit.database.sessions() as session:
            waiting = await session.scalar(select(func.count()).select_from(unit.outbox)
                                           .where(unit.outbox.c.published_at.is_(None)))
        if waiting:
            return False
    return True


async def embedded(tmp: Path) -> tuple[float, Batch]:
    from jobbridge.demo.loader import load

    async with embedded_server(tmp) as (url, app):
        started = perf_counter()
        await load(app.state.units)
        while not await outboxes_drained(app):
            await asyncio.sleep(0.5)
        caught = perf_counter() - started
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            driver = Driver(client)
            batch = await driver.follow(await driver.start(), receipts=False)
            await driver.check(batch, sent=None)
    return caught, batch


async def run(report: Report) -> None:
    infra.need_postgres()
    infra.need_rabbitmq()
    with tempfile.TemporaryDirectory(prefix="jobbridge-bench-") as tmp:
        progress("distributed: the embedded baseline first")
        base_caught, base = await embedded(Path(tmp) / "embedded")
        up, caught, plain, killed = await distributed(Path(tmp) / "local")
    workers = plain.run["workers"]
    report.figure("demonstration data loaded and in matching's read models", caught, "s",
                  "embedded platform", base_caught)
    report.figure(f"batch run of {workers} workers: run done", plain.done, "s", "embedded platform, one process",
                  base.done)
    report.figure(f"batch run of {workers}: every message out of the queue", plain.sent, "s",
                  "embedded platform, one process", base.sent)
    report.figure(f"batch run of {workers}: no message waiting for a receipt", plain.delivered or 0, "s",
                  "every message out of the queue", plain.sent)
    report.figure("matching consumer killed mid-run: run done", killed.done, "s", "undisturbed run", plain.done)
    report.figure("matching consumer killed mid-run: no message waiting for a receipt", killed.delivered or 0, "s",
                  "undisturbed run", plain.delivered or 0)
    report.note(f"the copy: deploy/local/launch.py up --fakes --demo: 13 processes on PostgreSQL and RabbitMQ, "
                f"up in {up:.0f} s; runs for the League ({LEAGUE}) started by an admin through the proxy; times "
                f"from POST /matching/runs, polled every 0.25 s")
    report.note("killed: the matching consumer is frozen (SIGSTOP) before the run so that it holds work items "
                "unacknowledged, then SIGKILLed and started again by the launcher")
    for name, batch in (("undisturbed", plain), ("killed", killed), ("embedded", base)):
        report.note(f"counts checked ({name}): " + "; ".join(batch.checks))
