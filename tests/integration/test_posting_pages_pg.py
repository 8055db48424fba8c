"""Listing pages kept in memory (services/jobs/postings/pages.py) on PostgreSQL, where other processes write too: a
posting another process writes shows in the next listing once its NOTIFY arrives, and while this process cannot
hear NOTIFYs (its listening connection lost) no page is served from memory."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import httpx
import pytest

from services.jobs.app import create_app
from services.jobs.postings import service
from services.jobs.postings.pages import Pages
from services.jobs.postings.schemas import PostingIn
from services.jobs.settings import JobsSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from shared.db import Database
from tests import services

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"
NOW = datetime(2026, 11, 28, 2, tzinfo=timezone.utc)
PAGE = "/jobs/postings?status=open&region=110106&page_size=20"
VACANCY = {"title": "家政服务员（住家）", "occupation": "家政服务员", "description": "照顾老人起居，做饭",
           "skills": ["做饭", "照顾老人"], "region_code": "110106", "address": "北京市丰台区", "wage_min": 5000,
           "wage_max": 6500, "headcount": 3, "certificates": ["健康证"], "meals": True, "valid_until": "2027-05-31"}


def bearer(**claims) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(key=SECRET, **claims)}"}


@pytest.fixture
async def jobs(pg_url, tmp_path):
    settings = JobsSettings(data_dir=tmp_path, jwt_secret=SECRET, database_url=pg_url, run_workers_in_process=False)
    app = create_app(settings, clock=FixedClock(NOW))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            pages: Pages = app.state.units["jobs"].state["pages"]
            await until(lambda: pages.following())
            yield http, pages


async def until(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {seconds} s")


async def ids(http: httpx.AsyncClient) -> list[str]:
    response = await http.get(PAGE, headers=bearer(role="station_staff", region="1522"))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def posted_elsewhere(pg_url: str, employer_id: str) -> str:
    """A posting written as another process writes one: its own Database, the record and its event in one statement,
    and the NOTIFY that goes with them."""
    elsewhere = Database(pg_url)
    try:
        async with elsewhere.single_write() as write:
            view = await service.post(unit=write, fields=PostingIn.model_validate(VACANCY).model_dump(),
                                      employer_id=employer_id, clock=FixedClock(NOW))
        return view["id"]
    finally:
        await elsewhere.dispose()


async def test_a_posting_another_process_writes_shows_in_the_next_listing(jobs, pg_url):
    http, pages = jobs
    made = await http.post("/jobs/employers", headers=bearer(role="admin"),
                           json={"name": "北京安居家政服务有限公司", "region_code": "110106"})
    assert made.status_code == 201, made.text
    assert await ids(http) == []
    assert len(pages) == 1

    posting_id = await posted_elsewhere(pg_url, made.json()["id"])
    await until(lambda: len(pages) == 0)  # the NOTIFY came: the kept page is gone
    assert await ids(http) == [posting_id]


async def test_no_page_is_served_from_memory_while_notifies_cannot_be_heard(jobs, pg_url, monkeypatch):
    http, pages = jobs
    made = await http.post("/jobs/employers", headers=bearer(role="admin"),
                           json={"name": "北京安居家政服务有限公司", "region_code": "110106"})
    employer_id = made.json()["id"]
    assert await ids(http) == []

    # The listening connection ended by the server: until it is back, a change elsewhere could go unheard.
    await services.terminate_backend(await services.backend_of("jobbridge jobs pages listen"))
    await until(lambda: not pages.following())
    posting_id = await posted_elsewhere(pg_url, employer_id)  # its NOTIFY reaches nobody here
    assert await ids(http) == [posting_id]  # the page kept before is not sent
    await until(lambda: pages.following())  # reconnected: pages are kept again
    assert await ids(http) == [posting_id]
    assert len(pages) == 1
