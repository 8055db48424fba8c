"""The monthly report on the real PostgreSQL: the goals equal their lists, requests that freeze the same month at
once make one snapshot and all read the same figures, and so do the timers of two replicas crossing a month's end."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import date, datetime, timezone

import httpx
import pytest
from sqlalchemy import func, select

from services.workers.app import create_app
from services.workers.profiles.idcard import make_id_number
from services.workers.reports.freezing import freeze_due
from services.workers.reports.models import ReportSnapshot, SnapshotMember
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from tests.fakes.openings import FakeOpenings
from tests.service.conftest import worker

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"


@asynccontextmanager
async def replica(pg_url: str, data_dir, clock: FixedClock, *, freeze_check_seconds: float = 60.0):
    settings = WorkersSettings(data_dir=data_dir, jwt_secret=SECRET, database_url=pg_url, relay_poll_seconds=0.05,
                               freeze_check_seconds=freeze_check_seconds)
    app = create_app(settings, clock=clock)
    app.state.units["workers"].state["openings"] = FakeOpenings()  # jobs is not in this app
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            http.headers["Authorization"] = f"Bearer {mint_token(key=SECRET, role='admin')}"
            yield http, app.state.units["workers"]


@pytest.fixture
async def platform(pg_url, tmp_path):
    clock = FixedClock(datetime(2026, 11, 28, 2, tzinfo=timezone.utc))
    async with replica(pg_url, tmp_path, clock) as (http, unit):
        yield http, clock, unit


async def test_concurrent_first_reads_of_a_finished_month_freeze_it_once(platform):
    client, clock, unit = platform
    ids = []
    for n in range(12):
        home = "152222105" if n % 2 else "152221101"
        body = worker(id_number=make_id_number(home[:6], date(1966 + 3 * n, 12, 1), n, "male"),
                      phone=f"1390000{n:04d}", home_region_code=home, wants_training=n % 3 == 0,
                      pension_insured=n % 4 == 0)
        response = await client.post("/workers/profiles", json=body)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    unit.state["openings"].post("p", region_code="152222", headcount=10)
    for worker_id in ids[:5]:
        placed = await client.post(f"/workers/profiles/{worker_id}/placements",
                                   json={"posting_id": "p", "start_date": "2026-11-02", "monthly_wage": 3000,
                                         "contract_months": 12, "work_region_code": "152222"})
        assert placed.status_code == 201, placed.text
    await client.post(f"/workers/profiles/{ids[3]}/training", json={"course": "电工", "hours": 72,
                                                                     "start_on": "2026-11-03"})
    await client.put("/workers/service-points/152222105", json={"established_on": "2026-09-01"})

    clock.advance(days=4)  # 2 December
    answers = await asyncio.gather(*(client.get("/workers/reports/monthly/2026-11") for _ in range(6)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers if a.status_code != 200]
    bodies = [a.json() for a in answers]
    assert all(body == bodies[0] for body in bodies) and bodies[0]["frozen"] is True
    async with unit.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ReportSnapshot)) == 2  # November, October
        members = await session.scalar(select(func.count()).where(SnapshotMember.month == "2026-11"))
    assert members and members > 12

    report = bodies[0]
    for area in [report["total"], *report["counties"]]:
        for goal in area["goals"]:
            for part in ("numerator", "denominator"):
                figure = goal[f"{part}_figure"]
                if goal["key"] == "service_points":
                    listing = await client.get(f"/workers/reports/monthly/2026-11/townships?figure={figure}"
                                               f"&region={area['code']}")
                    found = len(listing.json())
                else:
                    listing = await client.get(f"/workers/reports/monthly/2026-11/profiles?figure={figure}"
                                               f"&region={area['code']}&page_size=1")
                    found = listing.json()["total"]
                assert found == goal[part], (area["code"], figure)
    total = {g["key"]: (g["numerator"], g["denominator"]) for g in report["total"]["goals"]}
    assert total["employment"][0] == 5 and total["training"] == (1, 4) and total["service_points"] == (1, 52)
    again = await client.post("/workers/reports/snapshots/2026-11")
    assert again.status_code == 200 and again.json()["created"] is False


async def test_two_replicas_freezing_a_month_at_once_make_one_snapshot(pg_url, tmp_path):
    clock = FixedClock(datetime(2026, 11, 30, 15, 58, tzinfo=timezone.utc))  # 23:58 in Beijing
    async with replica(pg_url, tmp_path / "a", clock, freeze_check_seconds=0.01) as (one, first), \
            replica(pg_url, tmp_path / "b", clock, freeze_check_seconds=0.01) as (two, second):
        for n in range(8):
            body = worker(id_number=make_id_number("152222", date(1970 + 3 * n, 6, 1), n, "female"),
                          phone=f"1390000{n:04d}", home_region_code="152222105", pension_insured=n % 2 == 0)
            assert (await (one if n % 2 else two).post("/workers/profiles", json=body)).status_code == 201
        live = (await one.get("/workers/reports/monthly/2026-11")).json()
        clock.advance(minutes=3)  # December: both timers, two more freezes and two reads go at November at once
        answers = await asyncio.gather(freeze_due(first.database, clock), freeze_due(second.database, clock),
                                       one.get("/workers/reports/monthly/2026-11"),
                                       two.get("/workers/reports/monthly/2026-11"))
        made = answers[0] + answers[1]
        assert len(made) <= 1  # a timer may have been first
        reads = [a.json() for a in answers[2:]]
        assert reads[0] == reads[1] and reads[0]["frozen"] is True
        assert reads[0]["total"]["goals"] == live["total"]["goals"]
        async with first.database.sessions() as session:
            snapshots = list(await session.scalars(select(ReportSnapshot.month).order_by(ReportSnapshot.month)))
            members = await session.scalar(select(func.count()).where(SnapshotMember.month == "2026-11",
                                                                      SnapshotMember.figure == "registered"))
        assert snapshots == ["2026-10", "2026-11"] and members == 8
        assert await freeze_due(second.database, clock) == []
