"""HTTP routes of the ledger report and the profile lists behind its figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.workers.deps import ClockDep, KeysDep, SessionDep, StaffOrAdmin
from services.workers.profiles import service as profiles
from services.workers.profiles.schemas import ProfilePage
from services.workers.reports import service
from services.workers.reports.schemas import Figure, ProgressReport
from shared.forms import PAGE_MAX

router = APIRouter(prefix="/reports", tags=["reports"])

Region = Annotated[str | None, Query(pattern=r"^\d{2,12}$", description="adcode prefix within your scope")]


@router.get("/progress", response_model=ProgressReport)
async def progress(session: SessionDep, clock: ClockDep, by: StaffOrAdmin, region: Region = None) -> dict:
    return await service.progress(session=session, by=by, region=region, clock=clock)


@router.get("/progress/profiles", response_model=ProfilePage)
async def profiles_behind(
    figure: Figure, session: SessionDep, clock: ClockDep, keys: KeysDep, by: StaffOrAdmin, region: Region = None,
    page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1, page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProfilePage:
    rows, total = await service.profiles_behind(session=session, by=by, figure=figure, region=region, page=page,
                                                page_size=page_size)
    items = [profiles.view_masked(profile=p, keys=keys, clock=clock) for p in rows]
    return ProfilePage(items=items, total=total, page=page, page_size=page_size)
