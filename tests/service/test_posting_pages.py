"""Listing pages kept in memory (services/jobs/postings/pages.py), on SQLite: a page asked again is the same page,
and whatever changes a posting (posted, changed, closed, expired) shows in the next listing; an employer's pages
are its own."""

from __future__ import annotations

import pytest

from services.jobs.postings import service
from services.jobs.postings.pages import Pages
from tests.service.conftest import vacancy

PAGE = "/jobs/postings?status=open&region=110106&page_size=20"


@pytest.fixture
async def owner(api):
    employer_id = await api.employer()
    return employer_id, api.auth("employer", employer_id=employer_id)


def pages(api) -> Pages:
    return api.unit.state["pages"]


async def listed(api, headers, url: str = PAGE) -> dict:
    response = await api.client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


async def test_a_page_asked_again_is_the_same_page_from_memory(api, owner):
    _, headers = owner
    for title in ("保洁员", "保安员"):
        assert (await api.client.post("/jobs/postings", json=vacancy(title=title), headers=headers)).status_code == 201
    staff = api.auth("station_staff", region="1522")
    first = await api.client.get(PAGE, headers=staff)
    assert len(pages(api)) == 1
    again = await api.client.get(PAGE, headers=staff)
    assert again.content == first.content
    assert again.json()["total"] == 2 and sorted(item["title"] for item in again.json()["items"]) == ["保安员", "保洁员"]


async def test_every_change_to_a_posting_shows_in_the_next_listing(api, owner):
    _, headers = owner
    staff = api.auth("station_staff", region="1522")
    assert (await listed(api, staff))["total"] == 0

    posted = (await api.client.post("/jobs/postings", json=vacancy(valid_until="2026-12-01"), headers=headers)).json()
    assert [item["id"] for item in (await listed(api, staff))["items"]] == [posted["id"]]

    url = f"/jobs/postings/{posted['id']}"
    assert (await api.client.patch(url, json={"headcount": 5}, headers=headers)).status_code == 200
    assert (await listed(api, staff))["items"][0]["headcount"] == 5

    other = (await api.client.post("/jobs/postings", json=vacancy(), headers=headers)).json()
    assert (await api.client.post(f"/jobs/postings/{other['id']}/close", headers=headers)).status_code == 200
    assert [item["id"] for item in (await listed(api, staff))["items"]] == [posted["id"]]

    api.clock.advance(days=4)  # the first posting was valid through the 1st
    async with api.unit.database.transaction() as session:
        assert await service.expire_due(session=session, clock=api.clock) == 1
    assert (await listed(api, staff))["total"] == 0
    closed = await listed(api, staff, "/jobs/postings?status=closed&page_size=20")
    assert sorted(item["close_reason"] for item in closed["items"]) == ["employer", "expired"]


async def test_an_employer_sees_its_own_pages_only(api, owner):
    _, headers = owner
    other_id = await api.employer("北京顺心保洁有限公司")
    other = api.auth("employer", employer_id=other_id)
    mine = (await api.client.post("/jobs/postings", json=vacancy(), headers=headers)).json()
    theirs = (await api.client.post("/jobs/postings", json=vacancy(title="保安员"), headers=other)).json()
    staff = api.auth("station_staff", region="1522")
    for _ in range(2):  # the second time from memory
        assert [item["id"] for item in (await listed(api, headers))["items"]] == [mine["id"]]
        assert [item["id"] for item in (await listed(api, other))["items"]] == [theirs["id"]]
        assert (await listed(api, staff))["total"] == 2


async def test_a_page_read_while_a_posting_changed_is_not_kept():
    kept = Pages()
    kept.following = lambda: True

    async def read_across_a_change() -> bytes:
        kept.changed()  # a commit heard of while the page was being read: the page may predate it
        return b'{"items": []}'

    assert await kept.served("page", read_across_a_change) == b'{"items": []}'
    assert kept.get("page") is None

    async def read() -> bytes:
        return b'{"items": [1]}'

    await kept.served("page", read)
    assert kept.get("page") == b'{"items": [1]}'


async def test_nothing_is_kept_while_changes_may_go_unheard_and_nothing_outlives_its_age():
    now = [0.0]
    kept = Pages(size=2, max_age=30.0, now=lambda: now[0])

    async def read() -> bytes:
        return b"{}"

    await kept.served("a", read)
    assert len(kept) == 0  # not following: not kept

    kept.following = lambda: True
    for key in ("a", "b", "c"):
        await kept.served(key, read)
    assert (len(kept), kept.get("a"), kept.get("c")) == (2, None, b"{}")  # the least recently asked went first
    now[0] = 30.0
    assert kept.get("c") is None

    none = Pages(size=0)  # JOBS_PAGES_KEPT=0
    none.following = lambda: True
    await none.served("a", read)
    assert len(none) == 0
