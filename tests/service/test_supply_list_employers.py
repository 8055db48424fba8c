"""A partner office posts only for employers it brought in: an import row naming another's employer is an error."""

from __future__ import annotations

from tests.service.test_supply_lists import upload, workbook


async def test_an_import_row_naming_someone_elses_employer_is_an_error_not_a_posting_in_its_name(api):
    admins = await api.employer(name="北京安居家政服务有限公司")  # an employer account's, not the office's
    fangshan = api.auth("partner_office", office_id="bj-fangshan-hrss")
    theirs = await api.client.post("/jobs/supply-lists", headers=fangshan, json={
        "title": "房山区清单", "source_region_code": "110111", "period_start": "2027-01-01", "period_end": "2027-06-30"})
    row = ["房山某物业公司", "保安员", "保安员", "110111", 5000, 6000, 2, "是", "是", "", "2027-06-30"]
    assert (await upload(api, theirs.json()["id"], fangshan, workbook([row]))).json()["imported"] == 1
    fengtai = api.auth("partner_office", office_id="bj-fengtai-hrss")
    mine = await api.client.post("/jobs/supply-lists", headers=fengtai, json={
        "title": "丰台区清单", "source_region_code": "110106", "period_start": "2027-01-01", "period_end": "2027-06-30"})
    rows = [["北京安居家政服务有限公司", "家政服务员", "家政服务员", "110106", 5000, 6500, 2, "是", "是", "", "2027-06-30"],
            ["房山某物业公司", "保安员", "保安员", "110106", 5000, 6000, 1, "是", "是", "", "2027-06-30"],
            ["丰台新公司", "保洁员", "保洁员", "110106", 4000, 4500, 1, "是", "是", "", "2027-06-30"]]

    report = (await upload(api, mine.json()["id"], fengtai, workbook(rows))).json()

    assert report["imported"] == 1 and report["employers_created"] == 1
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(2, "employer_name"), (3, "employer_name")]
    assert "brought in" in report["errors"][0]["message"]
    own = await api.client.get(f"/jobs/postings?employer_id={admins}", headers=api.auth("admin"))
    assert own.json()["total"] == 0
