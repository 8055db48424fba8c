"""HTTP routes of start-up support (the worker's station staff, admin): a worker's record, and an area's list."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.workers.deps import ClockDep, SessionDep, StaffOrAdmin
from services.workers.startup_support import service
from services.workers.startup_support.schemas import StartupList, StartupSupportIn, StartupSupportOut
from shared.clock import local_today
from shared.forms import PAGE_MAX

router = APIRouter(prefix="/workers", tags=["start-up support"])


@router.put("/profiles/{worker_id}/startup-support", response_model=StartupSupportOut)
async def keep_startup_support(worker_id: str, body: StartupSupportIn, session: SessionDep, clock: ClockDep,
                               by: StaffOrAdmin) -> dict:
    row = await service.keep(session=session, worker_id=worker_id, fields=body.model_dump(), by=by, clock=clock)
    return service.present(row, today=local_today(clock))


@router.get("/profiles/{worker_id}/startup-support", response_model=StartupSupportOut)
async def read_startup_support(worker_id: str, session: SessionDep, clock: ClockDep, by: StaffOrAdmin) -> dict:
    """The record with the start-up subsidy condition as of today."""
    return service.present(await service.read(session=session, worker_id=worker_id, by=by), today=local_today(clock))


@router.get("/startups", response_model=StartupList)
async def list_startups(
    session: SessionDep, clock: ClockDep, by: StaffOrAdmin,
    region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
    subsidy: Literal["eligible", "not_yet"] | None = None,
    page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    """Workers of the area who want to start a business or have start-up support on record, with the subsidy
    condition as of today; `subsidy` keeps those who meet it (eligible) or not yet (not_yet)."""
    return await service.listing(session=session, by=by, region=region, subsidy=subsidy, page=page,
                                 page_size=page_size, today=local_today(clock))
