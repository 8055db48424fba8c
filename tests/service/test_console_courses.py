"""The console's 培训课程 pages against the real services in one process: a clerk holds a course (after correcting the
form), enrols a labourer whose offers fall short for want of the course's certificate from the offers page, enrols
another from the candidates, and records completion with the certificate."""

from __future__ import annotations

import re
from datetime import date

from services.workers.profiles.idcard import make_id_number
from tests.service.conftest import vacancy, worker
from tests.service.console_world import STAFF_REGION


async def register(console, n: int, birth: date, gender: str, **changes) -> str:
    body = worker(name=f"学员{n}号", id_number=make_id_number(STAFF_REGION, birth, n, gender),
                  phone=f"1380000{n:04d}", **changes)
    answer = await console.client.post("/workers/profiles", json=body, headers=console.auth("admin"))
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def test_a_clerk_holds_a_course_and_enrols_from_the_offers_page_and_the_candidates(console):
    admin = console.auth("admin")
    employer = (await console.client.get("/jobs/employers", headers=admin)).json()
    employer_id = (employer["items"] if isinstance(employer, dict) else employer)[0]["id"]
    for n in range(3):  # welding posts for men up to 60 that ask for a welder's certificate
        answer = await console.client.post("/jobs/postings", headers=admin, json={**vacancy(
            title=f"电焊工{n + 1}", occupation="电焊工", description="钢结构焊接", skills=["电焊"], age_max=60,
            certificates=["焊工证"]), "employer_id": employer_id})
        assert answer.status_code == 201, answer.text
    # 57: too old for the League's household posts (up to 55); no welder's certificate for the welding posts.
    welder = await register(console, 1, date(1969, 5, 1), "male", desired_occupations=["电焊工"], skills=["电焊"],
                            certificates=[], wants_training=False)
    learner = await register(console, 2, date(1990, 5, 1), "male", wants_training=True)
    too_old = await register(console, 3, date(1965, 5, 1), "male", wants_training=True)  # 61 at the start
    await console.settle()

    clerk = await console.browser("station1")
    listing = await clerk.get("/console/courses")
    assert listing.status_code == 200 and "现在没有可报名的课程" in listing.text and "培训课程" in listing.text
    form = await clerk.get("/console/courses/new")
    assert 'name="csrf"' in form.text and "科尔沁右翼中旗" in form.text
    course = {"title": "焊工培训班", "occupation_code": "6-18-02", "provider": "科右中旗职业培训学校",
              "region_code": STAFF_REGION, "hours": "abc", "start_on": "2026-12-10", "end_on": "2026-12-20",
              "seats": "10", "certificate": "焊工证"}
    refused = await clerk.submit("/console/courses/new", course | {"occupation_code": "9-99-99"})
    assert refused.status_code == 422 and "请看标红的项目" in refused.text
    assert "应填整数" in refused.text or "请填写整数" in refused.text
    refused = await clerk.submit("/console/courses/new", course | {"hours": "60", "occupation_code": "9-99-99"})
    assert refused.status_code == 422 and "职业代码不对" in refused.text
    assert (await clerk.submit("/console/courses/new", course | {"hours": "60"}, csrf="forged")).status_code == 403
    made = await clerk.submit("/console/courses/new", course | {"hours": "60"})
    assert made.status_code == 303, made.text
    course_path = made.headers["location"].split("?")[0]
    course_id = course_path.rsplit("/", 1)[1]

    offers = await clerk.get(f"/console/workers/{welder}/offers")
    assert offers.status_code == 200 and "要求焊工证" in offers.text, offers.text
    assert "考证培训：可以报名的课程" in offers.text and f"/console/workers/{welder}/courses/{course_id}" in offers.text
    enrolled = await clerk.submit(f"/console/workers/{welder}/courses/{course_id}")
    assert enrolled.status_code == 303 and enrolled.headers["location"].endswith("/offers?enrolled=1")
    again = await clerk.submit(f"/console/workers/{welder}/courses/{course_id}")
    assert again.status_code == 409 and "已经报名" in again.text

    page = await clerk.get(course_path)
    assert page.status_code == 200 and "已报名（1人）" in page.text and "学员1号" in page.text
    assert "学员2号" in page.text and "参加补贴培训只到60周岁，开课时他已61周岁" in page.text
    assert f'name="worker_id" value="{too_old}"' not in page.text
    console.clock.advance(minutes=5)
    assert (await clerk.submit(f"{course_path}/enrol", {"worker_id": learner})).status_code == 303
    assert (await clerk.submit(f"{course_path}/enrol", {"worker_id": too_old})).status_code == 409

    other_county = await console.browser("station2")
    assert (await other_county.get(course_path)).status_code == 404
    assert "焊工培训班" not in (await other_county.get("/console/courses?show=all")).text

    console.clock.advance(days=23)  # 2026-12-21: the course is over
    clerk = await console.browser("station1")
    page = await clerk.get(course_path)
    seats = re.findall(rf"/console/courses/{course_id}/enrolments/([0-9a-f-]{{36}})/outcome", page.text)
    assert len(seats) == 2  # in the order they enrolled: the welder first
    done = await clerk.submit(f"{course_path}/enrolments/{seats[0]}/outcome",
                              {"outcome": "completed", "certificate_gained": "1"})
    assert done.status_code == 303 and done.headers["location"].endswith("?recorded=1")
    page = await clerk.get(done.headers["location"])
    assert "已登记" in page.text and "结业，取得焊工证" in page.text
    profile = (await console.client.get(f"/workers/profiles/{welder}", headers=admin)).json()
    assert profile["certificates"] == ["焊工证"]
    await console.settle()  # matching hears of the certificate through the profile's update
    offers = await clerk.get(f"/console/workers/{welder}/offers")
    assert "电焊工1" in offers.text and "要求焊工证" not in offers.text and "考证培训" not in offers.text
    dropped = await clerk.submit(f"{course_path}/enrolments/{seats[1]}/outcome",
                                 {"outcome": "dropped", "certificate_gained": "1"})
    assert dropped.status_code == 422 and "结业了才能登记取得证书" in dropped.text
