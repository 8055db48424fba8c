"""Loading the demonstration labourers through the real registration: counts, events, and once only."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from jobbridge.demo import jobs, workers as demo
from services.workers.placements.models import Placement
from services.workers.reports.schemas import FIGURES
from shared.auth import Principal, Role
from shared.clock import local_today

LOADER = Principal(sub="demo-loader", role=Role.admin)


def openings(api) -> list[jobs.Opening]:
    """The jobs service's demonstration postings, ids made up (this app is the workers service alone)."""
    postings = jobs.data_set(local_today(api.clock)).postings
    return [jobs.Opening.of(f"posting-{n}", fields) for n, (_, fields, _) in enumerate(postings)]


async def load(api) -> int:
    unit = api.unit
    for opening in openings(api):  # held through workers' port, as jobs would hold them
        if opening.id not in api.openings.postings:
            api.openings.post(opening.id, region_code=opening.region_code, headcount=opening.headcount)
    async with unit.database.transaction() as session:
        return await demo.load(session=session, settings=unit.settings, clock=unit.clock, by=LOADER,
                               openings=openings(api), holder=api.openings)


async def test_the_demo_loads_once_quickly_and_its_report_adds_up(workers_api):
    api = workers_api
    started = time.perf_counter()
    assert await load(api) == demo.COUNT
    assert time.perf_counter() - started < 30  # "well under a minute"; about 6 s on a laptop
    planned = demo.assign_postings(demo.labourers(), openings(api), today=local_today(api.clock))
    placed = sum(1 for placement in planned if placement is not None)
    assert placed > 150
    assert len(await api.events("workers.profile.registered")) == demo.COUNT
    assert len(await api.events("workers.profile.placed")) == placed
    assert await load(api) == 0  # a second start doubles nothing
    async with api.unit.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Placement)) == placed
        assert await demo.busiest_county(session=session) == "152222"
    admin = api.auth("admin")
    report = (await api.client.get("/workers/reports/progress", headers=admin)).json()
    assert report["total"]["registered"] == demo.COUNT and report["total"]["placed"] == placed
    assert 0 < report["total"]["subsidy_eligible"] <= report["total"]["placed_export"] <= placed
    county = next(area for area in report["counties"] if area["code"] == "152222")
    for figure in FIGURES:
        listing = await api.client.get(f"/workers/reports/progress/profiles?figure={figure}&region=152222&page_size=1",
                                       headers=admin)
        assert listing.json()["total"] == county[figure], figure
