"""The ledger (台账) import: good rows registered like the API does, bad ones reported once, nothing half-written."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import Workbook

from services.workers.profiles.idcard import make_id_number
from tests.service.conftest import worker

HEADERS_ZH = ["姓名", "身份证号码", "联系电话", "户籍所在地代码", "劳动能力", "文化程度", "技能特长", "证书", "求职意向",
              "转移就业意向", "期望月薪", "培训意愿", "创业意愿", "同意短信", "同意微信", "同意向输入地共享"]
STAFF_REGION = "152222"  # 科右中旗


def id_number(n: int, county: str = STAFF_REGION) -> str:
    return make_id_number(county, date(1970, 1, 1) + timedelta(days=n), n % 100, "female" if n % 2 else "male")


def ledger_row(n: int, township: str = "152222105") -> list:
    return [f"白音{n}", id_number(n, township[:6]), f"139{n:08d}", township, "全劳力", "初中", "放羊、开拖拉机",
            "驾驶证B2" if n % 3 == 0 else "", "驾驶员", "外出", 4000 + n, "是", "否", "是", "否", "同意"]


def workbook(rows: list[list], headers: list[str] = HEADERS_ZH) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(api, headers: dict, data: bytes, name: str = "台账.xlsx"):
    return await api.client.post("/workers/profiles/import", files={"file": (name, data, "application/octet-stream")},
                                 headers=headers)


async def registered(api) -> int:
    listing = await api.client.get("/workers/profiles?page_size=1", headers=api.auth("admin"))
    return listing.json()["total"]


async def test_a_thousand_rows_with_ten_bad_ones_keep_the_good_990(workers_api):
    api = workers_api
    staff = api.auth("station_staff", region=STAFF_REGION)
    rows = [ledger_row(n) for n in range(1000)]
    bad = {  # row index -> (column, value, the field the error names)
        17: (1, id_number(17)[:-1] + ("0" if id_number(17)[-1] != "0" else "1"), "id_number"),  # check digit
        100: (2, "12345678901", "phone"),
        230: (3, "110106", "home_region_code"),  # Beijing: not a place of the League
        301: (3, "152221101", "home_region_code"),  # 科右前旗: outside this staff member's region
        402: (4, "很好", "labor_capacity"),
        555: (9, "", "transfer_intention"),
        640: (10, "四千", "expected_wage"),
        777: (0, "", "name"),
        888: (1, make_id_number("152222", date(2015, 5, 5), 1, "male"), "id_number"),  # eleven years old
        990: (1, id_number(5), "id_number"),  # the same person as row 7
    }
    for index, (column, value, _) in bad.items():
        rows[index][column] = value
    response = await upload(api, staff, workbook(rows))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["imported"] == 990 and report["duplicates"] == 0 and report["unknown_columns"] == []
    by_row = {e["row"]: e for e in report["errors"]}
    assert sorted(by_row) == sorted(index + 2 for index in bad)
    assert {row: e["field"] for row, e in by_row.items()} == {index + 2: field for index, (_, _, field) in bad.items()}
    assert "check digit" in by_row[19]["message"]
    assert "outside your region" in by_row[303]["message"]
    assert "minimum working age" in by_row[890]["message"]
    assert by_row[992]["message"] == "same ID-card number as row 7"
    assert await registered(api) == 990
    # A refused row rolled back to its savepoint: it left no event behind.
    assert len(await api.events("workers.profile.registered")) == 990


async def test_no_error_message_repeats_an_id_or_phone_number_of_the_file(workers_api):
    api = workers_api
    rows = [ledger_row(n) for n in range(12)]
    rows[0][1] = rows[0][1][:-1] + ("0" if rows[0][1][-1] != "0" else "1")  # wrong check digit
    rows[1][1] = "15222219830230001X"  # 30 February
    rows[2][1] = "1522221983"  # too short
    rows[3][1] = "15222219831103600A"  # letter in the last place
    rows[4][2] = "1339464117"  # ten digits
    rows[5][2] = "23394641177"  # not a mobile
    rows[6][1] = rows[7][1]  # the same person twice
    rows[8][1] = make_id_number("152222", date(2016, 1, 1), 2, "male")  # a child
    rows[9][14] = "可能"  # consent that is neither yes nor no
    rows[10][3] = "152221101"  # outside the staff member's region
    await api.client.post("/workers/profiles", json=worker(id_number=rows[11][1], phone=rows[11][2]),
                          headers=api.auth("admin"))  # row 13 then names a registered worker
    staff = api.auth("station_staff", region=STAFF_REGION)
    report = (await upload(api, staff, workbook(rows))).json()
    assert len(report["errors"]) == 11 and report["imported"] == 1 and report["duplicates"] == 1
    numbers = {row[1] for row in rows} | {row[2] for row in rows}
    for error in report["errors"]:
        assert not any(number in error["message"] for number in numbers), error
    assert next(e for e in report["errors"] if e["row"] == 11)["field"] == "consent_wechat"


async def test_workers_already_registered_are_reported_not_doubled(workers_api):
    api = workers_api
    admin = api.auth("admin")
    existing = (await api.client.post("/workers/profiles", json=worker(), headers=admin)).json()
    rows = [ledger_row(1), ledger_row(2)]
    rows.insert(1, ["张秀英", worker()["id_number"], "13394641177", "152222105", "", "", "", "", "", "不限", "", "",
                    "", "", "", ""])
    report = (await upload(api, admin, workbook(rows))).json()
    assert report["imported"] == 2 and report["duplicates"] == 1
    message = f"this ID-card number is already registered as worker profile {existing['id']}"
    assert report["errors"] == [{"row": 3, "field": "id_number", "message": message}]
    assert await registered(api) == 3


async def test_a_second_upload_of_the_same_file_imports_nothing_and_names_every_row_a_duplicate(workers_api):
    api = workers_api
    staff = api.auth("station_staff", region=STAFF_REGION)
    data = workbook([ledger_row(n) for n in range(20)])
    assert (await upload(api, staff, data)).json()["imported"] == 20
    again = (await upload(api, staff, data)).json()
    assert again["imported"] == 0 and again["duplicates"] == 20 and len(again["errors"]) == 20
    assert all(e["field"] == "id_number" and "already registered" in e["message"] for e in again["errors"])
    assert await registered(api) == 20
    assert len(await api.events("workers.profile.registered")) == 20


async def test_rows_outside_the_staff_members_region_are_refused_one_by_one(workers_api):
    api = workers_api
    rows = [ledger_row(0), ledger_row(1, township="152221101"), ledger_row(2, township="152222200"),
            ledger_row(3, township="152224100")]
    staff = api.auth("station_staff", region=STAFF_REGION)
    report = (await upload(api, staff, workbook(rows))).json()
    assert report["imported"] == 2
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(3, "home_region_code"), (5, "home_region_code")]
    # The League's admin may import them.
    again = (await upload(api, api.auth("admin"), workbook(rows))).json()
    assert again["imported"] == 2 and again["duplicates"] == 2


async def test_csv_in_gbk_with_english_headers_and_an_unknown_column(workers_api):
    api = workers_api
    text = ("name,id_number,phone,home_region_code,transfer_intention,skills,consent_sms,备注\n"
            f"乌力吉,{id_number(1)},13900000001,152222101,就近,电焊、放羊,是,贫困户\n"
            f"其其格,{id_number(2)},+86 139 0000 0002,152222,盟内,\"做饭,保洁\",否,\n")
    report = (await upload(api, api.auth("admin"), text.encode("gbk"), "台账.csv")).json()
    assert report == {"imported": 2, "errors": [], "duplicates": 0, "unknown_columns": ["备注"]}
    listing = (await api.client.get("/workers/profiles", headers=api.auth("admin"))).json()
    by_name = {p["name"]: p for p in listing["items"]}  # masked in lists: 乌*吉, 其*格
    assert by_name["乌*吉"]["skills"] == ["电焊", "放羊"] and by_name["乌*吉"]["transfer_intention"] == "near_home"
    assert by_name["乌*吉"]["consent"]["sms"] is True and by_name["其*格"]["transfer_intention"] == "league"
    assert by_name["其*格"]["skills"] == ["做饭", "保洁"] and by_name["其*格"]["phone"].endswith("0002")


async def test_oversized_and_malformed_files_are_refused_without_a_trace(workers_api):
    api = workers_api
    admin = api.auth("admin")
    too_big = await upload(api, admin, b"name\n" + b"x" * (3 * 1024 * 1024), "big.csv")
    assert too_big.status_code == 413
    broken = await upload(api, admin, b"PK\x03\x04 this is no workbook", "broken.xlsx")
    assert broken.status_code == 400 and "xlsx" in broken.json()["detail"]
    no_headers = await upload(api, admin, "甲,乙\n1,2\n".encode(), "x.csv")
    assert no_headers.status_code == 400 and "no known column headers" in no_headers.json()["detail"]
    assert await api.events() == [] and await registered(api) == 0


async def test_a_failure_half_way_leaves_nothing_written(workers_api, monkeypatch):
    from services.workers.ledger import service as ledger

    api = workers_api
    real_insert, calls = ledger._insert, []

    async def failing_insert(session, batch):
        calls.append(1)
        if len(calls) == 5:  # four batches of ten are in (each in its savepoint) when the database goes away
            raise RuntimeError("database went away")
        return await real_insert(session, batch)

    monkeypatch.setattr(ledger, "BATCH", 10)
    monkeypatch.setattr(ledger, "_insert", failing_insert)
    response = await upload(api, api.auth("admin"), workbook([ledger_row(n) for n in range(100)]))
    assert response.status_code == 500 and len(calls) == 5
    monkeypatch.undo()
    assert await registered(api) == 0 and await api.events() == []


async def test_only_station_staff_and_admin_import(workers_api):
    api = workers_api
    data = workbook([ledger_row(1)])
    for headers in (api.auth("employer", employer_id="e1"), api.auth("partner_office", office_id="bj-fengtai-hrss")):
        assert (await upload(api, headers, data)).status_code == 403
    assert (await api.client.post("/workers/profiles/import", files={"file": ("a.xlsx", data)})).status_code == 401
    assert await registered(api) == 0


async def test_a_number_registered_by_another_request_after_the_look_up_is_reported_and_the_rest_kept(
        workers_api, monkeypatch):
    from services.workers.ledger import service as ledger

    api = workers_api
    admin = api.auth("admin")
    rows = [ledger_row(n) for n in range(30)]
    taken = (await api.client.post("/workers/profiles", json=worker(id_number=rows[12][1], phone=rows[12][2]),
                                   headers=admin)).json()
    real_registered, looked = ledger._registered, []

    async def blind_first_look(session, hashes):  # as if the other request committed just after the look-up
        looked.append(1)
        return {} if len(looked) == 1 else await real_registered(session, hashes)

    monkeypatch.setattr(ledger, "_registered", blind_first_look)
    report = (await upload(api, admin, workbook(rows))).json()
    assert report["imported"] == 29 and report["duplicates"] == 1
    assert report["errors"] == [{"row": 14, "field": "id_number",
                                 "message": "this ID-card number was registered by another request meanwhile"}]
    assert await registered(api) == 30 and taken["id"]
    assert len(await api.events("workers.profile.registered")) == 30
