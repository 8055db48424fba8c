"""HTTP routes of a worker's start-up support (the worker's station staff, admin)."""

from __future__ import annotations

from fastapi import APIRouter

from services.workers.deps import ClockDep, SessionDep, StaffOrAdmin
from services.workers.startup_support import service
from services.workers.startup_support.schemas import StartupSupportIn, StartupSupportOut

router = APIRouter(prefix="/profiles/{worker_id}/startup-support", tags=["start-up support"])


@router.put("", response_model=StartupSupportOut)
async def keep_startup_support(worker_id: str, body: StartupSupportIn, session: SessionDep, clock: ClockDep,
                               by: StaffOrAdmin) -> dict:
    row = await service.keep(session=session, worker_id=worker_id, fields=body.model_dump(), by=by, clock=clock)
    return service.present(row)


@router.get("", response_model=StartupSupportOut)
async def read_startup_support(worker_id: str, session: SessionDep, by: StaffOrAdmin) -> dict:
    return service.present(await service.read(session=session, worker_id=worker_id, by=by))
