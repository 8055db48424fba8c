"""Follow-up of placed labourers: visits after 1, 3 and 6 months, the to-do list, problems flagged, retention."""

from __future__ import annotations

from datetime import date

import pytest

from services.workers.profiles.idcard import make_id_number
from tests.service.conftest import worker

COUNTY_STAFF = {"role": "station_staff", "region": "152222"}


async def register(api, n: int, home: str = "152222105") -> str:
    body = worker(id_number=make_id_number(home[:6], date(1984, 2, n), n, "female"), phone=f"1390000{n:04d}",
                  home_region_code=home)
    response = await api.client.post("/workers/profiles", json=body, headers=api.auth("admin"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def place(api, worker_id: str, start: str, *, posting: str = "p-bj", employer: str = "e-1") -> str:
    if posting not in api.openings.postings:
        api.openings.post(posting, region_code="110106", employer_id=employer, employer_name=f"单位{employer}")
    response = await api.client.post(f"/workers/profiles/{worker_id}/placements", headers=api.auth("admin"), json={
        "posting_id": posting, "start_date": start, "monthly_wage": 5000, "contract_months": 12,
        "organised_export": True})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def visits(api, state: str = "todo", **scope) -> list[dict]:
    headers = api.auth(**(scope or {"role": "admin"}))
    response = await api.client.get(f"/workers/follow-ups?state={state}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def found(api, worker_id: str, placement_id: str, months: int, headers=None, **body):
    return await api.client.post(f"/workers/profiles/{worker_id}/placements/{placement_id}/follow-ups/{months}",
                                 json=body, headers=(headers or api.auth("admin")) | {"Accept-Language": "zh"})


async def test_visits_fall_due_after_one_three_and_six_months_and_reach_the_to_do_list(workers_api):
    api = workers_api  # today is 2026-11-28
    zhang = await register(api, 1)
    placement = await place(api, zhang, "2026-11-20")
    assert await visits(api) == []  # the first visit falls due on 2026-12-20, more than a week away
    api.clock.advance(days=16)  # 2026-12-14: within a week of it
    [first] = await visits(api, **COUNTY_STAFF)
    assert (first["months_after"], first["due_on"], first["overdue"]) == (1, "2026-12-20", False)
    assert first["worker_name"] == "张秀英" and first["posting_title"] == "家政服务员"
    assert await visits(api, role="station_staff", region="152221") == []  # another county's staff see nothing
    api.clock.advance(days=10)  # 2026-12-24: overdue
    [late] = await visits(api, "overdue")
    assert late["overdue"] is True
    early = await found(api, zhang, placement, 3, outcome="employed")
    assert early.status_code == 409 and early.json()["message"] == "还没到回访时间（2027-02-20）"
    done = await found(api, zhang, placement, 1, outcome="employed", note="电话回访，工作稳定")
    assert done.status_code == 200 and done.json()["outcome_text"] == "仍在岗"
    assert await visits(api) == [] and len(await visits(api, "done")) == 1
    again = await found(api, zhang, placement, 1, outcome="employed")
    assert again.status_code == 409 and again.json()["message"] == "这次回访已经登记过了"


async def test_wages_owed_are_flagged_to_the_county_until_resolved(workers_api):
    api = workers_api
    zhang = await register(api, 1)
    placement = await place(api, zhang, "2026-08-01")
    owed = await found(api, zhang, placement, 3, outcome="wage_unpaid", note="10月工资未发")
    assert owed.status_code == 200 and owed.json()["flagged"] is True
    [flagged] = await visits(api, "flagged", **COUNTY_STAFF)
    assert flagged["outcome_text"] == "工资拖欠" and flagged["note"] == "10月工资未发"
    assert await visits(api, "flagged", role="station_staff", region="152221") == []
    outsider = api.auth("station_staff", region="152221")
    hidden = await api.client.post(f"/workers/follow-ups/{flagged['id']}/resolve", json={}, headers=outsider)
    assert hidden.status_code == 404
    resolved = await api.client.post(f"/workers/follow-ups/{flagged['id']}/resolve", json={"note": "已协调补发"},
                                     headers=api.auth(**COUNTY_STAFF))
    assert resolved.status_code == 200 and resolved.json()["note"] == "10月工资未发；处理：已协调补发"
    assert await visits(api, "flagged") == []


async def test_a_labourer_who_left_ends_the_placement_and_later_visits_are_called_off(workers_api):
    api = workers_api
    zhang = await register(api, 1)
    placement = await place(api, zhang, "2026-06-01")
    assert (await found(api, zhang, placement, 1, outcome="employed")).status_code == 200
    bad = await found(api, zhang, placement, 3, outcome="left", left_on="2027-01-01")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "left_on"
    left = await found(api, zhang, placement, 3, outcome="left", left_on="2026-10-15", note="家中有事")
    assert left.status_code == 200, left.text
    profile = (await api.client.get(f"/workers/profiles/{zhang}", headers=api.auth("admin"))).json()
    assert profile["status"] == "seeking"
    [ended] = (await api.client.get(f"/workers/profiles/{zhang}/placements", headers=api.auth("admin"))).json()
    assert (ended["ended_on"], ended["end_reason"]) == ("2026-10-15", "回访：家中有事")
    later = await found(api, zhang, placement, 6, outcome="employed")
    assert later.status_code == 409 and later.json()["message"] == "这段就业已结束，不用再回访"
    assert await visits(api, "overdue") == []


async def test_retention_at_three_and_six_months_per_county_and_employer(workers_api):
    api = workers_api  # today is 2026-11-28
    stays, goes, recent = await register(api, 1), await register(api, 2), await register(api, 3, "152221101")
    kept = await place(api, stays, "2026-05-01", posting="p-a", employer="e-a")
    lost = await place(api, goes, "2026-05-01", posting="p-b", employer="e-b")
    await place(api, recent, "2026-10-01", posting="p-a", employer="e-a")  # not three months yet
    assert (await found(api, stays, kept, 3, outcome="employed")).status_code == 200
    assert (await found(api, goes, lost, 1, outcome="left", left_on="2026-06-20")).status_code == 200
    report = (await api.client.get("/workers/follow-ups/retention", headers=api.auth("admin"))).json()
    three, six = report["total"]
    assert (three["months"], three["reached"], three["retained"], three["left"], three["share"]) == (3, 2, 1, 1, 0.5)
    assert (six["reached"], six["retained"], six["left"], six["unknown"]) == (2, 0, 1, 1)  # the 6-month visit is due
    by_employer = {row["name"]: row["figures"][0] for row in report["employers"]}
    assert by_employer["单位e-a"]["share"] == 1.0 and by_employer["单位e-b"]["share"] == 0.0
    by_county = {row["key"]: row["figures"][0] for row in report["counties"]}
    assert by_county["152222"]["reached"] == 2 and by_county["152221"]["reached"] == 0
    scoped = (await api.client.get("/workers/follow-ups/retention", headers=api.auth(
        "station_staff", region="152221"))).json()
    assert scoped["total"][0]["reached"] == 0 and [row["key"] for row in scoped["counties"]] == ["152221"]


@pytest.mark.parametrize("body", [{"outcome": "fine"}, {"outcome": "employed", "left_on": "2026-10-01"},
                                  {"outcome": "employed", "note": "x" * 201}])
async def test_a_visit_with_bad_input_is_refused_and_records_nothing(workers_api, body):
    api = workers_api
    zhang = await register(api, 1)
    placement = await place(api, zhang, "2026-06-01")
    response = await found(api, zhang, placement, 1, **body)
    assert response.status_code == 422
    assert len(await visits(api, "overdue")) == 2  # the 1- and 3-month visits both still open
    unknown = await found(api, zhang, "no-such-placement", 1, outcome="employed")
    assert unknown.status_code == 404
