"""One worker's recommendations over HTTP: the matching service on uvicorn with 20,000 open postings in its read model.

Figure: p95 of `GET /matching/workers/{id}/recommendations` from an httpx client over loopback, beside the same
worker's `Ranker.recommend` called in the same process on the same index (so the HTTP, auth, database read and
serialisation cost shows as the difference).
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
from dataclasses import asdict
from datetime import datetime, time, timezone
from pathlib import Path
from time import perf_counter

import httpx
import uvicorn

from bench.population import generate
from bench.report import Report, Sample, table
from services.matching.app import create_app
from services.matching.ranking.model import PostingView, WorkerView
from services.matching.readmodels.models import Generation, PostingRecord, WorkerRecord
from services.matching.settings import MatchingSettings
from shared.auth import mint_token
from shared.clock import LOCAL_ZONE, FixedClock

POSTINGS, WORKERS, REQUESTS, WARM = 20_000, 400, 300, 20
SECRET = "bench-secret-of-at-least-thirty-two-bytes"


def _posting_snapshot(p: PostingView) -> dict:
    snapshot = asdict(p) | {"valid_until": p.valid_until.isoformat(), "supply_list_office_id": None}
    snapshot["skills"], snapshot["certificates"] = list(p.skills), list(p.certificates)
    return snapshot


def _worker_snapshot(w: WorkerView, today) -> dict:
    return {"age": w.age, "age_as_of": today.isoformat(), "gender": w.gender, "home_region_code": w.home_region_code,
            "lon": w.lon, "lat": w.lat, "transfer_intention": w.transfer_intention,
            "labor_capacity": w.labor_capacity, "education": w.education, "skills": list(w.skills),
            "certificates": list(w.certificates), "desired_occupations": list(w.desired_occupations),
            "expected_wage": w.expected_wage, "status": w.status,
            "consent": {"share_with_partners": w.share_with_partners}}


async def _seed(app, population, now) -> None:
    unit = app.state.units["matching"]
    async with unit.database.transaction() as session:
        for p in population.postings:
            session.add(PostingRecord(id=p.id, version=1, status=p.status, employer_id=p.employer_id,
                                      supply_list_id=p.supply_list_id, supply_list_office_id=None,
                                      snapshot=_posting_snapshot(p), updated_at=now))
        for w in population.workers[:WORKERS]:
            session.add(WorkerRecord(id=w.id, version=1, status=w.status, home_region_code=w.home_region_code,
                                     transfer_intention=w.transfer_intention,
                                     share_with_partners=w.share_with_partners,
                                     snapshot=_worker_snapshot(w, population.today), updated_at=now))
        session.add(Generation(name="postings", value=1))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def measure(report: Report) -> None:
    population = generate(workers=WORKERS * 2, postings=POSTINGS)
    now = datetime.combine(population.today, time(10), LOCAL_ZONE).astimezone(timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        # One client stands for many clerks: the per-principal limit (120 a minute) would refuse it after 120.
        settings = MatchingSettings(data_dir=Path(folder), jwt_secret=SECRET, run_workers_in_process=False,
                                    rate_limits="")
        app = create_app(settings, clock=FixedClock(now))
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                               access_log=False))
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        try:
            await _seed(app, population, now)
            seeking = [w for w in population.workers[:WORKERS] if w.status == "seeking"]
            headers = {"Authorization": f"Bearer {mint_token(key=SECRET, role='admin')}"}
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
                started = perf_counter()
                first = await client.get(f"/matching/workers/{seeking[0].id}/recommendations")
                first.raise_for_status()
                report.note(f"first request built the index of {POSTINGS:,} postings: {perf_counter() - started:.1f} s")
                latencies, began = [], perf_counter()
                for n in range(REQUESTS + WARM):
                    worker = seeking[n % len(seeking)]
                    t0 = perf_counter()
                    response = await client.get(f"/matching/workers/{worker.id}/recommendations")
                    response.raise_for_status()
                    if n >= WARM:
                        latencies.append(perf_counter() - t0)
                http = Sample(latencies, perf_counter() - began)
            cache = app.state.units["matching"].state["rankers"]
            ranker = cache._ranker
            direct, began = [], perf_counter()
            for n in range(REQUESTS + WARM):
                worker = seeking[n % len(seeking)]
                t0 = perf_counter()
                ranker.recommend(worker)
                if n >= WARM:
                    direct.append(perf_counter() - t0)
            inproc = Sample(direct, perf_counter() - began)
        finally:
            server.should_exit = True
            await serving
    report.figure("one worker over HTTP, 20,000 postings: median", http.median_ms, "ms",
                  "Ranker.recommend in-process", inproc.median_ms)
    report.figure("one worker over HTTP, 20,000 postings: p95", http.p95_ms, "ms",
                  "Ranker.recommend in-process", inproc.p95_ms)
    report.note(f"{REQUESTS} sequential GET /matching/workers/{{id}}/recommendations after {WARM} unmeasured, "
                f"admin token (per-principal rate limits off: one client stands for many clerks), uvicorn on loopback in "
                f"this process, read models on SQLite")


async def run(report: Report) -> None:
    await measure(report)


if __name__ == "__main__":
    report = Report("matching_http")
    asyncio.run(measure(report))
    print(table([report]))
    sys.exit(0)
