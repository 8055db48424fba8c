"""Postings created per second through the jobs API (auth, validation, the posting and its outbox row in one
transaction) against bare INSERTs of the same row on the same database engine, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from time import perf_counter
from typing import cast

import httpx
from fastapi import FastAPI
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import infra
from bench.report import Report, Sample, Skipped, timed
from services.jobs.app import create_app
from services.jobs.postings.models import Posting
from services.jobs.settings import JobsSettings
from shared.auth import mint_token
from shared.clock import SystemClock, local_today
from shared.events.envelope import Envelope

N = 1000
CONCURRENCY = 8
WARMUP = 50
SECRET = "bench-signing-secret-of-at-least-32-bytes"
POSTINGS = cast(Table, Posting.__table__)  # declarative models type __table__ as a FromClause


def vacancy() -> dict:
    """A valid Beijing posting, as an employer sends it, valid for half a year from today."""
    valid_until = local_today(SystemClock()) + timedelta(days=180)
    return {"title": "家政服务员（住家）", "occupation": "家政服务员", "description": "照顾老人起居，做饭",
            "skills": ["做饭", "照顾老人"], "region_code": "110106", "address": "北京市丰台区",
            "wage_min": 5000, "wage_max": 6500, "headcount": 3, "age_min": 18, "age_max": 55,
            "certificates": ["健康证"], "meals": True, "lodging": True, "contract_months": 12,
            "valid_until": valid_until.isoformat()}


class JobsApi:
    """The jobs app in-process, spoken to over ASGI (no network) as one employer."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.client = client
        self.unit = app.state.units["jobs"]
        self.relay = app.state.runtime.relays["jobs"]
        self.body = vacancy()
        self.headers: dict[str, str] = {}

    async def sign_in_employer(self) -> None:
        """Have an admin create the employer, then act with the employer's own token."""
        admin = {"Authorization": f"Bearer {mint_token(key=SECRET, role='admin')}"}
        employer = {"name": "北京安居家政服务有限公司", "region_code": "110106"}
        response = await self.client.post("/jobs/employers", json=employer, headers=admin)
        response.raise_for_status()
        token = mint_token(key=SECRET, role="employer", employer_id=response.json()["id"])
        self.headers = {"Authorization": f"Bearer {token}"}

    async def post_vacancy(self) -> None:
        response = await self.client.post("/jobs/postings", json=self.body, headers=self.headers)
        if response.status_code != 201:
            raise RuntimeError(f"POST /jobs/postings answered {response.status_code}: {response.text}")

    async def drained(self, within: float = 60.0) -> float:
        """Seconds until the outbox holds no unpublished row."""
        started = perf_counter()
        while left := await self.relay.pending():
            if perf_counter() - started > within:
                raise RuntimeError(f"the relay left {left} outbox rows unpublished after {within:.0f} s")
            await asyncio.sleep(0.005)
        return perf_counter() - started


async def ignore(_: Envelope) -> None:
    """A consumer that does nothing, standing in for matching on the memory bus."""


@asynccontextmanager
async def jobs_api(*, data_dir: Path, database_url: str | None, relay: bool) -> AsyncIterator[JobsApi]:
    """The app started (migrated) and warmed up; `relay` runs the outbox relay in-process on the memory bus."""
    settings = JobsSettings(data_dir=data_dir, database_url=database_url, jwt_secret=SECRET, bus="memory",
                            run_workers_in_process=relay)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        # The memory bus, like a mandatory publish to RabbitMQ, refuses an event no consumer subscribes to.
        await app.state.runtime.bus.subscribe("bench", ["jobs.#"], ignore)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            api = JobsApi(app, client)
            await api.sign_in_employer()
            for _ in range(WARMUP):
                await api.post_vacancy()
            yield api


async def bare_inserts(engine: AsyncEngine, concurrency: int) -> Sample:
    """The baseline: a row the API stored, inserted again N times under new ids, one transaction each."""
    async with engine.connect() as connection:
        row = dict((await connection.execute(select(POSTINGS).limit(1))).mappings().one())

    async def insert() -> None:
        async with engine.begin() as connection:
            await connection.execute(POSTINGS.insert(), row | {"id": str(uuid.uuid4())})

    return await timed(N, concurrency, insert)


async def on_engine(report: Report, label: str, data_dir: Path, urls: tuple[str | None, str | None]) -> None:
    """The API with the relay off beside bare INSERTs, then the API with the relay in-process (fresh database)."""
    quiet_url, relay_url = urls
    modes = {1: "sequential", CONCURRENCY: f"{CONCURRENCY} concurrent"}
    async with jobs_api(data_dir=data_dir / "quiet", database_url=quiet_url, relay=False) as api:
        posted = {c: await timed(N, c, api.post_vacancy) for c in modes}
        unsent = await api.relay.pending()
        if unsent != WARMUP + len(modes) * N:
            raise RuntimeError(f"{unsent} outbox rows for {WARMUP + len(modes) * N} postings")
        bare = {c: await bare_inserts(api.unit.database.engine, c) for c in modes}
    async with jobs_api(data_dir=data_dir / "relay", database_url=relay_url, relay=True) as api:
        relayed = {c: await timed(N, c, api.post_vacancy) for c in modes}
        drain = await api.drained()

    for c, mode in modes.items():
        report.compare(f"{label}, {mode}, relay off", posted[c], f"bare INSERT, {mode}", bare[c])
    for c, mode in modes.items():
        report.compare(f"{label}, {mode}, relay in-process", relayed[c], f"API, {mode}, relay off", posted[c])
    report.figure(f"{label}, outbox drained after the last response", drain * 1000, "ms")
    report.note(f"{label}: relay off left {unsent} outbox rows unpublished, one per posting (checked)")


async def run(report: Report) -> None:
    report.note(f"{N} POST /jobs/postings per run, after {WARMUP} unmeasured; httpx.ASGITransport, no network")
    report.note("'relay off': RUN_WORKERS_IN_PROCESS=false, so no relay competes with the requests measured")
    report.note("'relay in-process': relay on the memory bus, woken by every commit, in a fresh database; "
                "a no-op subscriber to jobs.# stands in for matching")
    with tempfile.TemporaryDirectory(prefix="jobbridge-bench-") as tmp:
        await on_engine(report, "sqlite", Path(tmp), (None, None))
        try:
            async with infra.postgres_database() as quiet, infra.postgres_database() as relayed:
                await on_engine(report, "postgres", Path(tmp) / "pg", (quiet, relayed))
        except Skipped as exc:
            report.skip("postgres", str(exc))
