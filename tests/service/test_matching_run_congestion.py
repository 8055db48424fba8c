"""A batch run spreads offers over the postings' openings, and its report names every posting offered beyond its
cap, with how many and why."""

from __future__ import annotations

from datetime import date

from services.workers.profiles.idcard import make_id_number
from tests.service.conftest import vacancy, worker


async def test_a_scarce_post_is_offered_beyond_its_cap_only_to_those_with_nothing_else_and_the_report_says_so(
        platform_api):
    api = platform_api
    admin, staff = api.auth("admin"), api.auth("station_staff", region="152222")
    made = await api.client.post("/jobs/employers", json={"name": "好腰苏木合作社", "region_code": "152222"},
                                 headers=admin)
    owner = api.auth("employer", employer_id=made.json()["id"])
    local = dict(region_code="152222105", wage_min=2600, wage_max=3200, certificates=[], skills=[], description="",
                 meals=False, lodging=False, gender=None)
    posted = {}
    # One grassland-care post with one opening (cap 5), and plenty of cleaning posts.
    for key, title, headcount in (("grass", "草原管护员", 1), ("clean1", "保洁员", 10), ("clean2", "保洁员", 10),
                                  ("clean3", "保洁员", 10)):
        response = await api.client.post("/jobs/postings", headers=owner, json=vacancy(
            title=title, occupation=title, headcount=headcount, **local))
        assert response.status_code == 201, response.text
        posted[key] = response.json()["id"]

    async def register(n: int, wants: str, intention: str) -> None:
        response = await api.client.post("/workers/profiles", headers=staff, json=worker(
            name=f"劳动力{n}", id_number=make_id_number("152222", date(1980, 1, 1 + n), n, "male"),
            phone=f"1390001{n:04d}", skills=[], certificates=[], desired_occupations=[wants],
            transfer_intention=intention, labor_capacity="full"))
        assert response.status_code == 201, response.text

    # Eight herders who will not leave home: the grassland post is the only one that fits them (cleaning is only
    # related), so each keeps it whatever its cap. Twelve cleaners have room elsewhere.
    for n in range(8):
        await register(n, "草原管护", "none")
    for n in range(8, 20):
        await register(n, "保洁", "near_home")
    await api.settle()

    started = await api.client.post("/matching/runs", json={"region_code": "152222"}, headers=staff)
    await api.settle()
    run = (await api.client.get(f"/matching/runs/{started.json()['id']}", headers=staff)).json()
    assert run["status"] == "done"
    report = run["summary"]["over_cap"]
    assert report == [{"posting_id": posted["grass"], "title": "草原管护员", "openings": 1, "cap": 5, "offers": 8,
                       "why": "附近岗位少：8人对口岗位不足3个，为保证推荐数超出名额"}]
    # The cleaning posts, with room, take the cleaners: none of them gets the scarce post.
    assert run["summary"]["offers_per_posting"][posted["grass"]] == 8
