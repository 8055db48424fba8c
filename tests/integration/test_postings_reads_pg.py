"""Reading postings on the real PostgreSQL, where the driver sends the reads' statements itself (`shared.db.fetch_rows`):
the rows are those SQLAlchemy gives, value for value and type for type, and the answers keep their scope."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import Float, Numeric, insert, literal, select

from services.jobs.app import create_app
from services.jobs.db import outbox
from services.jobs.postings import service
from services.jobs.settings import JobsSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from shared.driven import fetch_rows

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"


def posting(region_code: str, **changes) -> dict:
    return {"title": "家政服务员（住家）", "occupation": "家政服务员", "description": "照顾老人起居，做饭",
            "skills": ["做饭", "照顾老人"], "region_code": region_code, "address": "北京市丰台区",
            "wage_min": 5000, "wage_max": 6500, "headcount": 3, "certificates": ["健康证"], "meals": True,
            "valid_until": "2027-05-31"} | changes


@pytest.fixture
async def jobs(pg_url, tmp_path):
    settings = JobsSettings(data_dir=tmp_path, jwt_secret=SECRET, database_url=pg_url, run_workers_in_process=False)
    app = create_app(settings, clock=FixedClock(datetime(2026, 11, 28, 2, tzinfo=timezone.utc)))
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
