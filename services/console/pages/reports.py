"""进度报表: the ledger report per county, and per township of one county, with charts drawn on the server as SVG,
the trend of the last twelve months, and the XLSX export of both; 月报: the monthly report of the plan's five goals,
printable, with a month chooser and the workers service's workbook; 走势: the trend over the months chosen, printable."""

from __future__ import annotations

from io import BytesIO
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from openpyxl import Workbook

from services.console.api import Api, ApiError
from services.console.deps import ApiDep, ClockDep, Staff
from services.console.pages import charts
from services.console.pages.render import render
from shared.clock import local_today
from shared.reference.regions import get_region, townships

router = APIRouter(prefix="/console/reports", include_in_schema=False)
COLUMNS = [("name", "地区"), ("registered", "登记人数"), ("transfer_intention", "有转移就业意向"), ("placed", "已就业"),
           ("placed_export", "有组织输出就业"), ("subsidy_eligible", "可享求职补贴"), ("wants_training", "有培训意愿"),
           ("wants_entrepreneurship", "有创业意愿")]
County = Annotated[str, Query(pattern=r"^(|1522\d\d)$", description="a county of the League: its townships' rows")]


def _region(user) -> str:
    return user.account.region if user.account.role == "station_staff" else "1522"


def _county(region: str, asked: str) -> str:
    """Whose townships to list: the one asked for, else the staff's own county."""
    return asked or (region[:6] if len(region) >= 6 else "")


async def township_rows(api: Api, *, county: str, region: str) -> list[dict]:
    """One row per township of the county inside the region, each the API's total for that township. The API is
    asked for the county first (or the caller's own township inside it), so a county outside the caller's scope
    is refused by the API, not left empty."""
    await api.get("/workers/reports/progress", region=region if region.startswith(county) else county)
    rows = []
    for town in townships(county):
        if town.code.startswith(region) or region.startswith(town.code):
            report = await api.get("/workers/reports/progress", region=town.code)
            rows.append({**report["total"], "code": town.code, "name": town.name})
    return rows


GOAL_HEADERS = [("employment", "就业"), ("entrepreneurship", "创业扶持"), ("training", "补贴培训"),
                ("pension", "养老保险"), ("service_points", "服务平台")]


def trend_charts(trend: dict) -> dict[str, Markup]:
    """The trend's two line charts: the five goals' shares, and those in work, helped into work this year and the
    year's target."""
    rows = trend["months"]
    months = [row["month"] for row in rows]
    shares: list[charts.Series] = [
        (label, [next(g["share"] for g in row["goals"] if g["key"] == key) for row in rows])
        for key, label in GOAL_HEADERS]
    placements: list[charts.Series] = [("在岗人数", [row["placed"] for row in rows]),
                                       ("本年实现就业", [row["placed_in_year"] for row in rows])]
    target = [row["target"]["target"] if row["target"] else None for row in rows]
    if any(value is not None for value in target):
        placements.append(("年度目标", list(target)))
    return {"shares": Markup(charts.lines(months, shares, title="“五个100%”比例逐月走势", percent=True)),
            "placements": Markup(charts.lines(months, placements, title="在岗和本年实现就业人数逐月走势"))}


def _chart(rows: list[dict]) -> Markup:
    return Markup(charts.bars([(r["name"], r["registered"], r["placed"]) for r in rows], first="登记人数",
                              second="已就业"))


@router.get("", response_class=HTMLResponse)
async def progress(request: Request, user: Staff, api: ApiDep, clock: ClockDep, county: County = "") -> HTMLResponse:
    region = _region(user)
    fairs = await fairs_held(api, year=local_today(clock).year)
    report = await api.get("/workers/reports/progress", region=region)
    chosen = _county(region, county)
    towns = await township_rows(api, county=chosen, region=region) if chosen else []
    place = get_region(chosen) if chosen else None
    trend = await api.get("/workers/reports/trend", region=county or region)
    return render(request, "reports.html", report=report, columns=COLUMNS, chart=_chart(report["counties"]),
                  towns=towns, town_chart=_chart(towns), county=chosen, county_name=place.name if place else "",
                  fairs=fairs, trend=trend, trend_charts=trend_charts(trend), trend_county=county)


async def fairs_held(api: Api, *, year: int) -> dict | None:
    """The job fairs each county held this year (from jobs); None when jobs cannot answer now: the rest still shows."""
    try:
        return await api.get("/jobs/fairs/yearly", year=year)
    except ApiError as error:
        if error.status < 500:
            raise
        return None


def workbook(report: dict, towns: list[dict]) -> bytes:
    """The report as XLSX: a sheet per county and the total, and the townships' sheet when there are any."""
    book = Workbook()
    sheet = book.active
    sheet.title = "各旗县市"
    sheet.append([label for _, label in COLUMNS])
    for row in [*report["counties"], {**report["total"], "name": "合计"}]:
        sheet.append([row[key] for key, _ in COLUMNS])
    if towns:
        sheet = book.create_sheet("各苏木乡镇")
        sheet.append([label for _, label in COLUMNS])
        for row in towns:
            sheet.append([row[key] for key, _ in COLUMNS])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@router.get("/progress.xlsx")
async def progress_xlsx(user: Staff, api: ApiDep, county: County = "") -> Response:
    region = _region(user)
    report = await api.get("/workers/reports/progress", region=region)
    chosen = _county(region, county)
    towns = await township_rows(api, county=chosen, region=region) if chosen else []
    return Response(workbook(report, towns),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=progress.xlsx"})


Month = Annotated[str, Query(pattern=r"^(|\d{4}-\d{2})$", description="YYYY-MM; empty: this month")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _months(chosen: str, this_month: str) -> dict[str, str | None]:
    """The month before and after the chosen one (none past this month, none before the plan's first)."""
    year, number = (int(part) for part in chosen.split("-"))
    before = f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"
    after = f"{year + (number == 12):04d}-{number % 12 + 1:02d}"
    return {"before": before if before >= "2018-01" else None, "after": after if after <= this_month else None}


def goal_cell(goal: dict) -> dict:
    """One goal of one area as the page shows it: 已达/应达, the share as a percentage, the change in words."""
    share = "—" if goal["share"] is None else f"{goal['share'] * 100:.1f}%"
    change = goal.get("change")  # none in a trend's month
    moved = "" if change is None or change["numerator"] == 0 else f"{change['numerator']:+d}"
    return {"numerator": goal["numerator"], "denominator": goal["denominator"], "share": share, "change": moved,
            "numerator_figure": goal["numerator_figure"], "denominator_figure": goal["denominator_figure"]}


@router.get("/monthly", response_class=HTMLResponse)
async def monthly(request: Request, user: Staff, api: ApiDep, clock: ClockDep, month: Month = "",
                  county: County = "") -> HTMLResponse:
    region = _region(user)
    this_month = local_today(clock).strftime("%Y-%m")
    chosen = month or this_month
    report = await api.get(f"/workers/reports/monthly/{chosen}", region=region)
    shown = _county(region, county)
    county_row = next((c for c in report["counties"] if c["code"] == shown), None) if shown else None
    if county and county_row is None:
        # Asked for a county outside the page's rows: the API answers for it (and refuses one outside the scope).
        asked = await api.get(f"/workers/reports/monthly/{chosen}", region=county)
        county_row = next((c for c in asked["counties"] if c["code"] == county), None)
    return render(request, "reports_monthly.html", report=report, month=chosen, this_month=this_month,
                  steps=_months(chosen, this_month), county=shown, county_row=county_row, cell=goal_cell,
                  headers=GOAL_HEADERS)


@router.get("/monthly.xlsx")
async def monthly_xlsx(user: Staff, api: ApiDep, clock: ClockDep, month: Month = "") -> Response:
    chosen = month or local_today(clock).strftime("%Y-%m")
    answer = await api.request("GET", f"/workers/reports/monthly/{chosen}/export", params={"region": _region(user)})
    return Response(answer.content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=report-{chosen}.xlsx"})


@router.get("/trend", response_class=HTMLResponse)
async def trend(request: Request, user: Staff, api: ApiDep, clock: ClockDep,
                first: Annotated[str, Query(alias="from", pattern=r"^(|\d{4}-\d{2})$")] = "",
                last: Annotated[str, Query(alias="to", pattern=r"^(|\d{4}-\d{2})$")] = "",
                county: County = "") -> HTMLResponse:
    """走势: the five goals and the placements month by month (by default the last twelve), with a table of the
    figures, for the caller's area or one county of it; printable."""
    region = _region(user)
    shown = await api.get("/workers/reports/trend", region=county or region, **{"from": first, "to": last})
    return render(request, "reports_trend.html", trend=shown, charts=trend_charts(shown), county=county,
                  this_month=local_today(clock).strftime("%Y-%m"), cell=goal_cell, headers=GOAL_HEADERS)
