"""Training courses on a small county registered by hand: the catalogue and its scope, who may take a seat (55 and 56
class hours, women of 55 and 56 on a household-service course, men), seats and dates, and a completion that adds the
certificate for matching and counts once in the report's "trained" figure."""

from __future__ import annotations

from datetime import date

import pytest

from services.workers.profiles.idcard import make_id_number
from tests.service.conftest import worker

COUNTY, OTHER_COUNTY = "152222", "152221"  # 科右中旗, 科右前旗
HAOYAO = "152222105"
STAFF = {"role": "station_staff", "region": COUNTY}
OTHER_STAFF = {"role": "station_staff", "region": OTHER_COUNTY}
START, END = "2026-12-10", "2026-12-20"  # the clock says 2026-11-28


async def register(api, n: int, birth: date, gender: str = "female", home: str = HAOYAO, **changes) -> str:
    body = worker(name=f"学员{n}", id_number=make_id_number(home[:6], birth, n, gender), phone=f"1390000{n:04d}",
                  home_region_code=home, **({"wants_training": True, "certificates": []} | changes))
    response = await api.client.post("/workers/profiles", json=body, headers=api.auth("admin"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def course(**changes) -> dict:
    body = {"title": "家政服务员（育婴方向）培训班", "occupation_code": "4-10-01-06", "provider": "科右中旗职业培训学校",
            "region_code": COUNTY, "hours": 56, "start_on": START, "end_on": END, "seats": 20,
            "certificate": "育婴员证"}
    return body | changes


async def call(api, method: str, path: str, body: dict | None = None, status: int = 200, *,
               scope: dict | None = None):
    scope = dict(scope or {"role": "admin"})
    response = await api.client.request(method, path, json=body, headers=api.auth(scope.pop("role"), **scope)
                                        | {"Accept-Language": "zh-CN"})
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def hold(api, status: int = 201, scope: dict | None = None, **changes) -> dict:
    return await call(api, "POST", "/workers/courses", course(**changes), status, scope=scope or STAFF)


async def enrol(api, course_id: str, worker_id: str, status: int = 201, scope: dict | None = None) -> dict:
    return await call(api, "POST", f"/workers/courses/{course_id}/enrolments", {"worker_id": worker_id}, status,
                      scope=scope or STAFF)


async def test_a_course_is_held_in_the_staff_members_region_with_its_occupation_checked(workers_api):
    api = workers_api
    made = await hold(api)
    assert made["household_service"] is True and made["subsidised"] is True and made["open"] is True
    assert made["occupation_name"] == "家政服务员" and made["region_name"] == "科尔沁右翼中旗"
    assert made["seats_left"] == 20
    welding = await hold(api, title="焊工培训班", occupation_code="6-18-02", certificate="焊工证")
    assert welding["household_service"] is False
    assert (await hold(api, occupation_code="4-10-01"))["household_service"] is True  # the small group itself
    assert (await hold(api, occupation_code="4-14-01-02"))["household_service"] is True  # 医疗护理员
    assert (await hold(api, occupation_code="4-14-01-04"))["household_service"] is False  # 呼吸治疗师

    bad = await hold(api, 422, occupation_code="4-10-98")
    assert bad["detail"][0]["field"] == "occupation_code" and "职业代码" in bad["detail"][0]["msg"]
    assert (await hold(api, 422, region_code="110106"))["detail"][0]["msg"] == "上课地点不是兴安盟的旗县市或苏木乡镇"
    assert (await hold(api, 422, end_on="2026-12-01"))["detail"][0]["msg"] == "结束日期早于开始日期"
    assert "今天以后" in (await hold(api, 422, start_on="2026-11-28"))["message"]
    assert (await hold(api, 422, seats=0))["detail"][0]["field"] == "seats"
    assert (await hold(api, 422, certificate="（初级）"))["detail"][0]["field"] == "certificate"
    refused = await hold(api, 403, region_code="152221101")  # a township of the other county
    assert refused["message"] == "上课地点不在您负责的地区内"
    assert (await hold(api, 201, scope={"role": "admin"}, region_code="152221101"))["region_code"] == "152221101"


async def test_the_catalogue_filters_by_occupation_place_and_openness_within_the_callers_region(workers_api):
    api = workers_api
    nanny = await hold(api)
    await hold(api, title="焊工培训班", occupation_code="6-18-02", region_code=HAOYAO, certificate="焊工证")
    small = await hold(api, title="小班", seats=1, hours=30)
    other = await hold(api, scope={"role": "admin"}, region_code="152221101")
    await enrol(api, small["id"], await register(api, 1, date(1990, 1, 1)))

    async def titles(query: str = "", scope: dict | None = None) -> list[str]:
        found = await call(api, "GET", f"/workers/courses{query}", scope=scope or STAFF)
        assert found["total"] == len(found["items"])
        return sorted(c["id"] for c in found["items"])

    assert len(await titles()) == 3 and other["id"] not in await titles()
    assert await titles("?occupation=4-10-01") == sorted([nanny["id"], small["id"]])
    assert len(await titles(f"?region={HAOYAO}")) == 1
    assert small["id"] not in await titles("?open=true") and nanny["id"] in await titles("?open=true")
    assert await titles(scope=OTHER_STAFF) == [other["id"]]
    # A township's staff see the county's courses and their own township's, not the other townships'.
    township = await titles(scope={"role": "station_staff", "region": "152222200"})
    assert nanny["id"] in township and len(township) == 2
    assert len(await titles(scope={"role": "admin"})) == 4
    await call(api, "GET", f"/workers/courses/{other['id']}", status=404, scope=STAFF)
    await call(api, "GET", "/workers/courses?occupation=welding", status=422)
    await call(api, "GET", "/workers/courses", status=403, scope={"role": "employer", "employer_id": "e1"})


async def test_55_class_hours_can_be_taken_but_are_not_subsidised_training_and_56_are(workers_api):
    api = workers_api
    short, full = await hold(api, hours=55), await hold(api, hours=56)
    assert short["subsidised"] is False and full["subsidised"] is True
    someone = await register(api, 1, date(1990, 1, 1))
    seat = await enrol(api, short["id"], someone)
    assert seat["subsidised"] is False
    assert seat["notes"] == ["本课程55学时，不足56学时，可以参加，但不算补贴培训"]
    seat = await enrol(api, full["id"], someone)
    assert seat["subsidised"] is True and seat["notes"] == []
    # Age limits belong to the subsidy: a woman of 56 may take a seat on a course that is not subsidised.
    older = await register(api, 2, date(1970, 12, 10))
    assert (await enrol(api, short["id"], older))["subsidised"] is False


async def test_women_keep_the_household_service_subsidy_up_to_55_at_the_start_and_men_their_own_limit(workers_api):
    api = workers_api
    nanny = await hold(api)  # 4-10-01-06 家政服务员, starts 2026-12-10
    welding = await hold(api, title="焊工培训班", occupation_code="6-18-02", certificate="焊工证")
    turns_55 = await register(api, 1, date(1971, 12, 10))  # 55 on the first day of the course
    turns_56 = await register(api, 2, date(1970, 12, 10))  # 56 on the first day
    still_55 = await register(api, 3, date(1970, 12, 11))  # 56 the day after the start: 55 at the start
    man_56 = await register(api, 4, date(1970, 12, 10), gender="male")
    man_61 = await register(api, 5, date(1965, 12, 10), gender="male")

    seat = await enrol(api, nanny["id"], turns_55)
    assert seat["subsidised"] is True and seat["notes"] == ["建档立卡女性参加家政服务培训，补贴年龄放宽到55周岁"]
    assert (await enrol(api, nanny["id"], still_55))["subsidised"] is True
    refused = await enrol(api, nanny["id"], turns_56, 409)
    assert refused["code"] == "not_eligible" and refused["message"] == "家政服务培训补贴只到55周岁，开课时她已56周岁"
    # The relaxation is for household service: on a welding course a woman's limit is 50.
    refused = await enrol(api, welding["id"], turns_55, 409)
    assert refused["message"] == "女性参加补贴培训只到50周岁（家政服务培训到55周岁），开课时她已55周岁"
    # Men are not covered by the rule: their limit (60) holds on every course.
    assert (await enrol(api, nanny["id"], man_56))["subsidised"] is True
    refused = await enrol(api, nanny["id"], man_61, 409)
    assert refused["message"] == "参加补贴培训只到60周岁，开课时他已61周岁"

    candidates = await call(api, "GET", f"/workers/courses/{nanny['id']}/candidates", scope=STAFF)
    listed = {c["worker_id"]: c for c in candidates["items"]}
    assert set(listed) == {turns_56, man_61} and candidates["total"] == 2
    assert listed[turns_56]["eligible"] is False and listed[turns_56]["age"] == 56
    assert listed[turns_56]["reasons"] == ["家政服务培训补贴只到55周岁，开课时她已56周岁"]


async def test_the_last_seat_goes_once_and_enrolment_closes_when_the_course_begins(workers_api):
    api = workers_api
    one_seat = await hold(api, seats=1)
    first, second = await register(api, 1, date(1990, 1, 1)), await register(api, 2, date(1991, 1, 1))
    await enrol(api, one_seat["id"], first)
    again = await enrol(api, one_seat["id"], first, 409)
    assert again["code"] == "already_enrolled"
    full = await enrol(api, one_seat["id"], second, 409)
    assert full["code"] == "course_full" and full["message"] == "名额已满（共1个）"
    read = await call(api, "GET", f"/workers/courses/{one_seat['id']}", scope=STAFF)
    assert read["taken"] == 1 and read["seats_left"] == 0 and read["open"] is False

    roomy = await hold(api)
    api.clock.advance(days=11)  # 2026-12-09, the day before the start: the last day to enrol
    await enrol(api, roomy["id"], first)
    api.clock.advance(days=1)  # 2026-12-10, the first day of the course
    closed = await enrol(api, roomy["id"], second, 409)
    assert closed["code"] == "enrolment_closed" and closed["message"] == "课程已于2026-12-10开课，不能再报名"
    api.clock.advance(days=11)
    ended = await enrol(api, roomy["id"], second, 409)
    assert ended["message"] == "课程已于2026-12-20结束，不能再报名"


async def test_staff_enrol_only_workers_of_their_region_on_courses_they_can_see(workers_api):
    api = workers_api
    ours = await hold(api)
    theirs = await hold(api, scope={"role": "admin"}, region_code=OTHER_COUNTY)
    our_worker = await register(api, 1, date(1990, 1, 1))
    their_worker = await register(api, 2, date(1990, 1, 1), home="152221101")
    assert (await enrol(api, ours["id"], their_worker, 404))["message"] == "没有找到这位劳动力"
    assert (await enrol(api, theirs["id"], our_worker, 404))["message"] == "没有找到这个培训课程"
    await enrol(api, ours["id"], our_worker, 404, scope=OTHER_STAFF)
    await enrol(api, ours["id"], "no-such-worker", 404)
    await call(api, "POST", f"/workers/courses/{ours['id']}/enrolments", {"worker_id": ""}, 422, scope=STAFF)
    # Admin may seat a worker of the other county on our course; our staff do not see that enrolment.
    seat = await enrol(api, ours["id"], their_worker, scope={"role": "admin"})
    assert await call(api, "GET", f"/workers/courses/{ours['id']}/enrolments", scope=STAFF) == []
    await call(api, "PUT", f"/workers/courses/{ours['id']}/enrolments/{seat['id']}/outcome",
               {"outcome": "dropped"}, 404, scope=STAFF)


async def test_candidates_are_the_counties_workers_who_want_training_and_have_no_seat(workers_api):
    api = workers_api
    nanny = await hold(api)
    wants = await register(api, 1, date(1990, 1, 1))
    await register(api, 2, date(1990, 1, 1), wants_training=False)
    await register(api, 3, date(1990, 1, 1), home="152221101")  # another county
    township = await register(api, 4, date(1990, 1, 1), home="152222200")
    found = await call(api, "GET", f"/workers/courses/{nanny['id']}/candidates", scope=STAFF)
    assert {c["worker_id"] for c in found["items"]} == {wants, township}
    assert all(c["eligible"] and c["reasons"] == [] for c in found["items"])
    await enrol(api, nanny["id"], wants)
    found = await call(api, "GET", f"/workers/courses/{nanny['id']}/candidates", scope=STAFF)
    assert [c["worker_id"] for c in found["items"]] == [township]
    enrolled = await call(api, "GET", f"/workers/courses/{nanny['id']}/enrolments", scope=STAFF)
    assert [e["worker_id"] for e in enrolled] == [wants] and enrolled[0]["worker_name"] == "学员1"
    assert "phone" not in enrolled[0] and "id_number" not in enrolled[0]


async def trained(api, month: str = "2026-12") -> tuple[int, int]:
    report = await call(api, "GET", f"/workers/reports/monthly/{month}?region={COUNTY}")
    county = next(c for c in report["counties"] if c["code"] == COUNTY)
    goal = next(g for g in county["goals"] if g["key"] == "training")
    return goal["numerator"], goal["denominator"]


async def test_completion_adds_the_certificate_for_matching_and_counts_once_as_trained(workers_api):
    api = workers_api
    nanny = await hold(api, certificate="育婴员证（初级）")
    short = await hold(api, hours=55)
    learner, dropper = await register(api, 1, date(1990, 1, 1)), await register(api, 2, date(1991, 1, 1))
    seat = await enrol(api, nanny["id"], learner)
    other_seat = await enrol(api, nanny["id"], dropper)
    short_seat = await enrol(api, short["id"], dropper)
    outcome = f"/workers/courses/{nanny['id']}/enrolments/{seat['id']}/outcome"
    done = {"outcome": "completed", "certificate_gained": True}

    assert (await call(api, "PUT", outcome, done, 409, scope=STAFF))["code"] == "course_not_ended"
    api.clock.advance(days=23)  # 2026-12-21
    assert await trained(api) == (0, 2)
    before = len(await api.events("workers.profile.updated"))

    completed = await call(api, "PUT", outcome, done, scope=STAFF)
    assert completed["outcome"] == "completed" and completed["certificate_gained"] is True
    profile = await call(api, "GET", f"/workers/profiles/{learner}", scope=STAFF)
    assert profile["certificates"] == ["育婴员证（初级）"]
    events = await api.events("workers.profile.updated")
    assert len(events) == before + 1 and events[-1].subject == learner
    assert events[-1].data["certificates"] == ["育婴员证（初级）"]
    records = await call(api, "GET", f"/workers/profiles/{learner}/training", scope=STAFF)
    assert [(r["course"], r["hours"], r["completed"], r["certificate"], r["subsidised"]) for r in records] == [
        (nanny["title"], 56, True, "育婴员证（初级）", True)]
    assert await trained(api) == (1, 2)

    again = await call(api, "PUT", outcome, done, scope=STAFF)  # a repeated request changes nothing
    assert again == completed
    assert len(await api.events("workers.profile.updated")) == before + 1
    assert len(await call(api, "GET", f"/workers/profiles/{learner}/training", scope=STAFF)) == 1
    assert await trained(api) == (1, 2)
    changed = await call(api, "PUT", outcome, {"outcome": "dropped"}, 409, scope=STAFF)
    assert changed["message"] == "这个人的结业情况已经登记过了，不能改"

    # A dropout writes no training record; a completed course of 55 hours is recorded but is not subsidised.
    await call(api, "PUT", f"/workers/courses/{nanny['id']}/enrolments/{other_seat['id']}/outcome",
               {"outcome": "dropped"}, scope=STAFF)
    await call(api, "PUT", f"/workers/courses/{short['id']}/enrolments/{short_seat['id']}/outcome",
               {"outcome": "completed", "certificate_gained": False}, scope=STAFF)
    records = await call(api, "GET", f"/workers/profiles/{dropper}/training", scope=STAFF)
    assert [(r["hours"], r["subsidised"]) for r in records] == [(55, False)]
    assert await trained(api) == (1, 2)
    listing = await call(api, "GET", f"/workers/reports/monthly/2026-12/profiles?figure=trained&region={COUNTY}")
    assert [p["id"] for p in listing["items"]] == [learner]


async def test_a_certificate_the_worker_holds_is_not_added_twice_and_outcomes_are_checked(workers_api):
    api = workers_api
    nanny = await hold(api, certificate="育婴员证")
    no_certificate = await hold(api, certificate=None)
    holder = await register(api, 1, date(1990, 1, 1), certificates=["育婴员证 (初级)"])
    seat = await enrol(api, nanny["id"], holder)
    bare = await enrol(api, no_certificate["id"], holder)
    path = f"/workers/courses/{nanny['id']}/enrolments/{seat['id']}/outcome"
    await call(api, "PUT", path, {"outcome": "dropped"}, 409, scope=STAFF)  # not begun yet
    wrong = await call(api, "PUT", path, {"outcome": "dropped", "certificate_gained": True}, 422, scope=STAFF)
    assert wrong["detail"][0]["msg"] == "结业了才能登记取得证书"
    await call(api, "PUT", path, {"outcome": "graduated"}, 422, scope=STAFF)
    await call(api, "PUT", f"/workers/courses/{nanny['id']}/enrolments/{bare['id']}/outcome",
               {"outcome": "dropped"}, 404, scope=STAFF)  # an enrolment of another course
    api.clock.advance(days=23)
    before = len(await api.events("workers.profile.updated"))
    await call(api, "PUT", path, {"outcome": "completed", "certificate_gained": True}, scope=STAFF)
    assert (await call(api, "GET", f"/workers/profiles/{holder}", scope=STAFF))["certificates"] == ["育婴员证 (初级)"]
    assert len(await api.events("workers.profile.updated")) == before
    none = await call(api, "PUT", f"/workers/courses/{no_certificate['id']}/enrolments/{bare['id']}/outcome",
                      {"outcome": "completed", "certificate_gained": True}, 422, scope=STAFF)
    assert none["detail"][0]["msg"] == "这个课程不发证书"


async def test_open_courses_are_found_by_the_certificate_a_worker_lacks(workers_api):
    api = workers_api
    nanny = await hold(api, certificate="育婴员证（初级）")
    full = await hold(api, certificate="育婴员证", seats=1)
    await hold(api, title="焊工培训班", occupation_code="6-18-02", certificate="焊工证")
    elsewhere = await hold(api, scope={"role": "admin"}, region_code=OTHER_COUNTY, certificate="育婴员证")
    await enrol(api, full["id"], await register(api, 1, date(1990, 1, 1)))

    async def found(query: str, scope: dict | None = None) -> list[str]:
        return [c["id"] for c in await call(api, "GET", f"/workers/courses/for-certificate?{query}",
                                            scope=scope or STAFF)]

    assert await found("certificate=育婴员证") == [nanny["id"]]
    assert await found("certificate= 育婴员证 【初级】") == [nanny["id"]]
    assert await found(f"certificate=育婴员证&region={HAOYAO}") == [nanny["id"]]
    assert await found(f"certificate=育婴员证&region={OTHER_COUNTY}") == []  # not our staff's
    assert await found(f"certificate=育婴员证&region={OTHER_COUNTY}", {"role": "admin"}) == [elsewhere["id"]]
    assert await found("certificate=电工证") == []
    assert await found("certificate=（）") == []
    await call(api, "GET", "/workers/courses/for-certificate?certificate=", status=422, scope=STAFF)
    await call(api, "GET", "/workers/courses/for-certificate", status=422, scope=STAFF)
    api.clock.advance(days=12)  # begun: no longer open
    assert await found("certificate=育婴员证") == []


@pytest.mark.parametrize("path", ["/workers/courses/nope", "/workers/courses/nope/enrolments",
                                  "/workers/courses/nope/candidates"])
async def test_an_unknown_course_is_not_found(workers_api, path):
    assert (await call(workers_api, "GET", path, status=404, scope=STAFF))["message"] == "没有找到这个培训课程"
