"""The monthly report as a workbook in a county bureau's layout: Chinese headers, the counties on a summary sheet,
a sheet per county with its townships, a totals row under each table. Every cell is a value, never a formula."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from shared.spreadsheet import append_row

GOAL_HEADERS = {
    "employment": ("有劳动能力和就业愿望", "已就业", "就业比例"),
    "entrepreneurship": ("有创业意愿", "接受创业扶持", "创业扶持比例"),
    "training": ("有培训意愿", "参加补贴培训", "培训比例"),
    "pension": ("符合参保条件", "已参保", "参保比例"),
    "service_points": ("贫困旗县苏木乡镇", "服务平台达标", "平台达标比例"),
}
TAIL = ("在岗人数", "本年实现就业", "年度目标", "目标完成比例", "补录更正")
HEADERS = ("地区代码", "地区", *(h for headers in GOAL_HEADERS.values() for h in headers), *TAIL)
PERCENT = "0.0%"


def _row(area: dict, *, name: str | None = None) -> list[object]:
    values: list[object] = [area["code"], name or area["name"]]
    for goal in area["goals"]:
        values += [goal["denominator"], goal["numerator"], goal["share"]]
    figures, target = area["figures"], area["target"]
    corrections = figures["corrections"]["value"] + figures["point_corrections"]["value"]
    values += [figures["placed"]["value"], figures["placed_in_year"]["value"],
               target["target"] if target else None, target["share"] if target else None, corrections]
    return values


def _table(sheet: Worksheet, title: str, note: str, rows: list[dict], total: dict) -> None:
    append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, [note])
    append_row(sheet, HEADERS)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for area in rows:
        append_row(sheet, _row(area))
    append_row(sheet, _row(total, name="合计"))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    shares = [i + 1 for i, header in enumerate(HEADERS) if header.endswith("比例")]
    for row in sheet.iter_rows(min_row=4):
        for column in shares:
            row[column - 1].number_format = PERCENT
    sheet.column_dimensions["B"].width = 18
    sheet.freeze_panes = "C4"


def workbook(report: dict) -> bytes:
    """The report as XLSX bytes."""
    year, number = report["month"].split("-")
    state = "已封存，数字不再变动" if report["frozen"] else "本月未结束，数字随登记变动"
    note = f"统计截至{report['as_of']}（{state}）；补录更正：本月补登的以前月份记录。"
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    total = report["total"]
    _table(summary, f"{total['name']}社保就业扶贫“五个100%”月报 {year}年{int(number)}月", note,
           report["counties"], total)
    for county in report["counties"]:
        sheet = book.create_sheet(_sheet_title(county["name"], book.sheetnames))
        _table(sheet, f"{county['name']} {year}年{int(number)}月 各苏木乡镇", note + "合计含未登记到苏木乡镇的人员。",
               county["townships"], county)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(name: str, taken: list[str]) -> str:
    # Sheet titles: at most 31 characters, none of []:*?/\ and unique in the book.
    title = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "地区"
    candidate, n = title, 2
    while candidate in taken:
        candidate, n = f"{title}{n}", n + 1
    return candidate
