"""Placements that can be trusted: the posting exists, is open with an opening left, the wage is lawful."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import select

from services.jobs.openings import service as openings
from services.jobs.postings.models import Posting
from services.workers.profiles.idcard import make_id_number
from shared.reference.wages import minimum_wage
from tests.service.conftest import vacancy, worker


@pytest.fixture
async def place(platform_api):
    """The platform with one employer and one staff member of 科右中旗; `place(worker, posting, **body)`."""
    api = platform_api
    admin, staff = api.auth("admin"), api.auth("station_staff", region="152222")
    employer = (await api.client.post("/jobs/employers", json={"name": "北京安居家政", "region_code": "110106"},
                                      headers=admin)).json()["id"]

    async def posting(**changes) -> str:
        response = await api.client.post("/jobs/postings", json=vacancy(employer_id=employer, **changes),
                                         headers=admin)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def labourer(n: int) -> str:
        body = worker(id_number=make_id_number("152222", date(1985, 3, n), n, "female"), phone=f"1390000{n:04d}")
        response = await api.client.post("/workers/profiles", json=body, headers=staff)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def place(worker_id: str, posting_id: str, **changes):
        body = {"posting_id": posting_id, "start_date": "2026-12-01", "monthly_wage": 5500, "contract_months": 12,
                "organised_export": True} | changes
        return await api.client.post(f"/workers/profiles/{worker_id}/placements", json=body,
                                     headers=staff | {"Accept-Language": "zh-CN"})

    async def headcount(posting_id: str) -> tuple[int, str]:
        read = (await api.client.get(f"/jobs/postings/{posting_id}", headers=admin)).json()
        return read["headcount"], read["status"]

    place.api, place.posting, place.labourer, place.headcount = api, posting, labourer, headcount
    return place


async def status_of(api, worker_id: str) -> str:
    read = await api.client.get(f"/workers/profiles/{worker_id}", headers=api.auth("admin"))
    return read.json()["status"]


async def test_a_placement_on_a_posting_that_does_not_exist_is_refused_and_records_nothing(place):
    zhang = await place.labourer(1)
    response = await place(zhang, "no-such-posting", monthly_wage=1000, contract_months=1)
    assert response.status_code == 404
    assert (response.json()["code"], response.json()["message"]) == ("posting_not_found", "没有找到这个岗位")
    assert await status_of(place.api, zhang) == "seeking"
    assert [e for e in await place.api.events() if e.type == "workers.profile.placed"] == []


async def test_a_closed_posting_takes_no_placement(place):
    zhang, posting = await place.labourer(1), await place.posting()
    closed = await place.api.client.post(f"/jobs/postings/{posting}/close", headers=place.api.auth("admin"))
    assert closed.status_code == 200, closed.text
    response = await place(zhang, posting)
    assert response.status_code == 409 and response.json()["code"] == "posting_closed"
    assert "已关闭" in response.json()["message"]


async def test_the_last_opening_goes_to_one_of_two_placements_made_at_once(place):
    posting = await place.posting(headcount=1)
    first, second = await place.labourer(1), await place.labourer(2)
    answers = await asyncio.gather(place(first, posting), place(second, posting))
    assert sorted(a.status_code for a in answers) == [201, 409]
    [refused] = [a for a in answers if a.status_code == 409]
    assert refused.json()["code"] == "posting_full" and refused.json()["message"] == "这个岗位已招满"
    assert await place.headcount(posting) == (0, "filled")
    await place.api.settle()  # the placement's event reaches jobs: it confirms, it does not count again
    assert await place.headcount(posting) == (0, "filled")
    statuses = sorted([await status_of(place.api, first), await status_of(place.api, second)])
    assert statuses == ["placed", "seeking"]


async def test_a_wage_below_the_minimum_wage_of_the_place_and_date_is_refused_naming_it(place):
    zhang, posting = await place.labourer(1), await place.posting(region_code="110106")
    floor = minimum_wage("110106", date(2026, 12, 1))
    assert floor is not None
    response = await place(zhang, posting, monthly_wage=floor.monthly_cny - 1)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "monthly_wage" and error["code"] == "below_minimum_wage"
    assert error["message"] == f"月工资低于丰台区最低工资标准（{floor.monthly_cny}元）"
    assert await place.headcount(posting) == (3, "open")
    assert (await place(zhang, posting, monthly_wage=floor.monthly_cny)).status_code == 201


async def test_contract_months_are_required(place):
    zhang, posting = await place.labourer(1), await place.posting()
    response = await place(zhang, posting, contract_months=None)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "contract_months"


async def test_a_place_of_work_other_than_the_postings_gives_the_opening_back(place):
    zhang, posting = await place.labourer(1), await place.posting(headcount=1, region_code="110106")
    response = await place(zhang, posting, work_region_code="110105")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "work_region_code"
    assert await place.headcount(posting) == (1, "open")
    placed = await place(zhang, posting)  # left out, the place of work is the posting's
    assert placed.status_code == 201 and placed.json()["work_region_code"] == "110106"
    assert placed.json()["posting_title"] == "家政服务员（住家）"


async def test_the_subsidy_rule_is_kept_beside_the_flag(place):
    posting = await place.posting(region_code="110106")
    exported = (await place(await place.labourer(1), posting)).json()
    assert (exported["subsidy_eligible"], exported["subsidy_rule"]) == (True, "export_outside_home_county")
    on_own = (await place(await place.labourer(2), posting, organised_export=False)).json()
    assert (on_own["subsidy_eligible"], on_own["subsidy_rule"]) == (False, "not_organised_export")
    assert on_own["subsidy_reason"] == "不是有组织劳务输出，不享受一次性求职创业补贴"


async def test_an_opening_held_for_a_placement_never_recorded_is_given_back(place):
    """Workers held the last opening and then lost its unit of work (a crash before the commit)."""
    api = place.api
    posting = await place.posting(headcount=1)
    service = api.auth("service", sub="workers")
    held = await api.client.post(f"/jobs/internal/postings/{posting}/openings", headers=service, json={"placement_id": "lost-1", "worker_id": "w-1", "start_date": "2026-12-01",
        "monthly_wage": 6000})
    assert held.status_code == 200 and held.json()["outcome"] == "held"
    assert await place.headcount(posting) == (0, "filled")
    jobs = api.unit_of("jobs")
    async with jobs.database.transaction() as session:
        assert await openings.give_back_stale(session=session, clock=api.clock) == 0  # not yet: it may still come
    api.clock.advance(minutes=16)
    async with jobs.database.transaction() as session:
        assert await openings.give_back_stale(session=session, clock=api.clock) == 1
    assert await place.headcount(posting) == (1, "open")
    async with jobs.database.sessions() as session:
        assert (await session.scalars(select(Posting.placed).where(Posting.id == posting))).one() == 0


async def test_only_services_hold_openings(place):
    api = place.api
    posting = await place.posting()
    body = {"placement_id": "x", "worker_id": "w", "start_date": "2026-12-01", "monthly_wage": 6000}
    for headers in (api.auth("station_staff", region="152222"), api.auth("admin"), {}):
        response = await api.client.post(f"/jobs/internal/postings/{posting}/openings", json=body, headers=headers)
        assert response.status_code in (401, 403)
    assert await place.headcount(posting) == (3, "open")
