"""The monthly freeze on a timer: the month just ended is frozen shortly after midnight on the first, Beijing time,
with the same figures a first read would have frozen, and months missed while the service was down are caught up."""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from datetime import date, datetime, timezone

import httpx

from services.workers.app import create_app
from services.workers.profiles.idcard import make_id_number
from services.workers.reports.freezing import freeze_due
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.clock import LOCAL_ZONE, FixedClock
from tests.fakes.openings import FakeOpenings
from tests.service.conftest import SECRET, worker

ADMIN = {"Authorization": f"Bearer {mint_token(key=SECRET, role='admin')}"}


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_ZONE).astimezone(timezone.utc)


@asynccontextmanager
async def workers(data_dir, clock: FixedClock):
    """The workers service as it runs, its timer looking every 50 ms."""
    settings = WorkersSettings(data_dir=data_dir, jwt_secret=SECRET, relay_poll_seconds=0.05,
                               freeze_check_seconds=0.05)
    app = create_app(settings, clock=clock)
    app.state.units["workers"].state["openings"] = FakeOpenings()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=ADMIN) as client:
            yield client, app.state.units["workers"]


async def frozen_months(client: httpx.AsyncClient) -> dict[str, dict]:
    answer = await client.get("/workers/reports/snapshots")
    assert answer.status_code == 200, answer.text
    return {row["month"]: row for row in answer.json()}


async def until_frozen(client: httpx.AsyncClient, *months: str) -> dict[str, dict]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = await frozen_months(client)
        if all(month in found for month in months):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{months} not frozen within 10 s: {sorted(found)}")


def goals(report: dict) -> dict:
    return {g["key"]: (g["numerator"], g["denominator"]) for g in report["total"]["goals"]}


async def test_the_month_just_ended_is_frozen_after_midnight_with_the_figures_a_read_would_freeze(tmp_path):
    clock = FixedClock(at(2026, 11, 30, 23, 57))
    async with workers(tmp_path, clock) as (client, unit):
        # At start the month before is frozen at once: October, over since a month.
        assert (await until_frozen(client, "2026-10"))["2026-10"]["frozen_by"] == "timer"
        ids = []
        for n, insured in enumerate((True, False, True)):
            body = worker(id_number=make_id_number("152222", date(1980 + n, 5, 1), n, "female"),
                          phone=f"1390000{n:04d}", pension_insured=insured)
            made = await client.post("/workers/profiles", json=body)
            assert made.status_code == 201, made.text
            ids.append(made.json()["id"])
        unit.state["openings"].post("p", region_code="152222")
        placed = await client.post(f"/workers/profiles/{ids[0]}/placements", json={
            "posting_id": "p", "start_date": "2026-11-02", "monthly_wage": 3000, "contract_months": 12,
            "work_region_code": "152222"})
        assert placed.status_code == 201, placed.text
        before_midnight = (await client.get("/workers/reports/monthly/2026-11")).json()
        assert before_midnight["frozen"] is False and goals(before_midnight)["pension"] == (2, 3)
        await asyncio.sleep(0.2)
        assert "2026-11" not in await frozen_months(client), "not before the month is over"

        clock.advance(minutes=4)  # 00:01 on 1 December in Beijing
        snapshot = (await until_frozen(client, "2026-11"))["2026-11"]
        assert snapshot["frozen_by"] == "timer" and snapshot["as_of"] == "2026-11-30"
        # What is changed after midnight is not in November: the timer froze it first.
        await client.patch(f"/workers/profiles/{ids[1]}", json={"pension_insured": True})
        november = (await client.get("/workers/reports/monthly/2026-11")).json()
        assert november["frozen"] is True
        assert november["total"] == before_midnight["total"] and november["counties"] == before_midnight["counties"]
        december = (await client.get("/workers/reports/monthly/2026-12")).json()
        assert goals(december)["pension"] == (3, 3)
        # A second run finds nothing to do, and neither does a read.
        assert await freeze_due(unit.database, clock) == []
        assert (await frozen_months(client)).keys() == {"2026-10", "2026-11"}


async def test_months_missed_while_the_service_was_down_are_frozen_when_it_starts_again(tmp_path):
    clock = FixedClock(at(2026, 12, 15, 10))
    async with workers(tmp_path, clock) as (client, _):
        await until_frozen(client, "2026-11")
        assert (await frozen_months(client)).keys() == {"2026-11"}, "a first start freezes only the month just ended"
    clock.advance(days=77)  # 2 March 2027: December, January and February went by with the service down
    async with workers(tmp_path, clock) as (client, _):
        found = await until_frozen(client, "2026-12", "2027-01", "2027-02")
        assert sorted(found) == ["2026-11", "2026-12", "2027-01", "2027-02"]
        assert {row["frozen_by"] for row in found.values()} == {"timer"}
        assert found["2027-02"]["as_of"] == "2027-02-28"
