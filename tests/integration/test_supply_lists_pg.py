"""The supply-list import on the real PostgreSQL: employers, postings and their events written in bulk, one
transaction, nothing left of a failed one."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import func, select

from services.jobs.app import create_app
from services.jobs.db import outbox
from services.jobs.settings import JobsSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from tests.service.test_supply_lists import OFFICE, good_row, workbook

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"


@pytest.fixture
async def jobs(pg_url, tmp_path):
    settings = JobsSettings(data_dir=tmp_path, jwt_secret=SECRET, database_url=pg_url, run_workers_in_process=False)
    app = create_app(settings, clock=FixedClock(datetime(2026, 11, 28, 2, tzinfo=timezone.utc)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            http.headers["Authorization"] = f"Bearer {mint_token(key=SECRET, role='partner_office', office_id=OFFICE)}"
            yield app, http


async def new_list(http: httpx.AsyncClient) -> str:
    body = {"title": "丰台区2027年上半年岗位供给清单", "source_region_code": "110106", "period_start": "2027-01-01",
            "period_end": "2027-06-30"}
    return (await http.post("/jobs/supply-lists", json=body)).json()["id"]


async def upload(http: httpx.AsyncClient, list_id: str, data: bytes) -> httpx.Response:
    return await http.post(f"/jobs/supply-lists/{list_id}/postings/import", files={"file": ("list.xlsx", data)})


async def events(app) -> int:
    async with app.state.units["jobs"].database.engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(outbox)) or 0


async def test_a_list_with_bad_and_repeated_rows_then_the_same_file_again(jobs):
    app, http = jobs
    list_id = await new_list(http)
    rows = [good_row(n) for n in range(1500)]
    rows[3][4] = 1500  # below Beijing's minimum wage
    rows[1200] = list(rows[1199])  # the same posting twice in the file
    first = (await upload(http, list_id, workbook(rows))).json()
    assert first["imported"] == 1498 and first["employers_created"] == 7
    assert [(e["row"], e["field"]) for e in first["errors"]] == [(5, "wage_min"), (1202, "title")]
    assert "duplicate of row 1201" in first["errors"][1]["message"]
    assert await events(app) == 1498
    again = (await upload(http, list_id, workbook(rows))).json()
    assert again["imported"] == 0 and again["employers_created"] == 0 and len(again["errors"]) == 1500
    assert (await http.get(f"/jobs/supply-lists/{list_id}")).json()["postings"] == {"open": 1498}


async def test_a_failure_after_the_postings_are_in_leaves_nothing(jobs, monkeypatch):
    from services.jobs.supply_lists import service

    app, http = jobs
    list_id = await new_list(http)

    async def failing_events(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "postings_opened", failing_events)
    assert (await upload(http, list_id, workbook([good_row(n) for n in range(50)]))).status_code == 500
    monkeypatch.undo()
    assert (await http.get(f"/jobs/supply-lists/{list_id}")).json()["postings"] == {}
    assert await events(app) == 0
    retried = (await upload(http, list_id, workbook([good_row(n) for n in range(50)]))).json()
    assert retried["imported"] == 50 and retried["employers_created"] == 7
