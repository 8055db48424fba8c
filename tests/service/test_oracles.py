"""Answers that would tell a caller about records it may not see: a person registered elsewhere, others' objects."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.service.conftest import worker

ZH = {"Accept-Language": "zh-CN"}


def ledger(*rows: list) -> bytes:
    book = Workbook()
    book.active.append(["姓名", "身份证号码", "联系电话", "户籍所在地代码", "转移就业意向"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_a_person_registered_in_another_county_is_named_by_county_not_by_profile(workers_api):
    api = workers_api
    middle = api.auth("station_staff", region="152222")  # 科右中旗
    front = api.auth("station_staff", region="152221")  # 科右前旗
    existing = (await api.client.post("/workers/profiles", json=worker(), headers=middle)).json()

    response = await api.client.post("/workers/profiles", json=worker(home_region_code="152221100"),
                                     headers={**front, **ZH})

    assert response.status_code == 409
    answer = response.json()
    assert answer["code"] == "registered_elsewhere"
    assert "科尔沁右翼中旗" in answer["message"] and "就业服务站" in answer["message"]
    assert existing["id"] not in response.text


async def test_the_own_station_is_told_which_profile_holds_the_number(workers_api):
    api = workers_api
    middle = api.auth("station_staff", region="152222")
    existing = (await api.client.post("/workers/profiles", json=worker(), headers=middle)).json()

    response = await api.client.post("/workers/profiles", json=worker(), headers=middle)

    assert response.status_code == 409 and existing["id"] in response.json()["message"]


async def test_a_ledger_row_of_a_person_registered_elsewhere_does_not_name_the_profile(workers_api):
    api = workers_api
    existing = (await api.client.post("/workers/profiles", json=worker(),
                                      headers=api.auth("station_staff", region="152222"))).json()
    data = ledger(["张秀英", worker()["id_number"], "13394641177", "152221100", "不限"])

    report = (await api.client.post("/workers/profiles/import", files={"file": ("台账.xlsx", data)},
                                    headers=api.auth("station_staff", region="152221"))).json()

    [error] = report["errors"]
    assert error["field"] == "id_number" and "registered in" in error["message"]
    assert existing["id"] not in str(report)
    in_chinese = (await api.client.post("/workers/profiles/import", files={"file": ("台账.xlsx", data)},
                                        headers={**api.auth("station_staff", region="152221"), **ZH})).json()
    assert in_chinese["errors"][0]["message"] == "此人已在科尔沁右翼中旗登记，请联系科尔沁右翼中旗的就业服务站办理转移"


async def test_an_employer_outside_the_callers_scope_is_not_found_like_an_unknown_one(api):
    office = api.auth("partner_office", office_id="bj-fangshan-hrss")
    someone_elses = await api.employer()

    seen = await api.client.get(f"/jobs/employers/{someone_elses}", headers=office)
    unknown = await api.client.get("/jobs/employers/00000000-0000-0000-0000-000000000000", headers=office)

    assert seen.status_code == unknown.status_code == 404
    assert seen.json() == unknown.json()


async def test_another_offices_supply_list_is_not_found_like_an_unknown_one(api):
    owner = api.auth("partner_office", office_id="bj-fengtai-hrss")
    other = api.auth("partner_office", office_id="bj-fangshan-hrss")
    created = await api.client.post("/jobs/supply-lists", headers=owner, json={
        "title": "丰台区清单", "source_region_code": "110106", "period_start": "2027-01-01", "period_end": "2027-06-30"})

    seen = await api.client.get(f"/jobs/supply-lists/{created.json()['id']}", headers=other)
    unknown = await api.client.get("/jobs/supply-lists/nope", headers=other)

    assert seen.status_code == unknown.status_code == 404
    assert seen.json() == unknown.json()

