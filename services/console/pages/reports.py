"""进度报表: the ledger report per county with a chart drawn on the server, and its XLSX export."""

from __future__ import annotations

from io import BytesIO

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from openpyxl import Workbook

from services.console.deps import ApiDep, Staff
from services.console.pages import charts
from services.console.pages.render import render

router = APIRouter(prefix="/console/reports")
COLUMNS = [("name", "地区"), ("registered", "登记人数"), ("transfer_intention", "有转移就业意向"), ("placed", "已就业"),
           ("placed_export", "有组织输出就业"), ("subsidy_eligible", "可享求职补贴"), ("wants_training", "有培训意愿"),
           ("wants_entrepreneurship", "有创业意愿")]


def _region(user) -> str:
    return user.account.region if user.account.role == "station_staff" else "1522"


@router.get("", response_class=HTMLResponse)
async def progress(request: Request, user: Staff, api: ApiDep) -> HTMLResponse:
    report = await api.get("/workers/reports/progress", region=_region(user))
    chart = charts.bars([(c["name"], c["registered"], c["placed"]) for c in report["counties"]],
                        first="登记人数", second="已就业")
    return render(request, "reports.html", report=report, columns=COLUMNS, chart=Markup(chart))


def workbook(report: dict) -> bytes:
    """The report as an XLSX sheet: one row per county and the total, Chinese headers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "就业进度"
    sheet.append([label for _, label in COLUMNS])
    for row in [*report["counties"], report["total"]]:
        sheet.append([row[key] for key, _ in COLUMNS])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@router.get("/progress.xlsx")
async def progress_xlsx(user: Staff, api: ApiDep) -> Response:
    report = await api.get("/workers/reports/progress", region=_region(user))
    return Response(workbook(report), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=progress.xlsx"})
