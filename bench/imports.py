"""Imports through the real routes: a 10,000-row supply list (jobs) and a 10,000-row ledger (workers), each on SQLite
and PostgreSQL, uploaded as XLSX over httpx's ASGI transport in-process, beside reading the same file alone.

`python -m bench imports` runs it; BENCH_IMPORTS_REPEATS (default 3) sets how many fresh databases each figure is the
median of.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from time import perf_counter
from typing import Any, cast

import httpx
from fastapi import FastAPI
from openpyxl import Workbook
from sqlalchemy import Table, func, select

from bench import infra, workers_data
from bench.report import Report, Skipped, median, progress
from services.jobs.app import create_app as create_jobs_app
from services.jobs.postings.models import Posting
from services.jobs.settings import JobsSettings
from services.jobs.supply_lists.columns import POSTING_COLUMNS
from services.workers.app import create_app as create_workers_app
from services.workers.ledger.columns import WORKER_COLUMNS
from services.workers.profiles.models import WorkerProfile
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.clock import SystemClock, local_today
from shared.uploads import read_table

ROWS = 10_000
WARMUP_ROWS = 20
REPEATS = int(os.environ.get("BENCH_IMPORTS_REPEATS", "3"))
GOAL_SECONDS = 5.0
SECRET = "bench-signing-secret-of-at-least-32-bytes"
UPLOAD_LIMIT = 10 * 1024 * 1024
OFFICE = "bj-fengtai-hrss"
EMPLOYERS = 400  # distinct employers named in the supply list, all new to the database
POSTINGS = cast(Table, Posting.__table__)
PROFILES = cast(Table, WorkerProfile.__table__)

_PLACES = ("110105", "110106", "110108", "110114", "110115")
_JOBS = (("家政服务员", "做饭、照顾老人"), ("保洁员", "保洁"), ("保安员", "巡逻、值守"), ("养老护理员", "照顾老人"),
         ("厨工", "做饭"), ("快递员", "分拣、送货"))
SUPPLY_HEADERS = ["用人单位", "岗位名称", "工种", "工作地点代码", "最低月薪", "最高月薪", "招聘人数", "包吃", "包住",
                  "技能要求", "有效期至", "岗位描述"]


def supply_row(i: int, *, employer_prefix: str = "北京") -> list[Any]:
    """Posting `i` of a Beijing supply list: valid (wages above Beijing's minimum, half a year ahead), distinct."""
    job, skills = _JOBS[i % len(_JOBS)]
    valid_until = local_today(SystemClock()) + timedelta(days=180)
    return [f"{employer_prefix}第{i % EMPLOYERS}号服务有限公司", f"{job}{i}号岗", job, _PLACES[i % len(_PLACES)],
            5000 + (i % 30) * 100, 7000 + (i % 30) * 100, 1 + i % 5, "是" if i % 2 else "否", "是", skills,
            valid_until.isoformat(), "长期稳定，按月发工资"]


def supply_xlsx(indices: range, *, employer_prefix: str = "北京") -> bytes:
    """A supply-list workbook made in memory (openpyxl writes the <dimension>, as Excel does)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "岗位供给清单"
    sheet.append(SUPPLY_HEADERS)
    for i in indices:
        sheet.append(supply_row(i, employer_prefix=employer_prefix))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bearer(**claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(key=SECRET, **claims)}"}


@asynccontextmanager
async def in_process(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app started (migrated), spoken to over ASGI in-process (no network)."""
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                     timeout=None) as client:
            yield client


async def post_file(client: httpx.AsyncClient, url: str, headers: dict[str, str], name: str,
                    data: bytes) -> dict[str, Any]:
    response = await client.post(url, headers=headers, files={"file": (name, data, "application/octet-stream")})
    if response.status_code != 200:
        raise RuntimeError(f"POST {url} answered {response.status_code}: {response.text[:500]}")
    return response.json()


async def supply_list_once(data_dir: Path, url: str | None, data: bytes, warmup: bytes) -> float:
    """Seconds to import `data` into a new supply list on a fresh database, after a small unmeasured import."""
    settings = JobsSettings(data_dir=data_dir, database_url=url, jwt_secret=SECRET, bus="memory",
                            run_workers_in_process=False, upload_max_bytes=UPLOAD_LIMIT)
    app = create_jobs_app(settings)
    office = bearer(role="partner_office", office_id=OFFICE)
    async with in_process(app) as client:
        async def new_list(title: str) -> str:
            body = {"title": title, "source_region_code": "110106", "period_start": "2027-01-01",
                    "period_end": "2027-06-30"}
            response = await client.post("/jobs/supply-lists", json=body, headers=office)
            response.raise_for_status()
            return response.json()["id"]

        first, second = await new_list("预热清单"), await new_list("丰台区2027年上半年岗位供给清单")
        await post_file(client, f"/jobs/supply-lists/{first}/postings/import", office, "预热.xlsx", warmup)
        started = perf_counter()
        report = await post_file(client, f"/jobs/supply-lists/{second}/postings/import", office, "清单.xlsx", data)
        seconds = perf_counter() - started
        async with app.state.units["jobs"].database.engine.connect() as connection:
            stored = await connection.scalar(select(func.count()).select_from(POSTINGS)
                                             .where(POSTINGS.c.supply_list_id == second))
    if report["imported"] != ROWS or stored != ROWS or report["employers_created"] != EMPLOYERS:
        raise RuntimeError(f"supply list: imported {report['imported']} of {ROWS} ({len(report['errors'])} refused, "
                           f"first {report['errors'][:1]}), {stored} stored, {report['employers_created']} "
                           f"employers created")
    return seconds


async def ledger_once(data_dir: Path, url: str | None, data: bytes, warmup: bytes) -> float:
    """Seconds to import `data` as a ledger on a fresh database, after a small unmeasured import."""
    settings = WorkersSettings(data_dir=data_dir, database_url=url, jwt_secret=SECRET, bus="memory",
                               run_workers_in_process=False, upload_max_bytes=UPLOAD_LIMIT)
    app = create_workers_app(settings)
    staff = bearer(role="station_staff", region=workers_data.STAFF_REGION, sub="station_staff:bench-1522")
    async with in_process(app) as client:
        await post_file(client, "/workers/profiles/import", staff, "预热.xlsx", warmup)
        started = perf_counter()
        report = await post_file(client, "/workers/profiles/import", staff, "台账.xlsx", data)
        seconds = perf_counter() - started
        async with app.state.units["workers"].database.engine.connect() as connection:
            stored = await connection.scalar(select(func.count()).select_from(PROFILES))
    if report["imported"] != ROWS or stored != ROWS + WARMUP_ROWS:
        raise RuntimeError(f"ledger: imported {report['imported']} of {ROWS} ({len(report['errors'])} refused, "
                           f"first {report['errors'][:1]}), {stored} stored")
    return seconds


def read_alone(data: bytes, aliases: Mapping[str, list[str]]) -> float:
    started = perf_counter()
    rows = len(read_table(data, filename="file.xlsx", aliases=aliases, max_bytes=UPLOAD_LIMIT).rows)
    seconds = perf_counter() - started
    if rows != ROWS:
        raise RuntimeError(f"read_table found {rows} rows, not {ROWS}")
    return seconds


Once = Callable[[Path, str | None, bytes, bytes], Any]


async def measure(report: Report, what: str, once: Once, data: bytes, warmup: bytes,
                  aliases: Mapping[str, list[str]]) -> None:
    read_table(warmup, filename="file.xlsx", aliases=aliases, max_bytes=UPLOAD_LIMIT)
    for label in ("sqlite", "postgres"):
        uploads, reads = [], []
        try:
            for _ in range(REPEATS):
                reads.append(read_alone(data, aliases))
                with tempfile.TemporaryDirectory(prefix="jobbridge-bench-imports-") as tmp:
                    if label == "postgres":
                        async with infra.postgres_database() as url:
                            uploads.append(await once(Path(tmp), url, data, warmup))
                    else:
                        uploads.append(await once(Path(tmp), None, data, warmup))
                progress(f"imports: {label} {what}: {uploads[-1]:.2f} s (reading alone {reads[-1]:.2f} s)")
        except Skipped as exc:
            report.skip(f"{label}, {what}", str(exc))
            continue
        seconds, read_seconds = median(uploads), median(reads)
        report.figure(f"{label}, {what}: upload end to end", seconds, "s", "reading the file alone", read_seconds)
        report.figure(f"{label}, {what}: rows per second", ROWS / seconds, "/s", "reading the file alone",
                      ROWS / read_seconds)
        verdict = "within" if seconds <= GOAL_SECONDS else "OVER"
        report.note(f"{label}, {what}: {verdict} the {GOAL_SECONDS:g} s goal; runs {', '.join(f'{s:.2f}' for s in uploads)} s")


async def run(report: Report) -> None:
    load_before = "/".join(f"{value:.1f}" for value in os.getloadavg())
    progress(f"imports: making the {ROWS:,}-row workbooks")
    supply, supply_warmup = supply_xlsx(range(ROWS)), supply_xlsx(range(WARMUP_ROWS), employer_prefix="预热")
    ledger = workers_data.ledger_xlsx(range(ROWS))
    ledger_warmup = workers_data.ledger_xlsx(range(ROWS, ROWS + WARMUP_ROWS))
    await measure(report, f"{ROWS:,}-row supply list", supply_list_once, supply, supply_warmup, POSTING_COLUMNS)
    await measure(report, f"{ROWS:,}-row ledger", ledger_once, ledger, ledger_warmup, WORKER_COLUMNS)
    report.note(f"XLSX made in memory with openpyxl: supply list {len(supply) / 1024:.0f} KB ({len(SUPPLY_HEADERS)} "
                f"Chinese headers, {EMPLOYERS} employers new to the database), ledger {len(ledger) / 1024:.0f} KB "
                f"({len(workers_data.LEDGER_HEADERS)} headers); every row valid and distinct")
    report.note(f"each figure: median of {REPEATS} uploads, each on a fresh database (PostgreSQL made and dropped "
                f"per run; SQLite in a temp folder) after an unmeasured {WARMUP_ROWS}-row import; relay off; "
                f"POST through httpx.ASGITransport in this process; 'reading the file alone' = shared.uploads."
                f"read_table on the same bytes in this process, same runs")
    report.note(f"load average (1/5/15 min) {load_before} at the start, "
                f"{'/'.join(f'{value:.1f}' for value in os.getloadavg())} at the end, on {os.cpu_count()} cores "
                f"shared with the PostgreSQL server")
