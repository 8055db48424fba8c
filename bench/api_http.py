"""The jobs and workers APIs over real HTTP: each service served by `jobbridge serve` (uvicorn) in processes of its
own on loopback, on a PostgreSQL database made for the benchmark, and driven by a load client (bench/http_load.py)
in yet another process.

- writes: POST /jobs/postings and POST /workers/profiles over 8 connections, beside bare INSERTs of the same rows
  into the same database, 8 at a time (SQLAlchemy Core, one transaction each, from this process);
- reads: GET /jobs/postings/{id} and a filtered page of GET /jobs/postings over 16 connections, beside bare SELECTs
  of the same rows, 16 at a time, and beside the goal of 2,000 requests a second.

Each with 1 and 2 server processes. A figure is the median of ROUNDS rounds, the API's and its baseline's run in
turn; every answer must have the expected status, and the rows written are counted afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from time import perf_counter
from typing import Any, NamedTuple, cast

import httpx
from sqlalchemy import Table, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import infra, workers_data
from bench.cpu import group_cpu
from bench.jobs_api import vacancy
from bench.report import Report, Sample, median, pooled, progress, timed
from services.jobs.app import build as build_jobs
from services.jobs.db import outbox as jobs_outbox
from services.jobs.employers.models import Employer
from services.jobs.postings import rules
from services.jobs.postings.models import Posting
from services.jobs.postings.schemas import PostingIn
from services.jobs.postings.service import opened
from services.jobs.settings import JobsSettings
from services.workers.audit.models import PersonalDataRead
from services.workers.db import outbox as workers_outbox
from services.workers.profiles.models import WorkerProfile
from shared.auth import mint_token
from shared.clock import SystemClock, local_today
from shared.db import code_prefix, make_engine
from shared.pii import PiiKeys

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret-of-at-least-32-bytes"
PII_KEY, PII_HASH_KEY = "11" * 32, "22" * 32
STAFF_SUB = "station_staff:bench-1522"
POSTINGS = cast(Table, Posting.__table__)  # declarative models type __table__ as a FromClause
PROFILES = cast(Table, WorkerProfile.__table__)
READS_TABLE = cast(Table, PersonalDataRead.__table__)

ROUNDS = 3
PROCESSES = (1, 2)
WARMUP = 100  # requests of each kind before the first round, unmeasured
WRITES = 500  # requests a round
WRITE_CONNECTIONS = 8
READS = 2000
READ_CONNECTIONS = 16  # with the server's pool (20 a process) and the baseline's, within PostgreSQL's 100 connections
READ_GOAL = 2000.0  # requests a second
SEEDED = 5000  # postings in the reads' database
PAGE = "/jobs/postings?status=open&region=110106&page_size=20"
REGIONS = ("110101", "110102", "110105", "110106", "110108", "152201", "152221", "152222", "152223", "152224")
STARTUP_SECONDS = 60.0
CLIENT_SECONDS = 120.0  # a load client that has not finished by then is stopped and the benchmark fails


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _processes(n: int) -> str:
    return f"{n} server process{'es' if n > 1 else ''}"


class Served(NamedTuple):
    port: int
    pid: int  # of `jobbridge serve`: the server itself with one process, their supervisor with more
    log: Path  # its standard output and error: JSON log lines


def errors_logged(log: Path, last: int = 3) -> str:
    """The server's last logged errors, to say why it answered 500."""
    lines = [line for line in log.read_text(errors="replace").splitlines() if '"level": "ERROR"' in line]
    return "\n".join(line[-1500:] for line in lines[-last:]) or "(no error logged)"


@asynccontextmanager
async def serving(service: str, *, url: str, processes: int, folder: Path,
                  settings: Mapping[str, str] | None = None) -> AsyncIterator[Served]:
    """`jobbridge serve --service SERVICE --workers PROCESSES` on a free loopback port, as a deployment runs it
    (relays and consumers apart, so none runs here; request logs as JSON lines, to a file); `settings`: more
    environment variables."""
    port = _free_port()
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ) | {
        "DATA_DIR": str(folder), "JWT_SECRET": SECRET, "BUS": "memory", "RUN_WORKERS_IN_PROCESS": "false",
        f"{service.upper()}_DATABASE_URL": url, "PII_KEY": PII_KEY, "PII_HASH_KEY": PII_HASH_KEY,
        "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"} | dict(settings or {})
    env.pop("WEB_CONCURRENCY", None)
    log_path = folder / f"{service}-{processes}-{uuid.uuid4().hex[:6]}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jobbridge.cli", "serve", "--service", service, "--host", "127.0.0.1",
             "--port", str(port), "--no-demo", "--workers", str(processes)],
            cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        await _started(process, log_path, processes)
        yield Served(port, process.pid, log_path)
    finally:
        await _stop(process)


async def _started(process: subprocess.Popen, log_path: Path, processes: int) -> None:
    """Wait until each server process has said its application started."""
    deadline = perf_counter() + STARTUP_SECONDS
    while log_path.read_text(errors="replace").count("Application startup complete") < processes:
        if process.poll() is not None or perf_counter() > deadline:
            raise RuntimeError(f"the server did not start (exit code {process.poll()}):\n"
                               f"{log_path.read_text(errors='replace')[-3000:]}")
        await asyncio.sleep(0.1)


async def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (it was started in a session of its own), SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 30.0), (signal.SIGKILL, 10.0)):
        if process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        deadline = perf_counter() + wait
        while process.poll() is None and perf_counter() < deadline:
            await asyncio.sleep(0.1)


async def load(port: int, requests: list[tuple[str, str, Any]], *, connections: int, expect: int,
               headers: dict[str, str], folder: Path, log: Path | None = None) -> tuple[Sample, float]:
    """Send the requests from a load client in a process of its own; the sample and the client's CPU seconds per
    request. `log`: the server's, whose errors are quoted when an answer is not the one expected."""
    spec, out = (folder / f"load-{uuid.uuid4().hex[:8]}.{kind}.json" for kind in ("spec", "out"))
    spec.write_text(json.dumps({"port": port, "connections": connections, "deadline": CLIENT_SECONDS,
                                "expect": expect, "headers": headers, "requests": requests}, ensure_ascii=False))
    client = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.http_load", str(spec), str(out),
                                                  cwd=ROOT, stdout=asyncio.subprocess.DEVNULL,
                                                  stderr=asyncio.subprocess.PIPE)
    try:
        _, err = await asyncio.wait_for(client.communicate(), CLIENT_SECONDS + 30)
        if client.returncode != 0:
            raise RuntimeError(f"the load client failed ({client.returncode}):\n"
                               f"{err.decode(errors='replace')[-3000:]}")
        result = json.loads(out.read_text())
    except TimeoutError:
        client.kill()
        await client.wait()
        raise RuntimeError(f"the load client did not finish within {CLIENT_SECONDS + 30:.0f} s") from None
    finally:
        spec.unlink(missing_ok=True)
        out.unlink(missing_ok=True)
    if result["unexpected"]:
        raise RuntimeError(f"answers other than {expect}: {result['unexpected']}; the server logged:\n"
                           f"{errors_logged(log) if log else '(its log was not given)'}")
    return Sample(result["latencies"], result["elapsed"]), result["cpu"] / len(requests)


def bearer(**claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(key=SECRET, **claims)}"}


async def count(engine: AsyncEngine, table: Table) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(table)) or 0


async def baseline(engine: AsyncEngine, n: int, concurrency: int, op: Callable[[], Awaitable[object]]) -> Sample:
    """A baseline round: `concurrency` connections opened first (outside the figure), `op` n times, the connections
    closed after it, so that the server, and whatever else shares PostgreSQL, has the server's connections."""

    async def hold() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            await asyncio.sleep(0.05)  # held together: the pool opens one connection each

    await asyncio.gather(*(hold() for _ in range(concurrency)))
    try:
        return await timed(n, concurrency, op)
    finally:
        await engine.dispose()


class Rounds:
    """The API's rounds and its baseline's, taken in turn; the load client's CPU per request, and the server's (all
    its processes), which moves less with the machine's load than the rate does."""

    def __init__(self, server: Served) -> None:
        self.server = server
        self.api: list[Sample] = []
        self.base: list[Sample] = []
        self.client_cpu: list[float] = []
        self.server_cpu: list[float] = []

    async def take(self, api: Callable[[], Awaitable[tuple[Sample, float]]],
                   base: Callable[[], Awaitable[Sample]]) -> None:
        for _ in range(ROUNDS):
            before = group_cpu(self.server.pid)
            sample, cpu = await api()
            self.server_cpu.append((group_cpu(self.server.pid) - before) / len(sample.latencies))
            self.api.append(sample)
            self.client_cpu.append(cpu)
            self.base.append(await base())

    def rates(self) -> str:
        return ", ".join(f"{s.rate:,.0f}" for s in self.api) + " /s (baseline " + \
            ", ".join(f"{s.rate:,.0f}" for s in self.base) + " /s)"

    def report(self, report: Report, name: str) -> None:
        """The server's CPU per request as a figure, and the rounds and the client's CPU as a note."""
        report.figure(f"{name}: server CPU per request", 1e6 * median(self.server_cpu), "µs")
        report.note(f"{name}: rounds {self.rates()}; server CPU " +
                    ", ".join(f"{1e6 * cpu:,.0f}" for cpu in self.server_cpu) +
                    f" µs a request; load client CPU {1e6 * median(self.client_cpu):.0f} µs a request")


# --- writes ------------------------------------------------------------------------------------------------------


async def jobs_writes(report: Report, folder: Path) -> None:
    async with infra.postgres_database() as url:
        engine = make_engine(url, pool_size=WRITE_CONNECTIONS)
        try:
            runs = {}
            for processes in PROCESSES:
                async with serving("jobs", url=url, processes=processes, folder=folder / "jobs") as server:
                    runs[processes] = await _post_vacancies(server, engine, folder)
            posted = WARMUP * len(PROCESSES) + sum(len(r.api) * WRITES for r in runs.values())
            stored, events = await count(engine, POSTINGS), await count(engine, jobs_outbox)
        finally:
            await engine.dispose()
    if events != posted or stored != posted + sum(len(r.base) * WRITES for r in runs.values()):
        raise RuntimeError(f"{posted} postings posted: {events} outbox rows, {stored} postings stored in all")
    for processes, run in runs.items():
        name = f"POST /jobs/postings, {_processes(processes)}, {WRITE_CONNECTIONS} connections"
        report.compare(name, pooled(run.api), f"bare INSERT, {WRITE_CONNECTIONS} at once", pooled(run.base))
        run.report(report, name)
    report.note(f"jobs writes: {posted} postings posted, one outbox row each (counted)")


async def _post_vacancies(server: Served, engine: AsyncEngine, folder: Path) -> Rounds:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
        created = await client.post("/jobs/employers", headers=bearer(role="admin"),
                                    json={"name": f"北京安居家政服务有限公司{uuid.uuid4().hex[:4]}",
                                          "region_code": "110106"})
        created.raise_for_status()
    headers = bearer(role="employer", employer_id=created.json()["id"])
    body = vacancy()

    async def api(n: int = WRITES) -> tuple[Sample, float]:
        return await load(server.port, [("POST", "/jobs/postings", body)] * n, connections=WRITE_CONNECTIONS,
                          expect=201, headers=headers, folder=folder, log=server.log)

    await api(WARMUP)
    async with engine.connect() as connection:
        row = dict((await connection.execute(select(POSTINGS).limit(1))).mappings().one())

    async def insert() -> None:
        async with engine.begin() as connection:
            await connection.execute(POSTINGS.insert(), row | {"id": str(uuid.uuid4())})

    run = Rounds(server)
    await run.take(api, lambda: baseline(engine, WRITES, WRITE_CONNECTIONS, insert))
    return run


async def workers_writes(report: Report, folder: Path) -> None:
    async with infra.postgres_database() as url:
        engine = make_engine(url, pool_size=WRITE_CONNECTIONS)
        indices = iter(range(workers_data.MAX_WORKERS))
        try:
            runs = {}
            for processes in PROCESSES:
                async with serving("workers", url=url, processes=processes, folder=folder / "workers") as server:
                    runs[processes] = await _register_workers(server, engine, indices, folder)
            registered = WARMUP * len(PROCESSES) + sum(len(r.api) * WRITES for r in runs.values())
            stored, events = await count(engine, PROFILES), await count(engine, workers_outbox)
            audited = await count(engine, READS_TABLE)
        finally:
            await engine.dispose()
    if events != registered or audited != registered or \
            stored != registered + sum(len(r.base) * WRITES for r in runs.values()):
        raise RuntimeError(f"{registered} registered: {events} outbox rows, {audited} audit rows, {stored} stored")
    for processes, run in runs.items():
        name = f"POST /workers/profiles, {_processes(processes)}, {WRITE_CONNECTIONS} connections"
        report.compare(name, pooled(run.api), f"bare INSERT, {WRITE_CONNECTIONS} at once", pooled(run.base))
        run.report(report, name)
    report.note(f"workers writes: {registered} labourers registered, one outbox row and one audit row each "
                f"(counted); bare INSERTs of rows sealed beforehand, with no outbox or audit row")


async def _register_workers(server: Served, engine: AsyncEngine, indices, folder: Path) -> Rounds:
    headers = bearer(role="station_staff", region=workers_data.STAFF_REGION, sub=STAFF_SUB)
    keys = PiiKeys.from_settings(current_key_hex=PII_KEY, hash_key_hex=PII_HASH_KEY)

    async def api(n: int = WRITES) -> tuple[Sample, float]:
        bodies = [("POST", "/workers/profiles", workers_data.worker(next(indices))) for _ in range(n)]
        return await load(server.port, bodies, connections=WRITE_CONNECTIONS, expect=201, headers=headers,
                          folder=folder, log=server.log)

    async def bare() -> Sample:
        now = SystemClock().now()
        rows = iter([workers_data.sealed_row(next(indices), keys=keys, registered_by=STAFF_SUB, now=now)
                     for _ in range(WRITES)])

        async def insert() -> None:
            async with engine.begin() as connection:
                await connection.execute(PROFILES.insert(), next(rows))

        return await baseline(engine, WRITES, WRITE_CONNECTIONS, insert)

    await api(WARMUP)
    run = Rounds(server)
    await run.take(api, bare)
    return run


# --- reads -------------------------------------------------------------------------------------------------------


async def seed_postings(url: str, folder: Path) -> list[str]:
    """The jobs schema and SEEDED open postings of one employer spread over REGIONS; their ids."""
    unit = build_jobs(JobsSettings(data_dir=folder, database_url=url, jwt_secret=SECRET, bus="memory"))
    await unit.migrate()
    clock = SystemClock()
    now, today = clock.now(), local_today(clock)
    employer_id = str(uuid.uuid4())
    employer = {"id": employer_id, "name": "北京安居家政服务有限公司", "region_code": "110106", "office_id": None,
                "created_at": now}
    rows = []
    for i in range(SEEDED):
        fields = PostingIn.model_validate(vacancy() | {"region_code": REGIONS[i % len(REGIONS)]}).model_dump()
        if errors := rules.check(fields, today=today, new=True):
            raise RuntimeError(f"a seeded posting breaks the rules: {errors}")
        rows.append(opened(rules.complete(fields), employer_id=employer_id, now=now + timedelta(seconds=i),
                           today=today))
    try:
        async with unit.database.transaction() as session:
            await session.execute(cast(Table, Employer.__table__).insert(), [employer])
            await session.execute(POSTINGS.insert(), rows)
    finally:
        await unit.close()
    return [row["id"] for row in rows]


async def jobs_reads(report: Report, folder: Path) -> None:
    async with infra.postgres_database() as url:
        ids = await seed_postings(url, folder / "seed")
        engine = make_engine(url, pool_size=READ_CONNECTIONS).execution_options(isolation_level="AUTOCOMMIT")
        try:
            runs = {}
            for processes in PROCESSES:
                async with serving("jobs", url=url, processes=processes, folder=folder / "reads") as server:
                    by_id, kept = await _read_postings(server, engine, ids, folder)
                async with serving("jobs", url=url, processes=processes, folder=folder / "reads",
                                   settings={"JOBS_PAGES_KEPT": "0"}) as server:
                    runs[processes] = (by_id, kept, await _read_pages(server, engine, folder))
        finally:
            await engine.dispose()
    for processes, (by_id, kept, read) in runs.items():
        for what, run, base in (("GET /jobs/postings/{id}", by_id, "bare SELECT by id"),
                                ("GET /jobs/postings, filtered page of 20, kept in memory", kept,
                                 "bare SELECT of the page's rows"),
                                ("GET /jobs/postings, filtered page of 20, read each time", read,
                                 "bare SELECT of the page's rows")):
            name = f"{what}, {_processes(processes)}, {READ_CONNECTIONS} connections"
            api = pooled(run.api)
            report.compare(name, api, f"{base}, {READ_CONNECTIONS} at once", pooled(run.base))
            report.figure(f"{name}: per second against the goal", api.rate, "/s", "goal", READ_GOAL)
            run.report(report, name)
    report.note(f"reads: {SEEDED:,} open postings over {len(REGIONS)} districts and counties; the page is "
                f"{PAGE} ({SEEDED // len(REGIONS)} match, total counted); station staff token; bare SELECTs "
                f"in autocommit (no BEGIN/COMMIT), the page's without its count")
    report.note("the page kept in memory: the same page asked every time, so every answer but the first comes from "
                "the process's kept pages (services/jobs/postings/pages.py; no posting changes meanwhile); read each "
                "time: a server with JOBS_PAGES_KEPT=0, so every answer is read from PostgreSQL")


async def _read_postings(server: Served, engine: AsyncEngine, ids: list[str],
                         folder: Path) -> tuple[Rounds, Rounds]:
    """Reads by id, then the page; their rounds each beside their baseline's."""
    headers = bearer(role="station_staff", region=workers_data.STAFF_REGION, sub=STAFF_SUB)
    shuffled = random.Random(7).sample(ids, len(ids))

    def by_id(n: int) -> list[tuple[str, str, Any]]:
        return [("GET", f"/jobs/postings/{shuffled[i % len(shuffled)]}", None) for i in range(n)]

    async def api_by_id(n: int = READS) -> tuple[Sample, float]:
        return await load(server.port, by_id(n), connections=READ_CONNECTIONS, expect=200, headers=headers,
                          folder=folder, log=server.log)

    one = select(POSTINGS).where(POSTINGS.c.id == bindparam("id"))
    next_id = iter(shuffled * (READS * ROUNDS // len(shuffled) + 1)).__next__

    async def select_one() -> None:
        async with engine.connect() as connection:
            (await connection.execute(one, {"id": next_id()})).one()

    await api_by_id(WARMUP)
    first = Rounds(server)
    await first.take(api_by_id, lambda: baseline(engine, READS, READ_CONNECTIONS, select_one))
    return first, await _read_pages(server, engine, folder)


async def _read_pages(server: Served, engine: AsyncEngine, folder: Path) -> Rounds:
    headers = bearer(role="station_staff", region=workers_data.STAFF_REGION, sub=STAFF_SUB)

    async def api_page(n: int = READS) -> tuple[Sample, float]:
        return await load(server.port, [("GET", PAGE, None)] * n, connections=READ_CONNECTIONS, expect=200,
                          headers=headers, folder=folder, log=server.log)

    rows = (select(POSTINGS).where(POSTINGS.c.status == "open", code_prefix(POSTINGS.c.region_code, "110106"))
            .order_by(POSTINGS.c.created_at.desc(), POSTINGS.c.id).limit(20))

    async def select_page() -> None:
        async with engine.connect() as connection:
            if len((await connection.execute(rows)).all()) != 20:
                raise RuntimeError("the page's SELECT found fewer than 20 rows")

    await api_page(WARMUP)
    pages = Rounds(server)
    await pages.take(api_page, lambda: baseline(engine, READS, READ_CONNECTIONS, select_page))
    return pages


async def run(report: Report) -> None:
    infra.need_postgres()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="jobbridge-bench-http-") as tmp:
        folder = Path(tmp)
        for part in (jobs_writes, workers_writes, jobs_reads):
            progress(f"api_http: {part.__name__}")
            await part(report, folder)
    report.note(f"each server: `jobbridge serve --service NAME --workers N` (uvicorn, uvloop and httptools) on "
                f"127.0.0.1, BUS=memory, RUN_WORKERS_IN_PROCESS=false, request log at INFO to a file; its own fresh "
                f"PostgreSQL database; the load client (bench/http_load.py: raw HTTP/1.1 keep-alive on uvloop) in a "
                f"process of its own; figures: median of {ROUNDS} rounds ({WRITES} writes or {READS} reads each, "
                f"after {WARMUP} unmeasured), latencies over all rounds")
    report.note(f"load average {load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on "
                f"{os.cpu_count()} cores shared by server, client, PostgreSQL and this process")
