"""A posting written as a single write on the real PostgreSQL (`Database.single_write`): one statement, sent by the
driver, is its own transaction. Its values are stored as SQLAlchemy would store them, a clash is a 409 that leaves
nothing half-written, the connection is used again afterwards, and the in-process relay is woken."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import Table, select

from services.jobs.app import create_app
from services.jobs.db import outbox
from services.jobs.events import POSTING_OPENED, snapshot_of, view_of
from services.jobs.postings import rules
from services.jobs.postings.models import Posting
from services.jobs.postings.schemas import PostingIn
from services.jobs.postings.service import opened
from services.jobs.settings import JobsSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from shared.errors import Conflict
from shared.events.outbox import OUTBOX_CHANNEL, add_event

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"
NOW = datetime(2026, 11, 28, 2, tzinfo=timezone.utc)
POSTINGS = cast(Table, Posting.__table__)
VACANCY = {"title": "家政服务员（住家）", "occupation": "家政服务员", "description": "照顾老人起居，做饭",
           "skills": ["做饭", "照顾老人"], "region_code": "110106", "address": "北京市丰台区", "lon": 116.28,
           "lat": 39.86, "wage_min": 5000, "wage_max": 6500, "headcount": 3, "certificates": ["健康证"],
           "meals": True, "lodging": False, "valid_until": "2027-05-31"}


@pytest.fixture
async def jobs(pg_url, tmp_path):
    settings = JobsSettings(data_dir=tmp_path, jwt_secret=SECRET, database_url=pg_url, run_workers_in_process=False)
    app = create_app(settings, clock=FixedClock(NOW))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield app, http


def bearer(**claims) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(key=SECRET, **claims)}"}


async def employer_of(http: httpx.AsyncClient) -> str:
    made = await http.post("/jobs/employers", headers=bearer(role="admin"),
                           json={"name": "北京安居家政服务有限公司", "region_code": "110106"})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def opened_row(employer_id: str) -> dict[str, Any]:
    """A posting's row as the API would write it (checked, completed, opened)."""
    fields = rules.complete(PostingIn.model_validate(VACANCY).model_dump())
    return opened(fields, employer_id=employer_id, now=NOW, today=NOW.date())


async def stored(app, table: Table) -> list[dict[str, Any]]:
    async with app.state.units["jobs"].database.reading() as connection:
        return [dict(row) for row in (await connection.execute(select(table))).mappings()]


async def test_a_posting_is_stored_with_its_event_as_sqlalchemy_would_store_them_and_the_relay_is_woken(jobs):
    app, http = jobs
    database = app.state.units["jobs"].database
    woken: list[str] = []
    database.on_commit(OUTBOX_CHANNEL, lambda: woken.append("relay"))
    employer_id = await employer_of(http)

    made = await http.post("/jobs/postings", headers=bearer(role="employer", employer_id=employer_id), json=VACANCY)
    assert made.status_code == 201, made.text
    assert woken == ["relay"]

    # The same posting written again through SQLAlchemy's own path, in a transaction, under another id.
    [through_driver] = await stored(app, POSTINGS)
    async with database.transaction() as session:
        await session.execute(POSTINGS.insert(), through_driver | {"id": "through-sqlalchemy"})
    rows = {row["id"]: row for row in await stored(app, POSTINGS)}
    assert rows.pop("through-sqlalchemy") | {"id": made.json()["id"]} == through_driver
    assert through_driver["skills"] == ["做饭", "照顾老人"] and through_driver["meals"] is True
    assert through_driver["created_at"] == NOW and through_driver["created_at"].tzinfo is not None
    [event] = await stored(app, outbox)
    assert (event["type"], event["subject"], event["created_at"]) == (POSTING_OPENED, made.json()["id"], NOW)


async def test_a_write_that_clashes_half_way_is_a_conflict_and_leaves_nothing_written(jobs):
    app, http = jobs
    database = app.state.units["jobs"].database
    employer_id = await employer_of(http)
    clock = FixedClock(NOW)
    row = opened_row(employer_id)
    view = view_of(row, employer_name="北京安居家政服务有限公司", supply_list_office_id=None)
    taken = {**row, "id": str(uuid.uuid4())}
    async with database.transaction() as session:
        await session.execute(POSTINGS.insert(), taken)

    # The posting is new, but the row written along with it clashes: the statement's first INSERT is undone too.
    with pytest.raises(Conflict):
        async with database.single_write() as write:
            await add_event(write, outbox, clock=clock, producer="jobs", type=POSTING_OPENED, subject=row["id"],
                            version=1, data=snapshot_of(view), along=[(POSTINGS, row), (POSTINGS, taken)])
    assert [r["id"] for r in await stored(app, POSTINGS)] == [taken["id"]]
    assert await stored(app, outbox) == []

    # The pool's connections, the one that failed among them, write on.
    for _ in range(3):
        made = await http.post("/jobs/postings", headers=bearer(role="employer", employer_id=employer_id),
                               json=VACANCY)
        assert made.status_code == 201, made.text
    assert len(await stored(app, outbox)) == 3


async def test_a_single_write_writes_once(jobs):
    app, http = jobs
    database = app.state.units["jobs"].database
    employer_id = await employer_of(http)
    row = opened_row(employer_id)
    with pytest.raises(RuntimeError, match="one statement"):
        async with database.single_write() as write:
            await write.write(POSTINGS.insert(), row)
            await write.write(POSTINGS.insert(), row | {"id": str(uuid.uuid4())})
    assert [r["id"] for r in await stored(app, POSTINGS)] == [row["id"]]  # the first was its own transaction


async def test_a_posting_for_an_employer_that_is_gone_is_refused_and_nothing_is_written(jobs):
    app, http = jobs
    made = await http.post("/jobs/postings", headers=bearer(role="employer", employer_id=str(uuid.uuid4())),
                           json=VACANCY)
    assert made.status_code == 422
    assert made.json()["detail"][0]["field"] == "employer_id"
    assert await stored(app, POSTINGS) == [] and await stored(app, outbox) == []
