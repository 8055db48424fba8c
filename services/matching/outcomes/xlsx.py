"""The funnel as a workbook a county bureau can open: Chinese headers, a row per county and the total."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from services.matching.outcomes.schemas import Funnel, FunnelRow
from shared.spreadsheet import append_row

HEADERS = ("地区", "推荐岗位人数", "送达", "有意向", "邀约面试", "就业", "稳定就业6个月", "在推荐岗位就业",
           "意向来自前3个推荐的比例")


def _values(row: FunnelRow) -> list[object]:
    share = "" if row.interest_in_first_three is None else f"{row.interest_in_first_three:.0%}"
    return [row.name, row.offered, row.delivered, row.interested, row.invited, row.placed, row.retained_6m,
            row.placed_from_offers, share]


def funnel_workbook(funnel: Funnel) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "推荐成效"
    scope = "，".join(part for part in (f"月份 {funnel.month}" if funnel.month else "",
                                        f"批次 {funnel.run_id}" if funnel.run_id else "") if part)
    append_row(sheet, [f"推荐成效（{funnel.total.name}{'，' + scope if scope else ''}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in funnel.counties:
        append_row(sheet, _values(row))
    append_row(sheet, ["合计", *_values(funnel.total)[1:]])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHI", (16, 12, 8, 8, 10, 8, 14, 14, 22)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
