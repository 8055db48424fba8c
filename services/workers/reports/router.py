"""HTTP routes of the ledger report: the progress snapshot, the monthly report with its frozen months and export,
the trend over months, and the lists behind every figure."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.workers.deps import Admin, ClockDep, KeysDep, SessionDep, StaffOrAdmin
from services.workers.profiles import service as profiles
from services.workers.profiles.schemas import ProfilePage
from services.workers.reports import monthly, service, snapshots, trend
from services.workers.reports.figures import TownshipFigure, WorkerFigure
from services.workers.reports.schemas import (
    Figure,
    MonthlyReport,
    ProgressReport,
    SnapshotOut,
    TownshipOut,
    TrendReport,
)
from services.workers.reports.xlsx import workbook
from shared.forms import PAGE_MAX
from shared.rate_limits import rate_limited

router = APIRouter(prefix="/workers/reports", tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Region = Annotated[str | None, Query(pattern=r"^\d{2,12}$", description="adcode prefix within your scope")]
MonthPath = Annotated[str, Path(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM, from 2018-01 to this month")]
MonthQuery = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM, from 2018-01 to this month")]
Page = Annotated[int, Query(ge=1, le=PAGE_MAX)]
PageSize = Annotated[int, Query(ge=1, le=200)]


@router.get("/progress", response_model=ProgressReport)
async def progress(session: SessionDep, clock: ClockDep, by: StaffOrAdmin, region: Region = None) -> dict:
    return await service.progress(session=session, by=by, region=region, clock=clock)


@router.get("/progress/profiles", response_model=ProfilePage)
async def profiles_behind(figure: Figure, session: SessionDep, clock: ClockDep, keys: KeysDep, by: StaffOrAdmin,
                          region: Region = None, page: Page = 1, page_size: PageSize = 50) -> ProfilePage:
    rows, total = await service.profiles_behind(session=session, by=by, figure=figure, region=region, page=page,
                                                page_size=page_size)
    items = [profiles.view_masked(profile=p, keys=keys, clock=clock) for p in rows]
    return ProfilePage(items=items, total=total, page=page, page_size=page_size)


@router.get("/monthly/{month}", response_model=MonthlyReport)
async def monthly_report(month: MonthPath, session: SessionDep, clock: ClockDep, by: StaffOrAdmin,
                         region: Region = None) -> dict:
    return await monthly.report(session=session, by=by, month_text=month, region=region, clock=clock)


@router.get("/monthly/{month}/profiles", response_model=ProfilePage)
async def monthly_profiles(month: MonthPath, figure: WorkerFigure, session: SessionDep, clock: ClockDep,
                           keys: KeysDep, by: StaffOrAdmin, region: Region = None, page: Page = 1,
                           page_size: PageSize = 50) -> ProfilePage:
    rows, total = await monthly.profiles_behind(session=session, by=by, month_text=month, figure=figure,
                                                region=region, page=page, page_size=page_size, clock=clock)
    items = [profiles.view_masked(profile=p, keys=keys, clock=clock) for p in rows]
    return ProfilePage(items=items, total=total, page=page, page_size=page_size)


@router.get("/monthly/{month}/townships", response_model=list[TownshipOut])
async def monthly_townships(month: MonthPath, figure: TownshipFigure, session: SessionDep, clock: ClockDep,
                            by: StaffOrAdmin, region: Region = None) -> list[dict]:
    return await monthly.townships_behind(session=session, by=by, month_text=month, figure=figure, region=region,
                                          clock=clock)


@router.get("/monthly/{month}/export", response_class=Response, **rate_limited("exports"),
            responses={200: {"content": {XLSX: {}}, "description": "the report as an XLSX workbook"}})
async def monthly_export(month: MonthPath, session: SessionDep, clock: ClockDep, by: StaffOrAdmin,
                         region: Region = None) -> Response:
    report = await monthly.report(session=session, by=by, month_text=month, region=region, clock=clock)
    name = f"report-{report['month']}-{report['region']}.xlsx"
    return Response(workbook(report), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/trend", response_model=TrendReport, responses={404: {
    "description": "no such area of the League",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorAnswer"}}}}})
async def trend_report(session: SessionDep, clock: ClockDep, by: StaffOrAdmin, region: Region = None,
                       first: Annotated[MonthQuery, Query(alias="from")] = None,
                       last: Annotated[MonthQuery, Query(alias="to")] = None) -> dict:
    """The area's five goals and placement target month by month (default: the twelve months up to this one, at most
    36), from the months' frozen snapshots."""
    return await trend.trend(session=session, by=by, region=region, first_text=first, last_text=last, clock=clock)


@router.get("/snapshots", response_model=list[SnapshotOut])
async def frozen_months(session: SessionDep, _: StaffOrAdmin) -> list[SnapshotOut]:
    return [SnapshotOut(month=s.month, as_of=s.as_of, frozen_at=s.frozen_at, frozen_by=s.frozen_by)
            for s in await snapshots.months(session)]


@router.post("/snapshots/{month}", response_model=SnapshotOut)
async def freeze_month(month: MonthPath, response: Response, session: SessionDep, clock: ClockDep,
                       by: Admin) -> SnapshotOut:
    chosen = snapshots.month_asked(month, clock=clock)
    snapshot, created = await snapshots.freeze(session=session, month=chosen, by=by.sub, clock=clock)
    response.status_code = 201 if created else 200
    return SnapshotOut(month=snapshot.month, as_of=snapshot.as_of, frozen_at=snapshot.frozen_at,
                       frozen_by=snapshot.frozen_by, created=created)
