"""Supply lists: who may create and read them, and the import of their rows."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

OFFICE = "bj-fengtai-hrss"
HEADERS_ZH = ["用人单位", "岗位名称", "工种", "工作地点代码", "最低月薪", "最高月薪", "招聘人数", "包吃", "包住",
              "技能要求", "有效期至"]


def good_row(n: int) -> list:
    return [f"北京第{n % 7}家政服务有限公司", f"家政服务员{n}号岗", "家政服务员", "110106", 5000 + n, 7000 + n, 2,
            "是", "是", "做饭、照顾老人", "2027-06-30"]


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS_ZH)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
async def supply_list(api):
    office = api.auth("partner_office", office_id=OFFICE)
    body = {"title": "丰台区2027年上半年岗位供给清单", "source_region_code": "110106",
            "period_start": "2027-01-01", "period_end": "2027-06-30"}
    response = await api.client.post("/jobs/supply-lists", json=body, headers=office)
    assert response.status_code == 201, response.text
    return response.json()["id"], office


async def upload(api, list_id: str, headers: dict, data: bytes, name: str = "list.xlsx"):
    return await api.client.post(f"/jobs/supply-lists/{list_id}/postings/import",
                                 files={"file": (name, data, "application/octet-stream")}, headers=headers)


async def test_a_thousand_rows_with_ten_bad_ones_keep_the_good_990(api, supply_list):
    list_id, office = supply_list
    rows = [good_row(n) for n in range(1000)]
    bad = {17: (4, 1500), 100: (3, "999999"), 230: (6, 0), 301: (0, ""), 402: (10, "2020-01-01"),
           555: (5, 4000), 640: (4, "abc"), 777: (2, None), 888: (6, -3), 990: (4, 2000)}
    for index, (column, value) in bad.items():
        rows[index][column] = value
    rows[777][2] = None  # no occupation at all
    report = await upload(api, list_id, office, workbook(rows))
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["imported"] == 990
    assert sorted(e["row"] for e in body["errors"]) == sorted(index + 2 for index in bad)
    by_row = {e["row"]: e for e in body["errors"]}
    assert by_row[19]["field"] == "wage_min" and "2540" in by_row[19]["message"]
    assert by_row[102]["field"] == "region_code"
    assert by_row[303]["field"] == "employer_name"
    listing = (await api.client.get(f"/jobs/postings?supply_list={list_id}&page_size=1",
                                    headers=api.auth("admin"))).json()
    assert listing["total"] == 990
    read = (await api.client.get(f"/jobs/supply-lists/{list_id}", headers=office)).json()
    assert read["postings"] == {"open": 990}
    assert len(await api.events("jobs.posting.opened")) == 990


async def test_a_second_upload_of_the_same_file_doubles_nothing(api, supply_list):
    list_id, office = supply_list
    data = workbook([good_row(n) for n in range(5)])
    assert (await upload(api, list_id, office, data)).json()["imported"] == 5
    again = (await upload(api, list_id, office, data)).json()
    assert again["imported"] == 0 and len(again["errors"]) == 5
    assert all("already in this list" in e["message"] for e in again["errors"])


async def test_csv_in_gbk_with_english_headers_and_new_employers(api, supply_list):
    list_id, office = supply_list
    text = ("employer_name,title,occupation,region_code,wage_min,wage_max,headcount,valid_until\n"
            "北京新来保安公司,保安员,保安员,110105,4500,6000,3,2027-05-01\n"
            "北京新来保安公司,门卫,保安员,110105,4300,5000,1,2027-05-01\n")
    report = (await upload(api, list_id, office, text.encode("gbk"), "list.csv")).json()
    assert report["imported"] == 2 and report["employers_created"] == 1 and report["errors"] == []


async def test_oversized_and_malformed_files_are_refused_without_a_trace(api, supply_list):
    list_id, office = supply_list
    too_big = await upload(api, list_id, office, b"title\n" + b"x" * (3 * 1024 * 1024), "big.csv")
    assert too_big.status_code == 413
    broken = await upload(api, list_id, office, b"PK\x03\x04 this is no workbook", "broken.xlsx")
    assert broken.status_code == 400 and "xlsx" in broken.json()["detail"]
    garbage = await upload(api, list_id, office, b"\x00\x01\x02" * 100, "x.csv")
    assert garbage.status_code == 400
    assert await api.events() == []


async def test_a_failure_half_way_leaves_nothing_written(api, supply_list, monkeypatch):
    from services.jobs.supply_lists import service

    list_id, office = supply_list
    failed = []

    async def failing_events(*args, **kwargs):  # the employers and postings are in when the database goes away
        failed.append(1)
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "postings_opened", failing_events)
    response = await upload(api, list_id, office, workbook([good_row(n) for n in range(100)]))
    assert response.status_code == 500 and failed
    monkeypatch.undo()
    listing = (await api.client.get(f"/jobs/postings?supply_list={list_id}", headers=office)).json()
    assert listing["total"] == 0 and await api.events() == []
    employers = (await api.client.get("/jobs/employers", headers=api.auth("admin"))).json()
    assert not any(e["name"].startswith("北京第") for e in employers["items"])


async def test_only_the_lists_office_and_admin_reach_a_list(api, supply_list):
    list_id, office = supply_list
    other = api.auth("partner_office", office_id="bj-fangshan-hrss")
    employer = api.auth("employer", employer_id="e1")
    staff = api.auth("station_staff", region="1522")
    # Another office is told the list does not exist (as for an unknown id); other roles may not use lists at all.
    assert (await api.client.get(f"/jobs/supply-lists/{list_id}", headers=other)).status_code == 404
    assert (await api.client.get(f"/jobs/supply-lists/{list_id}", headers=employer)).status_code == 403
    data = workbook([good_row(1)])
    assert (await upload(api, list_id, other, data)).status_code == 404
    assert (await upload(api, list_id, staff, data)).status_code == 403
    assert (await api.client.get(f"/jobs/supply-lists/{list_id}", headers=api.auth("admin"))).status_code == 200
    assert (await api.client.get("/jobs/supply-lists", headers=other)).json() == []


async def test_an_imported_postings_event_carries_the_posting_as_the_api_shows_it(api, supply_list):
    list_id, office = supply_list
    report = (await upload(api, list_id, office, workbook([good_row(n) for n in range(3)]))).json()
    assert report["imported"] == 3 and report["employers_created"] == 3
    events = await api.events("jobs.posting.opened")
    assert len(events) == 3 and len({e.id for e in events}) == 3
    for event in events:
        shown = (await api.client.get(f"/jobs/postings/{event.subject}", headers=api.auth("admin"))).json()
        assert event.version == 1 and event.data == shown | {"supply_list_office_id": OFFICE}
        assert shown["supply_list_id"] == list_id and shown["status"] == "open" and shown["region_name"]
