"""The monthly report on the real PostgreSQL: the goals equal their lists, and requests that freeze the same month at
once make one snapshot and all read the same figures."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

import httpx
import pytest
from sqlalchemy import func, select

from services.workers.app import create_app
from services.workers.profiles.idcard import make_id_number
from services.workers.reports.models import ReportSnapshot, SnapshotMember
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from tests.fakes.openings import FakeOpenings
from tests.service.conftest import worker

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"


@pytest.fixture
async def platform(pg_url, tmp_path):
    settings = WorkersSettings(data_dir=tmp_path, jwt_secret=SECRET, database_url=pg_url, relay_poll_seconds=0.05)
    clock = FixedClock(datetime(2026, 11, 28, 2, tzinfo=timezone.utc))
    app = create_app(settings, clock=clock)
    app.state.units["workers"].state["openings"] = FakeOpenings()  # jobs is not in this app
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            http.headers["Authorization"] = f"Bearer {mint_token(key=SECRET, role='admin')}"
            yield http, clock, app.state.units["workers"]


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
