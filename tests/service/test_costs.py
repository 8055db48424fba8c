"""Limits on what costs money or time: per-principal rates on costly routes, one active run per area."""

from __future__ import annotations

from shared.rate_limits import RateLimiter, parse_limits
from tests.service.conftest import worker


async def new_list(api, office: dict) -> str:
    created = await api.client.post("/jobs/supply-lists", headers=office, json={
        "title": "丰台区清单", "source_region_code": "110106", "period_start": "2027-01-01", "period_end": "2027-06-30"})
    return created.json()["id"]


async def test_a_third_import_within_the_minute_is_a_429_with_retry_after(api):
    api.app.state.rate_limiter = RateLimiter(parse_limits("imports=2/60"))
    office = api.auth("partner_office", office_id="bj-fengtai-hrss")
    list_id = await new_list(api, office)
    url = f"/jobs/supply-lists/{list_id}/postings/import"
    files = {"file": ("list.csv", b"title\n")}

    answers = [await api.client.post(url, files=files, headers={**office, "Accept-Language": "zh-CN"})
               for _ in range(3)]

    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert answers[2].status_code == 429
    assert 0 < int(answers[2].headers["Retry-After"]) <= 60
    assert answers[2].json()["code"] == "rate_limited" and "上传太频繁" in answers[2].json()["message"]
    other_office = api.auth("partner_office", office_id="bj-fangshan-hrss")
    assert (await api.client.post(url, files=files, headers=other_office)).status_code == 404  # its own count


def test_the_window_slides():
    now = [0.0]
    limiter = RateLimiter({"runs": (2, 60)}, now=lambda: now[0])

    assert [limiter.take("runs", "a") for _ in range(2)] == [0, 0]
    assert limiter.take("runs", "a") == 60
    now[0] = 30
    assert limiter.take("runs", "a") == 30 and limiter.take("runs", "b") == 0
    now[0] = 60
    assert limiter.take("runs", "a") == 0
    assert limiter.take("exports", "a") == 0  # no limit set for the group


async def test_one_active_run_per_area(platform_api):
    api = platform_api
    staff = api.auth("station_staff", region="152222")
    assert (await api.client.post("/workers/profiles", json=worker(), headers=staff)).status_code == 201
    await api.settle()
    await api.app.state.runtime.stop_relays()  # the first run stays queued: its work items are not published

    first = await api.client.post("/matching/runs", json={"region_code": "152222"}, headers=staff)
    again = await api.client.post("/matching/runs", json={"region_code": "152222"}, headers=staff)
    inside = await api.client.post("/matching/runs", json={"region_code": "152222105"}, headers=staff)
    around = await api.client.post("/matching/runs", json={"region_code": "1522"}, headers=api.auth("admin"))
    elsewhere = await api.client.post("/matching/runs", json={"region_code": "152221"}, headers=api.auth("admin"))

    assert first.status_code == 202 and first.json()["status"] == "queued"
    assert [r.status_code for r in (again, inside, around)] == [409, 409, 409]
    assert again.json()["code"] == "run_in_progress" and first.json()["id"] in again.json()["message"]
    assert elsewhere.status_code == 202
