"""The ledger report: figures per county and for the scope, each equal to the list of profiles behind it."""

from __future__ import annotations

from datetime import date

import pytest

from services.workers.profiles.idcard import make_id_number
from services.workers.reports.schemas import FIGURES
from tests.service.conftest import worker

COUNTIES = ["152201", "152202", "152221", "152222", "152223", "152224"]


async def register(api, n: int, home: str, **changes) -> str:
    body = worker(id_number=make_id_number(home[:6], date(1980, 1, n), n, "male"), phone=f"1390000{n:04d}",
                  home_region_code=home, **changes)
    response = await api.client.post("/workers/profiles", json=body, headers=api.auth("admin"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def place(api, worker_id: str, region: str, export: bool) -> str:
    posting = api.openings.post(f"p-{region}", region_code=region)
    body = {"posting_id": posting, "start_date": "2026-11-01", "monthly_wage": 5000, "contract_months": 12,
            "work_region_code": region, "organised_export": export}
    response = await api.client.post(f"/workers/profiles/{worker_id}/placements", json=body,
                                      headers=api.auth("admin"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
async def ledger(workers_api):
    """Six labourers in five counties; four placements, one of them ended."""
    api = workers_api
    plain = {"wants_training": False, "wants_entrepreneurship": False}
    a = await register(api, 1, "152222105", transfer_intention="anywhere", wants_training=True)
    await register(api, 2, "152222200", transfer_intention="none", wants_training=False, wants_entrepreneurship=True)
    c = await register(api, 3, "152221101", transfer_intention="league", **plain)
    d = await register(api, 4, "152224100", transfer_intention="near_home", **plain)
    e = await register(api, 5, "152223100", transfer_intention="anywhere", **plain)
    await register(api, 6, "152201100", transfer_intention="near_home", wants_training=True)
    await place(api, a, "110106", export=True)  # Beijing, organised: subsidy eligible
    await place(api, c, "152221101", export=False)  # a local job
    await place(api, d, "152224101", export=True)  # organised, but inside the home county: no subsidy
    ended = await place(api, e, "110105", export=True)
    response = await api.client.post(f"/workers/profiles/{e}/placements/{ended}/end",
                                      json={"ended_on": "2026-11-20", "reason": "合同到期"}, headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    return api


def figures(area: dict) -> dict:
    return {figure: area[figure] for figure in FIGURES}


async def behind(api, headers: dict, figure: str, region: str) -> int:
    response = await api.client.get(f"/workers/reports/progress/profiles?figure={figure}&region={region}&page_size=1",
                                    headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["total"]


async def test_the_league_report_counts_each_figure_per_county(ledger):
    api = ledger
    response = await api.client.get("/workers/reports/progress", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["region"] == "1522" and report["total"]["name"] == "兴安盟"
    rows = {area["code"]: area for area in report["counties"]}
    assert list(rows) == COUNTIES and rows["152222"]["name"] == "科尔沁右翼中旗"
    zero = dict.fromkeys(FIGURES, 0)
    assert figures(rows["152222"]) == zero | {"registered": 2, "transfer_intention": 1, "placed": 1,
                                              "placed_export": 1, "subsidy_eligible": 1, "wants_training": 1,
                                              "wants_entrepreneurship": 1}
    assert figures(rows["152221"]) == zero | {"registered": 1, "transfer_intention": 1, "placed": 1}
    assert figures(rows["152224"]) == zero | {"registered": 1, "transfer_intention": 1, "placed": 1,
                                              "placed_export": 1}
    assert figures(rows["152223"]) == zero | {"registered": 1, "transfer_intention": 1}  # the job ended
    assert figures(rows["152201"]) == zero | {"registered": 1, "transfer_intention": 1, "wants_training": 1}
    assert figures(rows["152202"]) == zero
    assert figures(report["total"]) == {"registered": 6, "transfer_intention": 5, "placed": 3, "placed_export": 2,
                                        "subsidy_eligible": 1, "wants_training": 2, "wants_entrepreneurship": 1}


async def test_every_figure_equals_the_list_of_profiles_behind_it(ledger):
    api = ledger
    admin = api.auth("admin")
    report = (await api.client.get("/workers/reports/progress", headers=admin)).json()
    for area in report["counties"] + [report["total"]]:
        for figure in FIGURES:
            assert await behind(api, admin, figure, area["code"]) == area[figure], (area["code"], figure)
    listing = (await api.client.get("/workers/reports/progress/profiles?figure=subsidy_eligible",
                                    headers=admin)).json()
    [eligible] = listing["items"]
    assert eligible["home_region_code"] == "152222105" and eligible["personal_data"] == "masked"
    assert "*" in eligible["id_number"] and eligible["name"] == "张*英"


async def test_station_staff_see_only_their_region(ledger):
    api = ledger
    staff = api.auth("station_staff", region="152222")
    report = (await api.client.get("/workers/reports/progress", headers=staff)).json()
    assert report["region"] == "152222" and [area["code"] for area in report["counties"]] == ["152222"]
    assert report["total"]["registered"] == 2 and report["total"]["name"] == "科尔沁右翼中旗"
    for figure in FIGURES:
        assert await behind(api, staff, figure, "152222") == report["total"][figure]
    everyone = (await api.client.get("/workers/reports/progress/profiles?figure=registered", headers=staff)).json()
    assert everyone["total"] == 2 and {p["home_region_code"][:6] for p in everyone["items"]} == {"152222"}
    for path in ("/workers/reports/progress?region=152221", "/workers/reports/progress?region=1522",
                 "/workers/reports/progress/profiles?figure=placed&region=152221"):
        assert (await api.client.get(path, headers=staff)).status_code == 403, path
    township = (await api.client.get("/workers/reports/progress?region=152222105", headers=staff)).json()
    assert township["total"]["registered"] == 1 and township["total"]["name"] == "好腰苏木镇"


async def test_only_staff_and_admin_read_reports_and_figures_are_named(ledger):
    api = ledger
    office = api.auth("partner_office", office_id="bj-fengtai-hrss")
    assert (await api.client.get("/workers/reports/progress", headers=office)).status_code == 403
    assert (await api.client.get("/workers/reports/progress/profiles?figure=placed",
                                 headers=office)).status_code == 403
    unknown = await api.client.get("/workers/reports/progress/profiles?figure=happy", headers=api.auth("admin"))
    assert unknown.status_code == 422
