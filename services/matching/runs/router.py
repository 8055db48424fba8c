"""HTTP routes for batch runs."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.matching.deps import ClockDep, SessionDep, SettingsDep, StaffOrAdmin
from services.matching.runs import service
from services.matching.runs.schemas import RunIn, RunOut
from shared.rate_limits import rate_limited

router = APIRouter(prefix="/runs", tags=["runs"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=RunOut, **rate_limited("runs"))
async def start_run(body: RunIn, session: SessionDep, clock: ClockDep, settings: SettingsDep,
                    by: StaffOrAdmin) -> RunOut:
    run = await service.start(session=session, region_code=body.region_code, by=by, settings=settings, clock=clock)
    return RunOut.model_validate(run)


@router.get("/{run_id}", response_model=RunOut)
async def read_run(run_id: str, session: SessionDep, by: StaffOrAdmin) -> RunOut:
    out = RunOut.model_validate(await service.get(session=session, run_id=run_id, by=by))
    out.messages = await service.messages(session=session, run_id=run_id)
    return out
