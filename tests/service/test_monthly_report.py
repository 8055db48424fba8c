"""The monthly report of the plan's five goals, built on a small county registered by hand: each figure and each
rule, the list behind every figure, a month frozen at its end, and a late correction counted in the month it is made."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from services.workers.profiles.idcard import make_id_number
from shared.clock import LOCAL_ZONE
from tests.service.conftest import worker

COUNTY = "152222"  # 科尔沁右翼中旗: 6 towns and 6 sumu are its 苏木乡镇
HAOYAO, DAIQIN = "152222105", "152222200"


async def register(api, n: int, home: str, birth: date, **changes) -> str:
    body = worker(name=f"劳动力{n}", id_number=make_id_number(home[:6], birth, n, "female"),
                  phone=f"1390000{n:04d}", home_region_code=home, **({"wants_training": False} | changes))
    response = await api.client.post("/workers/profiles", json=body, headers=api.auth("admin"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def post(api, path: str, body: dict, status: int = 201, **scope) -> dict:
    headers = api.auth(scope.pop("role", "admin"), **scope)
    response = await api.client.post(path, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


async def put(api, path: str, body: dict, status: int = 200, role: str = "admin", **scope):
    response = await api.client.put(path, json=body, headers=api.auth(role, **scope))
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


async def place(api, worker_id: str, start: str, *, status: int = 201) -> dict:
    posting = api.openings.post(worker_id, region_code=COUNTY)
    body = {"posting_id": posting, "start_date": start, "monthly_wage": 3000, "contract_months": 12,
            "work_region_code": COUNTY, "organised_export": False}
    return await post(api, f"/workers/profiles/{worker_id}/placements", body, status)


def at(year: int, month: int, day: int, hour: int) -> datetime:
    """A Beijing wall-clock time as the UTC instant the clock holds."""
    return datetime(year, month, day, hour, tzinfo=LOCAL_ZONE).astimezone(timezone.utc)


@pytest.fixture
async def county(workers_api):
    """Five labourers of 科右中旗 and one of 科右前旗, registered in November 2026, with their records."""
    api = workers_api
    ids = {
        "A": await register(api, 1, HAOYAO, date(1980, 5, 1), transfer_intention="anywhere", pension_insured=True),
        # 59 until 1 December 2026, then 60: eligible for the pension in November, not in December.
        "B": await register(api, 2, HAOYAO, date(1966, 12, 1), transfer_intention="league", pension_insured=True),
        # 60 on 30 November: eligible on the 28th, not at the month's end; no labour capacity.
        "C": await register(api, 3, DAIQIN, date(1966, 11, 30), transfer_intention="none", labor_capacity="none",
                            wants_training=True),
        "D": await register(api, 4, DAIQIN, date(1990, 3, 3), transfer_intention="near_home", wants_training=True,
                            wants_entrepreneurship=True, pension_insured=False),
        "E": await register(api, 5, DAIQIN, date(1995, 7, 7), transfer_intention="none",
                            wants_entrepreneurship=True),
        "F": await register(api, 6, "152221101", date(1985, 1, 1), transfer_intention="anywhere"),
    }
    await place(api, ids["A"], "2026-11-01")
    ended = await place(api, ids["B"], "2026-11-02")
    await post(api, f"/workers/profiles/{ids['B']}/placements/{ended['id']}/end",
               {"ended_on": "2026-11-20", "reason": "合同到期"}, 200)
    await post(api, f"/workers/profiles/{ids['C']}/training",
               {"course": "中式烹调师", "hours": 60, "start_on": "2026-11-10", "completed": True})
    await post(api, f"/workers/profiles/{ids['D']}/training",
               {"course": "电商入门", "hours": 40, "start_on": "2026-11-12"})  # under 56 hours: not subsidised
    await put(api, f"/workers/profiles/{ids['D']}/startup-support", {"guidance_on": "2026-11-15"})
    await put(api, f"/workers/service-points/{HAOYAO}", {"established_on": "2026-10-01", "staff": 2})
    await put(api, "/workers/service-points/152201100", {"established_on": "2026-10-01"})  # Ulanhot: not poor
    await put(api, f"/workers/targets/{COUNTY}/2026", {"placed": 10})
    api.ids = ids
    return api


async def monthly(api, month: str, role: str = "admin", **scope) -> dict:
    response = await api.client.get(f"/workers/reports/monthly/{month}", headers=api.auth(role, **scope))
    assert response.status_code == 200, response.text
    return response.json()


def goals(area: dict) -> dict:
    return {g["key"]: (g["numerator"], g["denominator"]) for g in area["goals"]}


def county_row(report: dict, code: str = COUNTY) -> dict:
    return next(c for c in report["counties"] if c["code"] == code)


def township_row(report: dict, code: str) -> dict:
    return next(t for t in county_row(report, code[:6])["townships"] if t["code"] == code)


async def test_the_five_goals_of_the_current_month_count_what_the_records_say(county):
    report = await monthly(county, "2026-11")
    assert report["frozen"] is False and report["as_of"] == "2026-11-28" and report["previous"] == "2026-10"
    row = county_row(report)
    assert goals(row) == {
        "employment": (1, 3),  # able and willing: A, B, D (C has no capacity, E no wish); in work: A (B's ended)
        "entrepreneurship": (1, 2),  # D was guided; E was not
        "training": (1, 2),  # C's 60 hours count; D's 40 do not
        "pension": (2, 5),  # on the 28th C is still 59: A, B, C, D, E; insured A and B
        "service_points": (1, 12),  # 好腰苏木镇 of the county's 12 苏木乡镇
    }
    assert row["target"] == {"year": 2026, "target": 10, "placed": 2, "share": 0.2}  # A and B began in 2026
    assert goals(township_row(report, HAOYAO))["service_points"] == (1, 1)
    assert goals(township_row(report, DAIQIN))["employment"] == (0, 1)
    league = report["total"]
    assert league["code"] == "1522" and league["name"] == "兴安盟" and league["level"] == "league"
    assert goals(league)["service_points"] == (1, 52)  # Ulanhot's point counts nowhere: not a poor county
    assert goals(league)["employment"] == (1, 4)  # F of 科右前旗 too
    assert league["target"]["target"] == 10
    employment = next(g for g in row["goals"] if g["key"] == "employment")
    assert employment["change"] == {"numerator": 1, "denominator": 3}  # October was empty
    assert employment["share"] == pytest.approx(0.3333)


async def test_every_figure_is_the_length_of_the_list_behind_it(county):
    api = county
    admin = api.auth("admin")
    for month in ("2026-11",):
        report = await monthly(api, month)
        areas = [report["total"], *report["counties"], *report["counties"][3]["townships"]]
        for area in areas:
            for goal in area["goals"]:
                for part in ("numerator", "denominator"):
                    figure = goal[f"{part}_figure"]
                    if goal["key"] == "service_points":
                        response = await api.client.get(
                            f"/workers/reports/monthly/{month}/townships?figure={figure}&region={area['code']}",
                            headers=admin)
                        assert response.status_code == 200, response.text
                        found = len(response.json())
                    else:
                        response = await api.client.get(
                            f"/workers/reports/monthly/{month}/profiles?figure={figure}&region={area['code']}"
                            "&page_size=1", headers=admin)
                        assert response.status_code == 200, response.text
                        found = response.json()["total"]
                    assert found == goal[part], (area["code"], figure)
    listing = (await api.client.get("/workers/reports/monthly/2026-11/profiles?figure=employed", headers=admin)).json()
    [employed] = listing["items"]
    assert employed["id"] == api.ids["A"] and employed["personal_data"] == "masked" and "*" in employed["id_number"]


async def test_a_month_is_frozen_at_its_end_and_a_late_correction_goes_into_the_month_it_is_made(county):
    api = county
    api.clock._at = at(2026, 12, 2, 10)
    november = await monthly(api, "2026-11")  # the first read of a finished month freezes it
    assert november["frozen"] is True and november["as_of"] == "2026-11-30"
    assert goals(county_row(november))["pension"] == (2, 4)  # C turned 60 on the 30th
    assert goals(county_row(november))["employment"] == (1, 3)
    # D's job began on 25 November, but it is recorded in December: a late correction.
    await place(api, api.ids["D"], "2026-11-25")
    again = await monthly(api, "2026-11")
    assert again == november  # November stays put
    december = await monthly(api, "2026-12")
    row = county_row(december)
    assert december["frozen"] is False and december["previous"] == "2026-11"
    assert goals(row)["employment"] == (2, 3)
    assert row["figures"]["corrections"] == {"value": 1, "change": 1}
    assert goals(row)["pension"] == (1, 3)  # B turned 60 on 1 December
    employment = next(g for g in row["goals"] if g["key"] == "employment")
    assert employment["change"] == {"numerator": 1, "denominator": 0}
    corrected = (await api.client.get("/workers/reports/monthly/2026-12/profiles?figure=corrections",
                                      headers=api.auth("admin"))).json()
    assert [p["id"] for p in corrected["items"]] == [api.ids["D"]]
    # In January the same November, and December frozen with its correction.
    api.clock._at = at(2027, 1, 5, 9)
    assert await monthly(api, "2026-11") == november
    frozen = await monthly(api, "2026-12")
    assert frozen["frozen"] is True and county_row(frozen)["figures"]["corrections"]["value"] == 1
    assert county_row(frozen)["target"] == {"year": 2026, "target": 10, "placed": 3, "share": 0.3}
    january = await monthly(api, "2027-01")
    assert county_row(january)["figures"]["corrections"]["value"] == 0
    assert county_row(january)["target"] is None  # no target set for 2027


async def test_freezing_is_idempotent_and_only_for_months_that_are_over(county):
    api = county
    assert (await api.client.post("/workers/reports/snapshots/2026-11",
                                  headers=api.auth("admin"))).status_code == 409
    api.clock._at = at(2026, 12, 1, 0)  # midnight in Beijing: November is over
    first = await api.client.post("/workers/reports/snapshots/2026-11", headers=api.auth("admin"))
    assert first.status_code == 201 and first.json()["created"] is True, first.text
    before = await monthly(api, "2026-11")
    await api.client.patch(f"/workers/profiles/{api.ids['D']}", json={"pension_insured": True},
                           headers=api.auth("admin"))
    await put(api, f"/workers/targets/{COUNTY}/2026", {"placed": 20})
    second = await api.client.post("/workers/reports/snapshots/2026-11", headers=api.auth("admin"))
    assert second.status_code == 200 and second.json()["created"] is False
    assert second.json()["frozen_at"] == first.json()["frozen_at"]
    after = await monthly(api, "2026-11")
    assert after == before and county_row(after)["target"]["target"] == 10
    months = (await api.client.get("/workers/reports/snapshots", headers=api.auth("admin"))).json()
    assert [m["month"] for m in months] == ["2026-11", "2026-10"]  # October was frozen as November's month before
    staff = api.auth("station_staff", region=COUNTY)
    assert (await api.client.post("/workers/reports/snapshots/2026-10", headers=staff)).status_code == 403
    for month in ("2026-13", "2017-12", "2027-01", "26-11"):
        response = await api.client.post(f"/workers/reports/snapshots/{month}", headers=api.auth("admin"))
        assert response.status_code == 422, (month, response.text)


async def test_station_staff_see_their_own_county_and_no_other(county):
    api = county
    report = await monthly(api, "2026-11", role="station_staff", region=COUNTY)
    assert report["region"] == COUNTY and report["total"]["name"] == "科尔沁右翼中旗"
    assert [c["code"] for c in report["counties"]] == [COUNTY]
    assert goals(report["total"])["employment"] == (1, 3) and report["total"]["target"]["target"] == 10
    staff = api.auth("station_staff", region=COUNTY)
    for path in ("/workers/reports/monthly/2026-11?region=152221",
                 "/workers/reports/monthly/2026-11?region=1522",
                 "/workers/reports/monthly/2026-11/profiles?figure=employed&region=152221",
                 "/workers/reports/monthly/2026-11/townships?figure=service_points&region=152221",
                 "/workers/reports/monthly/2026-11/export?region=152221"):
        assert (await api.client.get(path, headers=staff)).status_code == 403, path
    everyone = (await api.client.get("/workers/reports/monthly/2026-11/profiles?figure=registered",
                                     headers=staff)).json()
    assert everyone["total"] == 5 and {p["home_region_code"][:6] for p in everyone["items"]} == {COUNTY}
    office = api.auth("partner_office", office_id="bj-fengtai-hrss")
    for path in ("/workers/reports/monthly/2026-11", "/workers/targets", "/workers/service-points"):
        assert (await api.client.get(path, headers=office)).status_code == 403, path
    unknown = await api.client.get("/workers/reports/monthly/2026-11/profiles?figure=service_points",
                                   headers=api.auth("admin"))
    assert unknown.status_code == 422  # townships are listed by /townships


async def test_the_export_is_a_bureau_workbook_of_values(county):
    api = county
    response = await api.client.get("/workers/reports/monthly/2026-11/export", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "乌兰浩特市", "阿尔山市", "科尔沁右翼前旗", "科尔沁右翼中旗", "扎赉特旗", "突泉县"]
    summary = book["汇总"]
    rows = [[cell.value for cell in row] for row in summary.iter_rows()]
    assert "2026年11月" in rows[0][0]
    headers = rows[2]
    assert headers[:5] == ["地区代码", "地区", "有劳动能力和就业愿望", "已就业", "就业比例"]
    assert rows[-1][1] == "合计" and rows[-1][2] == 4 and rows[-1][3] == 1
    middle = next(r for r in rows if r[0] == COUNTY)
    assert middle[headers.index("年度目标")] == 10 and middle[headers.index("目标完成比例")] == 0.2
    sheet = book["科尔沁右翼中旗"]
    town_rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    assert [r[1] for r in town_rows][:1] == ["巴彦呼舒镇"] and town_rows[-1][1] == "合计"
    assert town_rows[-1][headers.index("贫困旗县苏木乡镇")] == 12
    for each in book.worksheets:
        for row in each.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    staff = await api.client.get("/workers/reports/monthly/2026-11/export",
                                 headers=api.auth("station_staff", region=COUNTY))
    assert load_workbook(io.BytesIO(staff.content)).sheetnames == ["汇总", "科尔沁右翼中旗"]


async def test_targets_are_set_by_admin_recorded_and_read_by_their_county(county):
    api = county
    await put(api, "/workers/targets/152221/2026", {"placed": 300})
    await put(api, "/workers/targets/152221/2026", {"placed": 320})
    staff = api.auth("station_staff", region=COUNTY)
    mine = (await api.client.get("/workers/targets?year=2026", headers=staff)).json()
    assert [(t["county_code"], t["placed"]) for t in mine] == [(COUNTY, 10)]
    township_staff = api.auth("station_staff", region=HAOYAO)
    assert [t["county_code"] for t in (await api.client.get("/workers/targets", headers=township_staff)).json()] \
        == [COUNTY]
    everything = (await api.client.get("/workers/targets?year=2026", headers=api.auth("admin"))).json()
    assert [(t["county_code"], t["placed"]) for t in everything] == [("152221", 320), (COUNTY, 10)]
    changes = (await api.client.get("/workers/targets/changes", headers=api.auth("admin"))).json()
    assert [(c["county_code"], c["before"], c["after"]) for c in changes][:2] == [("152221", 300, 320),
                                                                                   ("152221", None, 300)]
    await put(api, f"/workers/targets/{COUNTY}/2026", {"placed": 5}, status=403, role="station_staff",
              region=COUNTY)
    await put(api, "/workers/targets/152299/2026", {"placed": 5}, status=404)  # not a county of the League
    await put(api, "/workers/targets/110106/2026", {"placed": 5}, status=404)
    await put(api, f"/workers/targets/{COUNTY}/2017", {"placed": 5}, status=422)
    await put(api, f"/workers/targets/{COUNTY}/2026", {"placed": 0}, status=422)
    await put(api, f"/workers/targets/{COUNTY}/2026", {"placed": "many"}, status=422)
    progress = (await api.client.get("/workers/reports/progress", headers=api.auth("admin"))).json()
    rows = {c["code"]: c for c in progress["counties"]}
    assert rows[COUNTY]["target"] == {"year": 2026, "target": 10, "placed": 2, "share": 0.2}
    assert rows["152221"]["target"]["placed"] == 0 and rows["152201"]["target"] is None
    assert progress["total"]["target"]["target"] == 330
    removed = await api.client.delete("/workers/targets/152221/2026", headers=api.auth("admin"))
    assert removed.status_code == 204
    assert (await api.client.delete("/workers/targets/152221/2026", headers=api.auth("admin"))).status_code == 404


async def test_service_points_are_kept_by_admin_and_removing_one_leaves_past_months_alone(county):
    api = county
    listing = (await api.client.get(f"/workers/service-points?region={COUNTY}", headers=api.auth("admin"))).json()
    assert listing["poor_townships"] == 12 and listing["covered"] == 1
    [point] = listing["items"]
    assert point["name"] == "好腰苏木镇社保就业服务站" and point["poor_county"] is True and point["staff"] == 2
    ulanhot = (await api.client.get("/workers/service-points/152201100", headers=api.auth("admin"))).json()
    assert ulanhot["poor_county"] is False
    staff = api.auth("station_staff", region=COUNTY)
    assert (await api.client.get(f"/workers/service-points/{HAOYAO}", headers=staff)).status_code == 200
    assert (await api.client.get("/workers/service-points/152201100", headers=staff)).status_code == 404
    await put(api, f"/workers/service-points/{DAIQIN}", {"established_on": "2026-11-01"}, status=403,
              role="station_staff", region=COUNTY)
    await put(api, "/workers/service-points/152222999", {"established_on": "2026-11-01"}, status=404)
    await put(api, "/workers/service-points/110106001", {"established_on": "2026-11-01"}, status=404)
    await put(api, f"/workers/service-points/{DAIQIN}", {"established_on": "not a day"}, status=422)
    api.clock._at = at(2026, 12, 3, 10)
    await monthly(api, "2026-11")  # freezes November
    assert (await api.client.delete(f"/workers/service-points/{HAOYAO}", headers=api.auth("admin"))).status_code \
        == 204
    assert (await api.client.delete(f"/workers/service-points/{HAOYAO}", headers=api.auth("admin"))).status_code \
        == 404
    assert goals(county_row(await monthly(api, "2026-11")))["service_points"] == (1, 12)
    assert goals(county_row(await monthly(api, "2026-12")))["service_points"] == (0, 12)
    # A point recorded in December that dates from October is a late correction of December.
    await put(api, f"/workers/service-points/{DAIQIN}", {"established_on": "2026-10-15"})
    december = county_row(await monthly(api, "2026-12"))
    assert december["figures"]["point_corrections"]["value"] == 1 and goals(december)["service_points"] == (1, 12)
    history = (await api.client.get(f"/workers/service-points/{HAOYAO}/history", headers=api.auth("admin"))).json()
    assert len(history) == 1 and history[0]["removed_at"] is not None


async def test_training_and_start_up_records_are_checked_and_scoped(county):
    api = county
    d = api.ids["D"]
    await post(api, f"/workers/profiles/{d}/training",
               {"course": "育婴员", "hours": 80, "start_on": "2026-11-20", "end_on": "2026-11-10"}, 422)
    await post(api, f"/workers/profiles/{d}/training", {"course": "育婴员", "hours": 80, "start_on": "2026-12-20"},
               422)
    await post(api, f"/workers/profiles/{d}/training", {"course": "育婴员", "hours": 0, "start_on": "2026-11-20"}, 422)
    other = api.auth("station_staff", region="152221")
    response = await api.client.get(f"/workers/profiles/{d}/training", headers=other)
    assert response.status_code == 404
    mine = await api.client.get(f"/workers/profiles/{d}/training", headers=api.auth("station_staff", region=COUNTY))
    assert [(r["course"], r["subsidised"]) for r in mine.json()] == [("电商入门", False)]
    await put(api, f"/workers/profiles/{d}/startup-support", {"registered_on": "2026-12-01"}, status=422)
    await put(api, f"/workers/profiles/{d}/startup-support",
              {"registered_on": "2026-11-20", "operating_since": "2026-11-01"}, status=422)
    await put(api, f"/workers/profiles/{d}/startup-support", {"guidance_on": "2026-11-15"}, status=404,
              role="station_staff", region="152221")
    support = await api.client.get(f"/workers/profiles/{d}/startup-support", headers=api.auth("admin"))
    assert support.json()["guidance_on"] == "2026-11-15" and support.json()["supported"] is True
    e = api.ids["E"]
    assert (await api.client.get(f"/workers/profiles/{e}/startup-support",
                                 headers=api.auth("admin"))).status_code == 404
    # A business E registered (and so has started) counts E among those wishing, and as supported.
    await put(api, f"/workers/profiles/{e}/startup-support", {"registered_on": "2026-11-26"})
    assert goals(county_row(await monthly(api, "2026-11")))["entrepreneurship"] == (2, 2)


async def test_staff_record_whether_a_worker_is_insured(county):
    api = county
    e = api.ids["E"]
    profile = (await api.client.get(f"/workers/profiles/{e}", headers=api.auth("admin"))).json()
    assert profile["pension_insured"] is None
    changed = await api.client.patch(f"/workers/profiles/{e}", json={"pension_insured": "是"},
                                     headers=api.auth("station_staff", region=COUNTY))
    assert changed.status_code == 200 and changed.json()["pension_insured"] is True
    assert goals(county_row(await monthly(api, "2026-11")))["pension"] == (3, 5)
    cleared = await api.client.patch(f"/workers/profiles/{e}", json={"pension_insured": None},
                                     headers=api.auth("admin"))
    assert cleared.json()["pension_insured"] is None


async def test_a_job_that_ended_on_the_last_day_is_not_work_at_the_months_end(county):
    api = county
    g = await register(api, 7, HAOYAO, date(1988, 8, 8), transfer_intention="league")
    placement = await place(api, g, "2026-11-03")
    await post(api, f"/workers/profiles/{g}/placements/{placement['id']}/end",
               {"ended_on": "2026-11-30", "reason": "合同到期"}, 200)
    live = await monthly(api, "2026-11")  # the 28th: still at work
    assert goals(county_row(live))["employment"] == (2, 4)
    api.clock._at = at(2026, 12, 1, 9)
    frozen = await monthly(api, "2026-11")
    assert goals(county_row(frozen))["employment"] == (1, 4)
    assert county_row(frozen)["target"]["placed"] == 3  # helped into work this year all the same


async def trend(api, query: str = "", role: str = "admin", status: int = 200, **scope) -> dict:
    response = await api.client.get(f"/workers/reports/trend{query}", headers=api.auth(role, **scope))
    assert response.status_code == status, response.text
    return response.json()


async def test_the_trend_gives_each_month_what_its_report_gives(county):
    api = county
    api.clock._at = at(2026, 12, 10, 9)
    await place(api, api.ids["D"], "2026-12-01")
    api.clock._at = at(2027, 1, 5, 9)
    for region, role, scope in ((None, "admin", {}), (COUNTY, "admin", {}), (HAOYAO, "admin", {}),
                                (None, "station_staff", {"region": COUNTY})):
        query = "?from=2026-10&to=2027-01" + (f"&region={region}" if region else "")
        shown = await trend(api, query, role, **scope)
        assert [m["month"] for m in shown["months"]] == ["2026-10", "2026-11", "2026-12", "2027-01"]
        assert [m["frozen"] for m in shown["months"]] == [True, True, True, False]
        for row in shown["months"]:
            suffix = f"?region={region}" if region else ""
            report = (await api.client.get(f"/workers/reports/monthly/{row['month']}{suffix}",
                                           headers=api.auth(role, **scope))).json()
            total = report["total"]
            assert shown["region"] == report["region"] and row["as_of"] == report["as_of"]
            assert row["goals"] == [{k: v for k, v in g.items() if k != "change"} for g in total["goals"]], \
                (region, row["month"])
            assert row["target"] == total["target"]
            assert row["placed"] == total["figures"]["placed"]["value"]
            assert row["placed_in_year"] == total["figures"]["placed_in_year"]["value"]
    middle = await trend(api, f"?from=2026-10&to=2027-01&region={COUNTY}")
    assert middle["name"] == "科尔沁右翼中旗" and middle["level"] == "county"
    employment = [next(g for g in m["goals"] if g["key"] == "employment") for m in middle["months"]]
    assert [(g["numerator"], g["denominator"]) for g in employment] == [(0, 0), (1, 3), (2, 3), (2, 3)]
    # October was frozen at the service's start, before the target was set: it keeps the targets it was frozen with.
    assert [m["target"]["target"] if m["target"] else None for m in middle["months"]] == [None, 10, 10, None]
    assert [m["placed_in_year"] for m in middle["months"]] == [0, 2, 3, 0]
    township = await trend(api, f"?from=2026-11&to=2026-11&region={HAOYAO}")
    assert township["level"] == "township" and township["months"][0]["target"] is None


async def test_the_trend_freezes_the_months_it_reads_and_shows_twelve_by_default(county):
    api = county
    api.clock._at = at(2027, 3, 2, 9)
    shown = await trend(api)
    assert shown["from"] == "2026-04" and shown["to"] == "2027-03" and len(shown["months"]) == 12
    frozen = [m["month"] for m in (await api.client.get("/workers/reports/snapshots",
                                                        headers=api.auth("admin"))).json()]
    assert {"2026-04", "2026-11", "2027-02"} <= set(frozen) and "2027-03" not in frozen
    # Read again after a change: the months that are over say the same.
    await api.client.patch(f"/workers/profiles/{api.ids['D']}", json={"pension_insured": True},
                           headers=api.auth("admin"))
    again = await trend(api)
    assert again["months"][:-1] == shown["months"][:-1]
    assert again["months"][-1]["goals"] != shown["months"][-1]["goals"]


async def test_the_trend_is_scoped_and_checks_its_months(county):
    api = county
    await trend(api, "?region=152221", "station_staff", 403, region=COUNTY)
    await trend(api, "?region=1522", "station_staff", 403, region=COUNTY)
    await trend(api, "", "partner_office", 403, office_id="bj-fengtai-hrss")
    await trend(api, "?region=152299", status=404)  # no such county in the League
    await trend(api, "?region=110106", status=404)
    await trend(api, f"?region={COUNTY}999", "station_staff", 404, region=COUNTY)
    own = await trend(api, "?from=2026-11", "station_staff", region=COUNTY)
    assert own["region"] == COUNTY and [m["month"] for m in own["months"]] == ["2026-11"]
    chinese = api.auth("admin") | {"Accept-Language": "zh-CN"}
    for query in ("?from=2026-13", "?from=26-11", "?to=2026-1", "?from=2017-12", "?to=2026-12", "?from=2027-01",
                  "?from=2026-11&to=2026-10", "?from=2023-10&to=2026-11", "?region=15x"):
        answer = await api.client.get(f"/workers/reports/trend{query}", headers=chinese)
        assert answer.status_code == 422, (query, answer.text)
        [entry] = answer.json()["detail"]
        assert entry["field"] in ("from", "to", "region") and not entry["msg"].isascii(), (query, entry)
    answer = await api.client.get("/workers/reports/trend?from=2026-11&to=2026-10", headers=chinese)
    assert answer.json()["detail"][0]["msg"] == "起始月份不能晚于截止月份"
    most = await trend(api, "?from=2023-12&to=2026-11")
    assert len(most["months"]) == 36
