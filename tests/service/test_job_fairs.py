"""Job fairs through the jobs API: entering one in the caller's area, its postings, invitations (the event notify
sends them from), attendance and outcomes, and the ledger of the two fairs a county holds each year.

Today is 2026-11-28 (the conftest clock)."""

from __future__ import annotations

import uuid

import pytest

from tests.service.conftest import vacancy

ZHONGQI_STAFF = {"role": "station_staff", "region": "152222"}  # 科右中旗
ULANHOT_STAFF = {"role": "station_staff", "region": "152201"}  # 乌兰浩特市
LEAGUE_STAFF = {"role": "station_staff", "region": "1522"}
ZH = {"Accept-Language": "zh-CN"}


def fair(**changes) -> dict:
    body = {"title": "科右中旗冬季招聘会", "held_on": "2026-12-10", "start_time": "09:00",
            "region_code": "152222105", "venue": "巴彦呼舒镇人力资源市场"}
    body.update(changes)
    return body


async def enter(api, scope=ZHONGQI_STAFF, **changes) -> dict:
    response = await api.client.post("/jobs/fairs", json=fair(**changes), headers=api.auth(**scope))
    assert response.status_code == 201, response.text
    return response.json()


async def open_posting(api, **changes) -> str:
    employer_id = await api.employer(name=f"兴安{uuid.uuid4().hex[:6]}有限公司", region_code="152222")
    response = await api.client.post("/jobs/postings", json=vacancy(region_code="152222", wage_min=2500,
                                                                     employer_id=employer_id, **changes),
                                     headers=api.auth("admin"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def worker_ids(n: int) -> list[str]:
    return [str(uuid.UUID(int=i + 1)) for i in range(n)]


@pytest.fixture(autouse=True)
def labourers(api):
    """Ten labourers registered at workers, living in 巴彦呼舒镇 (科右中旗); one more in 乌兰浩特市."""
    api.labourers.register(*worker_ids(10), home="152222100")
    api.labourers.register(str(uuid.UUID(int=99)), home="152201001")
    return api.labourers


async def test_staff_enter_a_fair_of_their_county_and_the_county_holds_it(api):
    created = await enter(api)
    assert created["county_code"] == "152222" and created["region_name"]
    assert created["held"] is False and created["postings"] == 0 and created["attendees"] == []
    listed = (await api.client.get("/jobs/fairs", headers=api.auth(**ZHONGQI_STAFF))).json()
    assert [f["id"] for f in listed["items"]] == [created["id"]]


@pytest.mark.parametrize(("changes", "field"), [
    ({"region_code": "152200"}, "region_code"),  # the League as a whole is no place
    ({"region_code": "999999"}, "region_code"),
    ({"region_code": "152201"}, "region_code"),  # another county than the staff's
    ({"held_on": "2024-06-01"}, "held_on"),
    ({"held_on": "2028-06-01"}, "held_on"),
    ({"start_time": "25:00"}, "start_time"),
    ({"title": ""}, "title"),
    ({"venue": "x" * 101}, "venue"),
    ({"held_on": "明天"}, "held_on"),
])
async def test_a_fair_that_breaks_a_rule_is_refused_in_chinese(api, changes, field):
    response = await api.client.post("/jobs/fairs", json=fair(**changes), headers={**api.auth(**ZHONGQI_STAFF), **ZH})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "invalid" and any(d["field"].startswith(field) for d in body["detail"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


async def test_roles_without_fairs_are_refused_and_another_county_sees_nothing(api):
    created = await enter(api)
    for role in ({"role": "employer", "employer_id": "e-1"}, {"role": "partner_office", "office_id": "fengtai"}):
        response = await api.client.get("/jobs/fairs", headers=api.auth(**role))
        assert response.status_code == 403
    other = api.auth(**ULANHOT_STAFF)
    assert (await api.client.get(f"/jobs/fairs/{created['id']}", headers=other)).status_code == 404
    assert (await api.client.post(f"/jobs/fairs/{created['id']}/invitations", json={"worker_ids": worker_ids(1)},
                                  headers=other)).status_code == 404
    assert (await api.client.get("/jobs/fairs", headers=other)).json()["items"] == []
    assert (await api.client.get(f"/jobs/fairs/{created['id']}", headers=api.auth(**LEAGUE_STAFF))).status_code == 200


async def test_only_open_postings_join_a_fair_and_bring_their_employer(api):
    created = await enter(api)
    posting = await open_posting(api)
    closed = await open_posting(api)
    await api.client.post(f"/jobs/postings/{closed}/close", headers=api.auth("admin"))
    url, staff = f"/jobs/fairs/{created['id']}/postings", api.auth(**ZHONGQI_STAFF)
    refused = await api.client.post(url, json={"posting_ids": [posting, closed]}, headers={**staff, **ZH})
    assert refused.status_code == 422 and "已关闭" in refused.json()["message"]
    unknown = await api.client.post(url, json={"posting_ids": ["no-such-posting"]}, headers=staff)
    assert unknown.status_code == 422
    added = await api.client.post(url, json={"posting_ids": [posting, posting]}, headers=staff)
    assert added.status_code == 200, added.text
    again = (await api.client.post(url, json={"posting_ids": [posting]}, headers=staff)).json()
    assert again["postings"] == 1 and again["employers"] == 1
    assert [p["posting_id"] for p in again["posting_list"]] == [posting]


async def test_invitations_publish_one_event_with_the_new_workers_only(api):
    created = await enter(api)
    await api.client.post(f"/jobs/fairs/{created['id']}/postings", json={"posting_ids": [await open_posting(api)]},
                          headers=api.auth(**ZHONGQI_STAFF))
    url, staff = f"/jobs/fairs/{created['id']}/invitations", api.auth(**ZHONGQI_STAFF)
    first, second, third = worker_ids(3)
    response = await api.client.post(url, json={"worker_ids": [first, second]}, headers=staff)
    assert response.status_code == 200, response.text
    assert response.json() == {"invited": [first, second], "already_invited": []}
    again = (await api.client.post(url, json={"worker_ids": [second, third]}, headers=staff)).json()
    assert again == {"invited": [third], "already_invited": [second]}
    assert (await api.client.post(url, json={"worker_ids": [first]}, headers=staff)).json()["invited"] == []
    events = await api.events("jobs.fair.invited")
    assert [e.data["worker_ids"] for e in events] == [[first, second], [third]]
    data = events[0].data
    assert data["held_on"] == "2026-12-10" and data["start_time"] == "09:00" and data["postings"] == 1
    assert data["venue"] == "巴彦呼舒镇人力资源市场" and data["invited_within"] == "152222"
    assert not {"phone", "name", "id_number"} & data.keys()
    assert (await api.client.post(url, json={"worker_ids": ["张秀英"]}, headers=staff)).status_code == 422
    assert (await api.client.post(url, json={"worker_ids": []}, headers=staff)).status_code == 422


async def test_staff_invite_only_registered_labourers_of_their_own_area_and_a_refusal_invites_nobody(api):
    """An invitation is a message in the inviter's name: a labourer of another county (or an id that is no
    registered labourer) answers 404, and the batch it came in invites nobody."""
    created = await enter(api)
    url, staff = f"/jobs/fairs/{created['id']}/invitations", api.auth(**ZHONGQI_STAFF)
    ulanhot, unknown = str(uuid.UUID(int=99)), str(uuid.UUID(int=1000))
    for outsider in (ulanhot, unknown):
        refused = await api.client.post(url, json={"worker_ids": [worker_ids(1)[0], outsider]},
                                        headers=staff | ZH)
        assert refused.status_code == 404, refused.text
        assert "不在本辖区" in refused.json()["message"]
    assert await api.events("jobs.fair.invited") == []
    detail = (await api.client.get(f"/jobs/fairs/{created['id']}", headers=staff)).json()
    assert detail["attendees"] == []
    # Admin may invite any registered labourer, of any county.
    admitted = await api.client.post(url, json={"worker_ids": [ulanhot]}, headers=api.auth("admin"))
    assert admitted.status_code == 200 and admitted.json()["invited"] == [ulanhot]


async def test_no_invitations_after_the_fair_and_no_attendance_before_it(api):
    past = await enter(api, held_on="2026-11-20")
    coming = await enter(api)
    staff = {**api.auth(**ZHONGQI_STAFF), **ZH}
    late = await api.client.post(f"/jobs/fairs/{past['id']}/invitations", json={"worker_ids": worker_ids(1)},
                                 headers=staff)
    assert late.status_code == 409 and "结束" in late.json()["message"]
    early = await api.client.put(f"/jobs/fairs/{coming['id']}/attendees/{worker_ids(1)[0]}", json={},
                                 headers=staff)
    assert early.status_code == 409 and "还没举办" in early.json()["message"]


async def test_attendance_walk_ins_and_outcomes_by_posting(api, clock):
    created = await enter(api, held_on="2026-11-28")  # today
    posting = await open_posting(api)
    staff = api.auth(**ZHONGQI_STAFF)
    base = f"/jobs/fairs/{created['id']}"
    await api.client.post(f"{base}/postings", json={"posting_ids": [posting]}, headers=staff)
    invited, walk_in, absent = worker_ids(3)
    await api.client.post(f"{base}/invitations", json={"worker_ids": [invited, absent]}, headers=staff)
    came = await api.client.put(f"{base}/attendees/{invited}", json={"outcome": "hired", "posting_id": posting},
                                headers=staff)
    assert came.status_code == 200, came.text
    assert came.json() | {"invited_at": None} == {
        "worker_id": invited, "invited": True, "invited_at": None, "walk_in": False, "attended": True,
        "outcome": "hired", "outcome_text": "当场录用", "posting_id": posting}
    walked = (await api.client.put(f"{base}/attendees/{walk_in}", json={"outcome": "intention",
                                                                        "posting_id": posting}, headers=staff)).json()
    assert walked["walk_in"] is True and walked["outcome_text"] == "达成意向"
    not_here = await api.client.put(f"{base}/attendees/{absent}", json={"attended": False, "outcome": "hired",
                                                                          "posting_id": posting}, headers=staff)
    assert not_here.status_code == 422
    other_posting = await api.client.put(f"{base}/attendees/{absent}", json={"outcome": "hired",
                                                                               "posting_id": "elsewhere"},
                                         headers=staff)
    assert other_posting.status_code == 422
    detail = (await api.client.get(base, headers=staff)).json()
    assert (detail["invited"], detail["attended"], detail["hired"]) == (2, 2, 1)
    assert {a["worker_id"]: a["attended"] for a in detail["attendees"]} == {invited: True, walk_in: True,
                                                                            absent: False}


async def yearly(api, year: int, scope=None) -> dict:
    response = await api.client.get(f"/jobs/fairs/yearly?year={year}", headers=api.auth(**(scope or {"role": "admin"})))
    assert response.status_code == 200, response.text
    return {row["county_code"]: row for row in response.json()["counties"]}


async def test_the_ledger_counts_a_county_met_with_two_fairs_held_in_the_year(api):
    first = await enter(api, held_on="2026-05-12")
    rows = await yearly(api, 2026)
    assert set(rows) == {"152201", "152202", "152221", "152222", "152223", "152224"}
    assert (rows["152222"]["count"], rows["152222"]["met"]) == (1, False)
    assert [f["id"] for f in rows["152222"]["fairs"]] == [first["id"]]
    coming = await enter(api)  # 2026-12-10: planned, not yet held
    await enter(api, held_on="2027-03-01")  # next year: not counted for 2026
    await enter(api, ULANHOT_STAFF, region_code="152201", held_on="2026-06-01")
    rows = await yearly(api, 2026)
    assert (rows["152222"]["count"], rows["152222"]["met"]) == (1, False)
    assert [f["id"] for f in rows["152222"]["planned"]] == [coming["id"]]
    second = await enter(api, held_on="2026-11-28", region_code="152222")  # today counts as held
    rows = await yearly(api, 2026)
    assert (rows["152222"]["count"], rows["152222"]["met"]) == (2, True)
    assert [f["id"] for f in rows["152222"]["fairs"]] == [first["id"], second["id"]]
    assert (rows["152201"]["count"], rows["152201"]["met"]) == (1, False)
    assert rows["152223"]["count"] == 0
    assert (await yearly(api, 2027))["152222"]["planned"][0]["held_on"] == "2027-03-01"
    assert set(await yearly(api, 2026, ZHONGQI_STAFF)) == {"152222"}
    bad = await api.client.get("/jobs/fairs/yearly?year=twenty", headers=api.auth("admin"))
    assert bad.status_code == 422
