"""Start-ups: the one-time start-up subsidy condition on a worker's record and on an area's list, scoped."""

from __future__ import annotations

from datetime import date

from services.workers.profiles.idcard import make_id_number
from tests.service.conftest import worker

COUNTY = {"role": "station_staff", "region": "152222"}
ZH = {"Accept-Language": "zh"}


async def register(api, n: int, home: str = "152222105", *, wants: bool = False) -> str:
    body = worker(id_number=make_id_number(home[:6], date(1984, 2, n), n, "female"), phone=f"1390000{n:04d}",
                  home_region_code=home, name=f"创业{n}", wants_entrepreneurship=wants)
    response = await api.client.post("/workers/profiles", json=body, headers=api.auth("admin"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def support(api, worker_id: str, **dates) -> dict:
    response = await api.client.put(f"/workers/profiles/{worker_id}/startup-support", json=dates,
                                    headers=api.auth(**COUNTY))
    assert response.status_code == 200, response.text
    return response.json()


async def startups(api, scope=None, **query) -> dict:
    response = await api.client.get("/workers/startups", params=query, headers=api.auth(**(scope or COUNTY)))
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_record_says_whether_six_months_of_operating_are_complete(workers_api):
    api = workers_api  # today is 2026-11-28
    exactly, short = await register(api, 1), await register(api, 2)
    met = await support(api, exactly, registered_on="2026-05-20", operating_since="2026-05-28")
    assert met["subsidy"] == {"on": "2026-11-28", "eligible": True, "missing": [], "met_from": "2026-11-28"}
    await support(api, short, guidance_on="2026-04-01", registered_on="2026-05-20", operating_since="2026-05-29")
    read = await api.client.get(f"/workers/profiles/{short}/startup-support", headers=api.auth(**COUNTY))
    assert read.json()["subsidy"] == {"on": "2026-11-28", "eligible": False, "missing": ["经营未满6个月（还差1天）"],
                                      "met_from": "2026-11-29"}
    api.clock.advance(days=1)
    read = await api.client.get(f"/workers/profiles/{short}/startup-support", headers=api.auth(**COUNTY))
    assert read.json()["subsidy"]["eligible"] is True


async def test_an_area_lists_its_start_ups_by_the_subsidy_condition(workers_api):
    api = workers_api
    ready, waiting, wishing = await register(api, 1), await register(api, 2), await register(api, 3, wants=True)
    await register(api, 4)  # neither a wish nor a record: not a start-up
    elsewhere = await register(api, 5, home="152221101", wants=True)
    await support(api, ready, registered_on="2026-01-05", operating_since="2026-02-01")
    await support(api, waiting, guidance_on="2026-10-10")
    everyone = await startups(api)
    assert (everyone["total"], everyone["eligible"], everyone["not_yet"]) == (3, 1, 2)
    assert elsewhere not in [row["worker_id"] for row in everyone["items"]]
    [eligible] = (await startups(api, subsidy="eligible"))["items"]
    assert eligible["worker_id"] == ready and eligible["registered_on"] == "2026-01-05"
    not_yet = {row["worker_id"]: row["subsidy"]["missing"] for row in (await startups(api, subsidy="not_yet"))["items"]}
    assert not_yet == {waiting: ["尚未登记注册", "尚未开始经营"], wishing: ["尚未登记注册", "尚未开始经营"]}
    township = await startups(api, region="152222105", page_size=1, page=2)
    assert township["total"] == 3 and len(township["items"]) == 1
    assert (await startups(api, {"role": "admin"}))["total"] == 4
    other = await startups(api, {"role": "station_staff", "region": "152221"})
    assert [row["worker_id"] for row in other["items"]] == [elsewhere]


async def test_the_list_refuses_bad_filters_and_other_roles(workers_api):
    api = workers_api
    bad = await api.client.get("/workers/startups?subsidy=maybe", headers=api.auth(**COUNTY) | ZH)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "subsidy"
    assert (await api.client.get("/workers/startups?region=15x", headers=api.auth(**COUNTY))).status_code == 422
    office = await api.client.get("/workers/startups", headers=api.auth("partner_office", office_id="bj"))
    assert office.status_code == 403
