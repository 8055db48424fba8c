"""Statements the driver sends itself, on the real PostgreSQL (`shared/driven.py`).

Reading postings (`fetch_rows`): the rows are those SQLAlchemy gives, value for value and type for type, and the
answers keep their scope. Writing a posting as a single write (`Database.single_write`, `write_once`): one statement
is its own transaction; its values are stored as SQLAlchemy would store them, a clash is a 409 that leaves nothing
half-written, the connection is used again afterwards, and the in-process relay is woken."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import Float, Numeric, Table, insert, literal, select

from services.jobs.app import create_app
from services.jobs.db import outbox
from services.jobs.events import POSTING_OPENED, snapshot_of, view_of
from services.jobs.postings import rules, service
from services.jobs.postings.models import Posting
from services.jobs.postings.schemas import PostingIn
from services.jobs.postings.service import opened
from services.jobs.settings import JobsSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from shared.driven import fetch_rows
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


def posting(region_code: str, **changes) -> dict:
    return {"title": "家政服务员（住家）", "occupation": "家政服务员", "description": "照顾老人起居，做饭",
            "skills": ["做饭", "照顾老人"], "region_code": region_code, "address": "北京市丰台区",
            "wage_min": 5000, "wage_max": 6500, "headcount": 3, "certificates": ["健康证"], "meals": True,
            "valid_until": "2027-05-31"} | changes


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


async def employer(http: httpx.AsyncClient, name: str) -> dict[str, str]:
    made = await http.post("/jobs/employers", headers=bearer(role="admin"), json={"name": name, "region_code": "110106"})
    assert made.status_code == 201, made.text
    return bearer(role="employer", employer_id=made.json()["id"])


async def test_the_driver_gives_the_rows_sqlalchemy_gives(jobs):
    app, http = jobs
    owner = await employer(http, "北京安居家政服务有限公司")
    ids = []
    for body in (posting("110106", lon=116.28, lat=39.86, gender="女", contract_months=12),
                 posting("110106", skills=[], certificates=[]), posting("110105")):
        made = await http.post("/jobs/postings", headers=owner, json=body)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    statements = [(service._VIEW_BY_ID, {"posting_id": posting_id}) for posting_id in ids]
    statements.append((service._page(("status", "region")),
                       {"status": "open", "region": "110106", "limit": 20, "offset": 0}))
    async with app.state.units["jobs"].database.reading() as connection:
        for statement, values in statements:
            driven = await fetch_rows(connection, statement, values)
            plain = [dict(row) for row in (await connection.execute(statement, values)).mappings().all()]
            assert driven == plain and driven
            assert [{key: type(value) for key, value in row.items()} for row in driven] == \
                [{key: type(value) for key, value in row.items()} for row in plain]
    assert [row["total"] for row in driven] == [2, 2]
    assert driven[0]["created_at"].tzinfo is not None


async def test_a_page_and_a_posting_read_through_the_api(jobs):
    _, http = jobs
    owner = await employer(http, "北京安居家政服务有限公司")
    other = await employer(http, "丰台区保洁服务有限公司")
    made = [(await http.post("/jobs/postings", headers=owner, json=posting(region))).json()
            for region in ("110106", "110106", "110105")]
    staff = bearer(role="station_staff", region="1101")

    first = min(made[:2], key=lambda p: p["id"])  # posted at the same instant (a fixed clock): ordered by id
    page = (await http.get("/jobs/postings?status=open&region=110106&page_size=1", headers=staff)).json()
    assert page == {"items": [first], "total": 2, "page": 1, "page_size": 1}
    assert (await http.get("/jobs/postings?region=110106&page=3&page_size=1", headers=staff)).json() == \
        {"items": [], "total": 2, "page": 3, "page_size": 1}
    assert (await http.get(f"/jobs/postings/{made[2]['id']}", headers=staff)).json() == made[2]
    assert (await http.get(f"/jobs/postings/{made[2]['id']}", headers=other)).status_code == 404
    assert (await http.get("/jobs/postings", headers=other)).json()["total"] == 0
    assert (await http.get("/jobs/postings/no-such-posting", headers=staff)).status_code == 404


async def test_a_statement_whose_columns_sqlalchemy_would_convert_otherwise_goes_through_sqlalchemy(jobs):
    app, _ = jobs
    price = select(literal("12.50", Numeric(10, 2)).label("price"), literal(0.5, Float(asdecimal=True)).label("share"))
    async with app.state.units["jobs"].database.reading() as connection:
        assert await fetch_rows(connection, price, {}) == [{"price": Decimal("12.50"), "share": Decimal("0.5")}]
        with pytest.raises(RuntimeError, match="writes"):
            await fetch_rows(connection, cast(Any, insert(outbox)), {})


# --- single writes ---------------------------------------------------------------------------------------------


async def employer_id_of(http: httpx.AsyncClient) -> str:
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
    employer_id = await employer_id_of(http)

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
    employer_id = await employer_id_of(http)
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
    employer_id = await employer_id_of(http)
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
