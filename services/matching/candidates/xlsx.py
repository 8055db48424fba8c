"""The job-seeking demand list (求职需求清单) as a workbook a Beijing office can open."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from services.matching.candidates.service import CAPACITY, GENDER
from services.matching.ranking.model import PostingView
from shared.spreadsheet import append_row

HEADERS = ("岗位名称", "用人单位", "工作地点", "月薪", "候选人编号", "年龄", "性别", "户籍地", "劳动能力", "技能",
           "意向工种", "距离（公里）", "匹配度", "推荐理由")


def demand_list(sections: list[tuple[PostingView, list[dict]]], *, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "求职需求清单"
    append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for posting, candidates in sections:
        for c in candidates:
            append_row(sheet, [posting.title, posting.employer_name, posting.region_code,
                               f"{posting.wage_min}-{posting.wage_max}", c["worker_id"], c["age"],
                               GENDER.get(c["gender"], ""), c["home_region_name"],
                               CAPACITY.get(c["labor_capacity"], ""), "、".join(c["skills"]),
                               "、".join(c["desired_occupations"]), c["distance_km"], c["score"],
                               "；".join(c["reasons"])])
    for column, width in zip("ABCDEFGHIJKLMN", (18, 22, 10, 12, 38, 6, 6, 14, 10, 20, 16, 10, 8, 40)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
