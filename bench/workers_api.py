"""The workers service: profiles registered per second through the API on PostgreSQL against bare INSERTs of the
same rows, the cost of sealing one profile's numbers, and a 10,000-row ledger imported (time and peak memory) on
PostgreSQL and SQLite against parsing the same workbook alone.

`python -m bench workers_api` runs it once the runner lists it; `python -m bench.workers_api` runs it on its own.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import traceback
import tracemalloc
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from time import perf_counter
from typing import Any, cast

import httpx
from fastapi import FastAPI
from sqlalchemy import Table, func, select

from bench import infra, workers_data
from bench.report import Report, Sample, Skipped, median, progress, table, timed
from services.workers.app import create_app
from services.workers.db import outbox
from services.workers.ledger.columns import WORKER_COLUMNS
from services.workers.profiles.idcard import parse_id_number, working_age_error
from services.workers.profiles.models import WorkerProfile
from services.workers.profiles.schemas import ProfileIn
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.clock import SystemClock
from shared.pii import PiiKeys, blind_index, last4, seal
from shared.uploads import read_table

N = 1000
CONCURRENCY = 8
WARMUP = 50
MICRO_REPEATS = 5000
LEDGER_ROWS = 10_000
SQLITE_FALLBACK_ROWS = 2_000
SQLITE_DEADLINE = 120.0  # seconds for the 10,000-row upload on SQLite before it is measured with fewer rows
CHILD_TIMEOUT = 1800.0  # a child that has not answered by then is stopped and the part fails
SECRET = "bench-signing-secret-of-at-least-32-bytes"
STAFF_SUB = "station_staff:bench-1522"
PROFILES = cast(Table, WorkerProfile.__table__)  # declarative models type __table__ as a FromClause
UPLOAD_LIMIT = 10 * 1024 * 1024  # WORKERS_UPLOAD_MAX_BYTES' default; 10,000 rows make about 0.75 MB

# Disjoint ranges of worker indices (workers_data.worker), so no two registrations clash on a number.
API_WARMUP = range(0, WARMUP)
API_RUNS = {1: range(WARMUP, WARMUP + N), CONCURRENCY: range(WARMUP + N, WARMUP + 2 * N)}
BARE_RUNS = {1: range(WARMUP + 2 * N, WARMUP + 3 * N), CONCURRENCY: range(WARMUP + 3 * N, WARMUP + 4 * N)}
LEDGER_MAIN = range(0, LEDGER_ROWS)
LEDGER_WARMUP = range(LEDGER_ROWS, LEDGER_ROWS + 20)

MODES = {1: "sequential", CONCURRENCY: f"{CONCURRENCY} concurrent"}


def staff_headers() -> dict[str, str]:
    token = mint_token(key=SECRET, role="station_staff", region=workers_data.STAFF_REGION, sub=STAFF_SUB)
    return {"Authorization": f"Bearer {token}"}


def settings_for(data_dir: Path, database_url: str | None) -> WorkersSettings:
    # No relay and no consumers in the process: nothing competes with the requests measured.
    return WorkersSettings(data_dir=data_dir, database_url=database_url, jwt_secret=SECRET, bus="memory",
                           run_workers_in_process=False, upload_max_bytes=UPLOAD_LIMIT)


@asynccontextmanager
async def workers_app(settings: WorkersSettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The workers app started (migrated), spoken to over ASGI in-process (no network)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                     timeout=None) as client:
            yield app, client


# --- 1. profiles registered through the API ---------------------------------------------------------------------


async def register_all(client: httpx.AsyncClient, indices: range, concurrency: int) -> Sample:
    headers, next_index = staff_headers(), iter(indices).__next__

    async def register() -> None:
        body = workers_data.worker(next_index())
        response = await client.post("/workers/profiles", json=body, headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"POST /workers/profiles answered {response.status_code}: {response.text}")

    return await timed(len(indices), concurrency, register)


async def bare_inserts(app: FastAPI, indices: range, concurrency: int) -> Sample:
    """The baseline: the rows the API would store, sealed beforehand, INSERTed one transaction each."""
    unit = app.state.units["workers"]
    now = SystemClock().now()
    rows = iter([workers_data.sealed_row(i, keys=unit.settings.pii_keys, registered_by=STAFF_SUB, now=now)
                 for i in indices])
    engine = unit.database.engine

    async def insert() -> None:
        async with engine.begin() as connection:
            await connection.execute(PROFILES.insert(), next(rows))

    return await timed(len(indices), concurrency, insert)


def sealing_micro() -> tuple[float, float]:
    """Median µs to seal and hash one profile's two numbers, and to validate one body (schema and ID card)."""
    keys = PiiKeys.from_settings(current_key_hex="11" * 32, hash_key_hex="22" * 32)
    bodies = [workers_data.worker(i) for i in range(MICRO_REPEATS)]
    sealing, validating = [], []
    for body in bodies:
        started = perf_counter()
        seal(body["id_number"], keys=keys, purpose="id_number")
        blind_index(body["id_number"], keys=keys, purpose="id_number")
        last4(body["id_number"])
        seal(body["phone"], keys=keys, purpose="phone")
        blind_index(body["phone"], keys=keys, purpose="phone")
        sealing.append(perf_counter() - started)
    for body in bodies:
        started = perf_counter()
        fields = ProfileIn.model_validate(body).model_dump()
        working_age_error(parse_id_number(fields["id_number"]), SystemClock().now().date())
        validating.append(perf_counter() - started)
    return median(sealing) * 1e6, median(validating) * 1e6


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def with_cpu(run: Awaitable[Sample]) -> tuple[Sample, float]:
    """The sample, and the CPU seconds this process (every thread) spent per operation meanwhile."""
    started = _cpu_seconds()
    sample = await run
    return sample, (_cpu_seconds() - started) / len(sample.latencies)


async def profiles_api(report: Report, tmp: Path) -> None:
    async with infra.postgres_database() as url:
        async with workers_app(settings_for(tmp / "api", url)) as (app, client):
            await register_all(client, API_WARMUP, 1)
            posted, posted_cpu, bare, bare_cpu = {}, {}, {}, {}
            for c in MODES:
                posted[c], posted_cpu[c] = await with_cpu(register_all(client, API_RUNS[c], c))
            for c in MODES:
                bare[c], bare_cpu[c] = await with_cpu(bare_inserts(app, BARE_RUNS[c], c))
            database = app.state.units["workers"].database
            async with database.engine.connect() as connection:
                stored = await connection.scalar(select(func.count()).select_from(PROFILES))
                unsent = await connection.scalar(select(func.count()).select_from(outbox))
    expected = WARMUP + 4 * N
    if stored != expected:
        raise RuntimeError(f"worker_profiles holds {stored} rows, not the {expected} registered")
    for c, mode in MODES.items():
        name = f"postgres, POST /workers/profiles, {mode}"
        report.compare(name, posted[c], f"bare INSERT, {mode}", bare[c])
        report.figure(f"{name}: this process's CPU per profile", posted_cpu[c] * 1000, "ms", f"bare INSERT, {mode}",
                      bare_cpu[c] * 1000)
    sealing_us, validating_us = sealing_micro()
    api_us = posted[1].median_ms * 1000
    report.figure("seal + blind index of ID number and phone, one profile (median)", sealing_us, "µs")
    report.figure("  the same, as a share of one sequential POST (median)", 100 * sealing_us / api_us, "%")
    report.figure("ProfileIn + ID-card validation, one body (median)", validating_us, "µs")
    report.figure("  the same, as a share of one sequential POST (median)", 100 * validating_us / api_us, "%")
    report.note(f"profiles: {N} POST /workers/profiles per run by station staff of {workers_data.STAFF_REGION}, "
                f"after {WARMUP} unmeasured; fresh PostgreSQL database, dropped after; httpx.ASGITransport")
    report.note("profiles: RUN_WORKERS_IN_PROCESS=false, so no outbox relay competes with the requests; each POST "
                "checks the ID number's blind index, INSERTs the profile, its outbox event and an audit row (the "
                "response shows the numbers in clear to the worker's own staff), in one transaction")
    report.note(f"profiles: bare INSERT = the same row (sealed and hashed beforehand) by SQLAlchemy Core, one "
                f"transaction each, same table; {unsent} outbox rows were left unpublished, 1 per API registration")
    report.note("profiles: CPU per profile = this process's user+system CPU time during the run / profiles (the "
                "PostgreSQL server's CPU is not included); CPU close to the latency means this one Python process, "
                "not the database, sets the pace")
    busy = ", ".join(f"{mode} {100 * posted_cpu[c] * posted[c].rate:.0f} % (bare INSERT "
                     f"{100 * bare_cpu[c] * bare[c].rate:.0f} %)" for c, mode in MODES.items())
    report.note(f"profiles: share of one core this process kept busy: {busy}")
    report.note(f"profiles: micro-figures = median of {MICRO_REPEATS:,} single calls, in this process")


# --- 2. a ledger imported ---------------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    """VmRSS (resident now) or VmHWM (the resident peak since start-up or the last reset) of this process."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _max_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+: echo 5 > /proc/self/clear_refs); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


class RssWatch:
    """The RSS just before some work and its peak during it.

    ru_maxrss cannot give that peak: it only ever rises, and on Linux an exec'd child starts with the parent's
    RSS at fork in it (see child_start_max_rss_kb). So the kernel's per-process peak, VmHWM, is reset to the current
    RSS before the work and read after it; where the reset is not allowed, a thread samples VmRSS every 5 ms.
    """

    before_kb: int
    peak_kb: int
    exact: bool

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-watch", daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak_kb = max(self.peak_kb, _status_kb("VmRSS"))

    def __enter__(self) -> RssWatch:
        gc.collect()
        self.exact = _reset_peak()
        self.before_kb = self.peak_kb = _status_kb("VmRSS")
        if not self.exact:
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.exact:
            self.peak_kb = _status_kb("VmHWM")
        else:
            self._stop.set()
            self._thread.join()
            self.peak_kb = max(self.peak_kb, _status_kb("VmRSS"))

    def figures(self) -> dict[str, Any]:
        return {"rss_before_kb": self.before_kb, "rss_peak_kb": self.peak_kb,
                "rss_growth_kb": self.peak_kb - self.before_kb, "rss_exact": self.exact,
                "max_rss_kb": _max_rss_kb()}


def _parse(data: bytes):
    return read_table(data, filename="台账.xlsx", aliases=WORKER_COLUMNS, max_bytes=UPLOAD_LIMIT)


def parse_in_child(data: bytes, warmup: bytes) -> dict[str, Any]:
    """read_table alone: seconds and RSS growth of a first pass, then the tracemalloc peak of a second."""
    _parse(warmup)
    with RssWatch() as rss:
        started = perf_counter()
        rows = len(_parse(data).rows)
        seconds = perf_counter() - started
    gc.collect()
    tracemalloc.start()
    _parse(data)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"rows": rows, "seconds": seconds, "traced_peak": traced_peak, **rss.figures()}


async def _import(data: bytes, warmup: bytes, data_dir: str, database_url: str | None, trace: bool,
                  deadline: float | None) -> dict[str, Any]:
    async with workers_app(settings_for(Path(data_dir), database_url)) as (app, client):
        headers = staff_headers()

        async def upload(content: bytes) -> dict:
            response = await client.post("/workers/profiles/import", headers=headers,
                                         files={"file": ("台账.xlsx", content, "application/octet-stream")})
            if response.status_code != 200:
                raise RuntimeError(f"POST /workers/profiles/import answered {response.status_code}: "
                                   f"{response.text[:500]}")
            return response.json()

        await upload(warmup)  # imports, compiled statements and the connection pool, outside the figure
        with RssWatch() as rss:
            if trace:
                tracemalloc.start()
            started = perf_counter()
            try:
                async with asyncio.timeout(deadline):
                    result = await upload(data)
            except TimeoutError:
                return {"timed_out": True, "seconds": perf_counter() - started}
            seconds = perf_counter() - started
            traced_peak = tracemalloc.get_traced_memory()[1] if trace else None
            tracemalloc.stop()
        async with app.state.units["workers"].database.engine.connect() as connection:
            stored = await connection.scalar(select(func.count()).select_from(PROFILES))
    return {"timed_out": False, "seconds": seconds, "imported": result["imported"], "errors": len(result["errors"]),
            "first_error": result["errors"][:1], "stored": stored, "traced_peak": traced_peak, **rss.figures()}


def import_in_child(data: bytes, warmup: bytes, data_dir: str, database_url: str | None, trace: bool,
                    deadline: float | None) -> dict[str, Any]:
    return asyncio.run(_import(data, warmup, data_dir, database_url, trace, deadline))


def _child_main(function: str, parent) -> None:
    """The child's side: the arguments come over the pipe (not in the spawn payload), the answer goes back on it."""
    try:
        start_max_rss = _max_rss_kb()
        kwargs = parent.recv()
        parent.send(("ok", globals()[function](**kwargs) | {"child_start_max_rss_kb": start_max_rss}))
    except BaseException:  # noqa: BLE001 - the parent reports the child's traceback
        parent.send(("error", traceback.format_exc()))
    finally:
        parent.close()


async def in_child(function: str, **kwargs: Any) -> dict[str, Any]:
    """Run a function of this module in a fresh spawned process, so its peak RSS is that of this work alone.

    The arguments (a workbook of ~0.75 MB) go over a pipe whose far end only the child holds, so a child that
    dies early makes the send fail instead of blocking forever.
    """
    context = multiprocessing.get_context("spawn")
    mine, theirs = context.Pipe()
    process = context.Process(target=_child_main, args=(function, theirs), name=f"bench-{function}")
    process.start()
    theirs.close()
    try:
        await asyncio.to_thread(mine.send, kwargs)
        if not await asyncio.to_thread(mine.poll, CHILD_TIMEOUT):
            raise RuntimeError(f"{function} did not answer within {CHILD_TIMEOUT:.0f} s")
        status, value = mine.recv()
    except (EOFError, BrokenPipeError, ConnectionResetError):
        await asyncio.to_thread(process.join, 10)
        raise RuntimeError(f"{function} died (exit code {process.exitcode}) without an answer") from None
    finally:
        mine.close()
        await asyncio.to_thread(process.join, 30)
        if process.is_alive():
            process.terminate()
            await asyncio.to_thread(process.join, 10)
    if status != "ok":
        raise RuntimeError(f"{function} failed in the child process:\n{value}")
    return value


async def import_once(label: str, data: bytes, warmup: bytes, rows: int, *, trace: bool,
                      deadline: float | None = None) -> dict[str, Any]:
    """One import in a child on a fresh database: PostgreSQL (made and dropped here) or SQLite in a temp folder."""
    with tempfile.TemporaryDirectory(prefix="jobbridge-bench-ledger-") as tmp:
        if label == "postgres":
            async with infra.postgres_database() as url:
                result = await in_child("import_in_child", data=data, warmup=warmup, data_dir=tmp, database_url=url,
                                        trace=trace, deadline=deadline)
        else:
            result = await in_child("import_in_child", data=data, warmup=warmup, data_dir=tmp, database_url=None,
                                    trace=trace, deadline=deadline)
    if not result["timed_out"] and (result["imported"] != rows or result["stored"] != rows + len(LEDGER_WARMUP)):
        raise RuntimeError(f"{label}: imported {result['imported']} of {rows} rows ({result['errors']} refused, "
                           f"first {result['first_error']}); {result['stored']} stored")
    return result


def _mb(kb_or_bytes: float, *, kb: bool) -> float:
    return kb_or_bytes / 1024 if kb else kb_or_bytes / (1024 * 1024)


def report_import(report: Report, label: str, rows: int, timing: dict, traced: dict, parsed: dict) -> None:
    name = f"{label}, {rows:,}-row ledger import"
    base = f"read_table alone, {rows:,} rows"
    report.figure(f"{name}: upload end to end", timing["seconds"], "s", base, parsed["seconds"])
    report.figure(f"{name}: rows registered per second", rows / timing["seconds"], "/s", base,
                  rows / parsed["seconds"])
    report.figure(f"{name}: tracemalloc peak", _mb(traced["traced_peak"], kb=False), "MB", base,
                  _mb(parsed["traced_peak"], kb=False))
    report.figure(f"{name}: child peak RSS growth", _mb(timing["rss_growth_kb"], kb=True), "MB", base,
                  _mb(parsed["rss_growth_kb"], kb=True))
    report.figure(f"{name}: child peak RSS", _mb(timing["rss_peak_kb"], kb=True), "MB", base,
                  _mb(parsed["rss_peak_kb"], kb=True))
    per_row_ms = (timing["seconds"] - parsed["seconds"]) / rows * 1000
    report.note(f"{label} ledger: read_table is {100 * parsed['seconds'] / timing['seconds']:.0f} % of the upload; "
                f"the rest, ~{per_row_ms:.1f} ms a row, is validating and sealing (in a worker thread) and registering "
                f"(blind indexes looked up a thousand at a time, profiles and outbox rows INSERTed in bulk)")
    report.note(f"{label} ledger: child RSS {_mb(timing['rss_before_kb'], kb=True):.0f} MB just before the upload "
                f"(app started, migrated, a {len(LEDGER_WARMUP)}-row ledger imported first; read_table's child: "
                f"{_mb(parsed['rss_before_kb'], kb=True):.0f} MB); the upload under tracemalloc took "
                f"{traced['seconds']:.1f} s")


async def ledger_import(report: Report) -> None:
    progress(f"workers_api: making the {LEDGER_ROWS:,}-row ledger workbook")
    warmup = workers_data.ledger_xlsx(LEDGER_WARMUP)
    workbooks = {LEDGER_ROWS: workers_data.ledger_xlsx(LEDGER_MAIN)}
    parsed = {LEDGER_ROWS: await in_child("parse_in_child", data=workbooks[LEDGER_ROWS], warmup=warmup)}
    if parsed[LEDGER_ROWS]["rows"] != LEDGER_ROWS:
        raise RuntimeError(f"read_table found {parsed[LEDGER_ROWS]['rows']} rows, not {LEDGER_ROWS}")

    try:
        infra.need_postgres()
        timing = await import_once("postgres", workbooks[LEDGER_ROWS], warmup, LEDGER_ROWS, trace=False)
        traced = await import_once("postgres", workbooks[LEDGER_ROWS], warmup, LEDGER_ROWS, trace=True)
        report_import(report, "postgres", LEDGER_ROWS, timing, traced, parsed[LEDGER_ROWS])
    except Skipped as exc:
        report.skip("postgres ledger import", str(exc))

    rows = LEDGER_ROWS
    timing = await import_once("sqlite", workbooks[rows], warmup, rows, trace=False, deadline=SQLITE_DEADLINE)
    if timing["timed_out"]:
        report.note(f"sqlite ledger: {LEDGER_ROWS:,} rows took over {SQLITE_DEADLINE:.0f} s (stopped), so SQLite "
                    f"is measured with {SQLITE_FALLBACK_ROWS:,} rows")
        rows = SQLITE_FALLBACK_ROWS
        workbooks[rows] = workers_data.ledger_xlsx(range(rows))
        parsed[rows] = await in_child("parse_in_child", data=workbooks[rows], warmup=warmup)
        timing = await import_once("sqlite", workbooks[rows], warmup, rows, trace=False)
    traced = await import_once("sqlite", workbooks[rows], warmup, rows, trace=True)
    report_import(report, "sqlite", rows, timing, traced, parsed[rows])

    data = workbooks[LEDGER_ROWS]
    report.note(f"ledger: XLSX made in memory with openpyxl, {len(data) / 1024:.0f} KB, "
                f"{len(workers_data.LEDGER_HEADERS)} Chinese headers ({', '.join(workers_data.LEDGER_HEADERS[:4])}, "
                f"…), every row valid and distinct (openpyxl writes inline strings where Excel writes a "
                f"shared-string table); one upload by station staff of {workers_data.STAFF_REGION}, relay off; fresh "
                f"database per run")
    how = ("VmHWM, reset to the current RSS just before through /proc/self/clear_refs" if timing["rss_exact"]
           else "VmRSS sampled every 5 ms, as VmHWM could not be reset here")
    report.note(f"ledger: each import ran in its own spawned child process; 'child peak RSS' = the child's peak "
                f"resident size during the upload ({how}); 'growth' = that minus its RSS just before; the "
                f"tracemalloc peak (Python allocations) comes from a second child on a fresh database, as tracing "
                f"slows the work")
    report.note(f"ledger: not ru_maxrss: a spawned child starts with the parent's RSS at fork in it (here "
                f"{_mb(timing['child_start_max_rss_kb'], kb=True):.0f} MB before it had imported anything; "
                f"{_mb(timing['max_rss_kb'], kb=True):.0f} MB after the upload), and it never goes down")
    report.note("ledger: baseline = shared.uploads.read_table on the same bytes in a child of its own (seconds and "
                "RSS growth of one pass, tracemalloc peak of a second pass)")


# --- the benchmark ----------------------------------------------------------------------------------------------


def load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


async def run(report: Report) -> None:
    load_before = load()
    with tempfile.TemporaryDirectory(prefix="jobbridge-bench-workers-") as tmp:
        try:
            await profiles_api(report, Path(tmp))
        except Skipped as exc:
            report.skip("profiles through the API", str(exc))
    await ledger_import(report)
    report.note(f"load average (1/5/15 min) {load_before} at the start, {load()} at the end, on "
                f"{os.cpu_count()} cores shared with the PostgreSQL server (and whatever else runs)")


def cli() -> int:
    """Run this benchmark alone and print its table, as `python -m bench workers_api` would."""
    report = Report("workers_api")
    started = perf_counter()
    ok = True
    try:
        asyncio.run(run(report))
    except Skipped as exc:
        report.skip("all", str(exc))
    except Exception:  # noqa: BLE001 - print what was measured before the failure
        traceback.print_exc()
        report.note("FAILED (traceback above, on stderr)")
        ok = False
    report.note(f"took {perf_counter() - started:.0f} s")
    print(f"\nJobBridge benchmarks on {os.cpu_count()} cores (ratio = value / baseline value)\n")
    print(table([report]))
    return 0 if ok else 1


if __name__ == "__main__":
    # Run the module's own copy under its package name, so spawned children find its functions by that name.
    from bench import workers_api

    sys.exit(workers_api.cli())
