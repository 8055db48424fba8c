"""Employment workshops: their labourers' contracts, the subsidy condition with the list behind it, scope."""

from __future__ import annotations

from datetime import date

from services.workers.profiles.idcard import make_id_number
from tests.service.conftest import worker

COUNTY = {"role": "station_staff", "region": "152222"}
OTHER_COUNTY = {"role": "station_staff", "region": "152221"}
ZH = {"Accept-Language": "zh"}
FLOOR = 2250  # 科右中旗's monthly minimum wage from 2025-12-01


async def register(api, n: int, home: str = "152222105") -> str:
    body = worker(id_number=make_id_number(home[:6], date(1984, 3, n), n, "male"), phone=f"1380000{n:04d}",
                  home_region_code=home, name=f"劳动力{n}")
    response = await api.client.post("/workers/profiles", json=body, headers=api.auth("admin"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def workshop(api, scope=None, **changes) -> dict:
    body = {"name": "好腰苏木扶贫车间", "kind": "扶贫车间", "region_code": "152222105"} | changes
    response = await api.client.post("/workers/workshops", json=body, headers=api.auth(**(scope or COUNTY)) | ZH)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def hire(api, workshop_id: str, worker_id: str, scope=None, *, status: int = 200, **changes):
    body = {"contract_start": "2026-06-01", "contract_months": 12, "monthly_wage": FLOOR} | changes
    response = await api.client.put(f"/workers/workshops/{workshop_id}/labourers/{worker_id}", json=body,
                                    headers=api.auth(**(scope or COUNTY)) | ZH)
    assert response.status_code == status, response.text
    return response.json()


async def subsidy(api, workshop_id: str, scope=None, **query) -> dict:
    response = await api.client.get(f"/workers/workshops/{workshop_id}/subsidy", params=query,
                                    headers=api.auth(**(scope or COUNTY)))
    assert response.status_code == 200, response.text
    return response.json()


async def test_four_labourers_lack_one_and_the_fifth_meets_the_condition(workers_api):
    api = workers_api  # today is 2026-11-28
    shop = (await workshop(api))["id"]
    labourers = [await register(api, n) for n in range(1, 6)]
    for worker_id in labourers[:4]:
        await hire(api, shop, worker_id)
    four = await subsidy(api, shop)
    assert (four["met"], four["counting"], four["minimum_wage"]) == (False, 4, FLOOR)
    assert four["missing"] == ["还差1名符合条件的劳动力"]
    assert [row["reasons"] for row in four["labourers"]] == [["符合条件"]] * 4
    await hire(api, shop, labourers[4])
    five = await subsidy(api, shop)
    assert (five["met"], five["counting"], five["missing"]) == (True, 5, [])
    listed = (await api.client.get("/workers/workshops", headers=api.auth(**COUNTY))).json()
    assert (listed["total"], listed["met"]) == (1, 1) and listed["items"][0]["subsidy"]["counting"] == 5


async def test_a_five_month_contract_and_a_wage_one_yuan_below_the_minimum_do_not_count(workers_api):
    api = workers_api
    shop = (await workshop(api))["id"]
    six, five, at_floor, below = [await register(api, n) for n in range(1, 5)]
    await hire(api, shop, six, contract_months=6)
    await hire(api, shop, five, contract_start="2026-07-01", contract_months=5)
    await hire(api, shop, at_floor, monthly_wage=FLOOR)
    await hire(api, shop, below, monthly_wage=FLOOR - 1)
    reasons = {row["worker_id"]: (row["counts"], row["reasons"]) for row in (await subsidy(api, shop))["labourers"]}
    assert reasons == {six: (True, ["符合条件"]), five: (False, ["合同期5个月，不足6个月"]),
                       at_floor: (True, ["符合条件"]), below: (False, ["月工资2249元，低于当地最低工资2250元"])}
    # Before the floor rose on 2025-12-01 it was 1850: checked on a past day, the wage that fell short counted.
    earlier = await subsidy(api, shop, on="2025-11-30")
    assert earlier["minimum_wage"] == 1850
    assert {row["reasons"][0] for row in earlier["labourers"]} == {"合同2026-06-01才开始", "合同2026-07-01才开始"}


async def test_a_change_keeps_the_version_it_replaces_and_a_redo_changes_nothing(workers_api):
    api = workers_api
    shop = (await workshop(api))["id"]
    zhang = await register(api, 1)
    first = await hire(api, shop, zhang, monthly_wage=2000)
    again = await hire(api, shop, zhang, monthly_wage=2000)
    assert again == first
    await hire(api, shop, zhang, monthly_wage=2400)
    left = await api.client.post(f"/workers/workshops/{shop}/labourers/{zhang}/end", json={"left_on": "2026-11-20"},
                                 headers=api.auth(**COUNTY))
    assert left.status_code == 200 and left.json()["left_on"] == "2026-11-20"
    redo = await api.client.post(f"/workers/workshops/{shop}/labourers/{zhang}/end", json={"left_on": "2026-11-20"},
                                 headers=api.auth(**COUNTY))
    assert redo.json() == left.json()
    history = (await api.client.get(f"/workers/workshops/{shop}/labourers/{zhang}/history",
                                    headers=api.auth(**COUNTY))).json()
    assert [(h["monthly_wage"], h["left_on"], h["replaced_at"] is None) for h in history] == [
        (2400, "2026-11-20", True), (2400, None, False), (2000, None, False)]
    [gone] = (await subsidy(api, shop))["labourers"]
    assert gone["reasons"] == ["已于2026-11-20离开车间"]
    same = await workshop(api)
    assert same["id"] == shop  # the same workshop sent twice is the one on record
    clash = await api.client.post("/workers/workshops", json={"name": "好腰苏木扶贫车间", "kind": "社区工厂",
                                                              "region_code": "152222105"}, headers=api.auth(**COUNTY) | ZH)
    assert clash.status_code == 409 and clash.json()["message"] == "这个地方已有同名的车间"


async def test_a_labourer_is_on_record_in_one_workshop_at_a_time(workers_api):
    api = workers_api
    first = (await workshop(api))["id"]
    second = (await workshop(api, name="巴彦呼舒镇社区工厂", kind="社区工厂", region_code="152222100"))["id"]
    zhang = await register(api, 1)
    await hire(api, first, zhang)
    busy = await hire(api, second, zhang, status=409)
    assert busy["message"] == "这位劳动力已登记在好腰苏木扶贫车间，请先登记离开"
    await api.client.post(f"/workers/workshops/{first}/labourers/{zhang}/end", json={"left_on": "2026-11-01"},
                          headers=api.auth(**COUNTY))
    await hire(api, second, zhang, contract_start="2026-11-02")


async def test_staff_see_and_change_only_their_region(workers_api):
    api = workers_api
    shop = (await workshop(api))["id"]
    outside = await api.client.post("/workers/workshops", json={"name": "车间", "kind": "扶贫车间",
                                                                "region_code": "152221101"},
                                    headers=api.auth(**COUNTY) | ZH)
    assert outside.status_code == 403 and outside.json()["message"] == "地点不在您负责的地区内"
    admin_made = await workshop(api, {"role": "admin"}, name="乌兰浩特卫星工厂", kind="卫星工厂", region_code="152201")
    for path in (f"/workers/workshops/{shop}", f"/workers/workshops/{shop}/subsidy"):
        hidden = await api.client.get(path, headers=api.auth(**OTHER_COUNTY) | ZH)
        assert hidden.status_code == 404 and hidden.json()["message"] == "没有找到这个车间"
    their_own = await register(api, 2, home="152221101")
    await hire(api, shop, their_own, OTHER_COUNTY, status=404)
    # The county's staff cannot add a labourer of another county to their workshop: they cannot see the labourer.
    refused = await hire(api, shop, their_own, status=404)
    assert refused["message"] == "没有找到这位劳动力"
    mine = (await api.client.get("/workers/workshops", headers=api.auth(**COUNTY))).json()
    assert [w["id"] for w in mine["items"]] == [shop]
    everything = (await api.client.get("/workers/workshops", headers=api.auth("admin"))).json()
    assert {w["id"] for w in everything["items"]} == {shop, admin_made["id"]}
    office = await api.client.get("/workers/workshops", headers=api.auth("partner_office", office_id="bj"))
    assert office.status_code == 403


async def test_bad_input_is_answered_in_chinese_and_never_with_a_server_error(workers_api):
    api = workers_api
    shop = (await workshop(api))["id"]
    zhang = await register(api, 1)
    cases = [
        ("/workers/workshops", {"name": "", "kind": "工厂", "region_code": "1522"}, {"name", "kind", "region_code"}),
        ("/workers/workshops", {"name": "车间", "kind": "扶贫车间", "region_code": "110106"}, {"region_code"}),
        ("/workers/workshops", {"name": "车间", "kind": "扶贫车间", "region_code": "152200"}, {"region_code"}),
    ]
    for path, body, fields in cases:
        answer = await api.client.post(path, json=body, headers=api.auth(**COUNTY) | ZH)
        assert answer.status_code == 422, (body, answer.text)
        assert {e["field"] for e in answer.json()["detail"]} == fields
    bad = [({"contract_start": "9999-12-31", "contract_months": 6, "monthly_wage": 3000}, {"contract_start"}),
           ({"contract_start": "2026-06-01", "contract_months": 0, "monthly_wage": -1},
            {"contract_months", "monthly_wage"}),
           ({"contract_months": 6}, {"contract_start", "monthly_wage"}),
           ({"contract_start": "2026-06-01", "contract_months": 6, "monthly_wage": 3000, "extra": 1}, {"extra"})]
    for body, fields in bad:
        answer = await api.client.put(f"/workers/workshops/{shop}/labourers/{zhang}", json=body,
                                      headers=api.auth(**COUNTY) | ZH)
        assert answer.status_code == 422, (body, answer.text)
        assert {e["field"] for e in answer.json()["detail"]} == fields
    missing = await api.client.put(f"/workers/workshops/{shop}/labourers/{zhang}", json={"contract_months": 6},
                                   headers=api.auth(**COUNTY) | ZH)
    assert missing.json()["detail"][0]["msg"] == "必须填写"
    await hire(api, shop, zhang)
    for left_on, message in (("2026-05-31", "离开日期早于合同开始日期"), ("2026-12-01", "日期不能晚于今天")):
        answer = await api.client.post(f"/workers/workshops/{shop}/labourers/{zhang}/end", json={"left_on": left_on},
                                       headers=api.auth(**COUNTY) | ZH)
        assert answer.status_code == 422 and answer.json()["detail"][0]["msg"] == message
    assert (await api.client.get(f"/workers/workshops/{shop}/subsidy?on=99999-01-01",
                                 headers=api.auth(**COUNTY))).status_code == 422
    assert (await api.client.get("/workers/workshops/nope", headers=api.auth(**COUNTY))).status_code == 404


async def test_a_contract_is_taken_from_the_workers_placement(workers_api):
    api = workers_api
    api.openings.post("p-shop", region_code="152222105", employer_id="e-shop", employer_name="好腰苏木合作社")
    shop = (await workshop(api, employer_id="e-shop"))["id"]
    other = (await workshop(api, name="另一个车间", employer_id="e-other"))["id"]
    zhang = await register(api, 1)
    placed = await api.client.post(f"/workers/profiles/{zhang}/placements", headers=api.auth(**COUNTY), json={
        "posting_id": "p-shop", "start_date": "2026-09-01", "monthly_wage": 2600, "contract_months": 12})
    assert placed.status_code == 201, placed.text
    placement = placed.json()["id"]
    wrong = await hire(api, other, zhang, status=422, placement_id=placement, contract_start=None,
                       contract_months=None, monthly_wage=None)
    assert wrong["detail"][0]["msg"] == "这条就业记录不是这个车间的用人单位"
    taken = await hire(api, shop, zhang, placement_id=placement, contract_start=None, contract_months=None,
                       monthly_wage=None)
    assert (taken["contract_start"], taken["contract_months"], taken["monthly_wage"], taken["placement_id"]) == (
        "2026-09-01", 12, 2600, placement)
