"""HTTP routes for batch runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from services.matching.deps import ClockDep, SessionDep, SettingsDep, StaffOrAdmin
from services.matching.outcomes.funnel import Scope, funnel
from services.matching.runs import service
from services.matching.runs.schemas import RunIn, RunOut
from shared.clock import local_today
from shared.rate_limits import rate_limited

router = APIRouter(prefix="/matching/runs", tags=["runs"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=RunOut, **rate_limited("runs"))
async def start_run(body: RunIn, session: SessionDep, clock: ClockDep, settings: SettingsDep,
                    by: StaffOrAdmin) -> RunOut:
    run = await service.start(session=session, region_code=body.region_code, by=by, settings=settings, clock=clock)
    return RunOut.model_validate(run)


@router.get("", response_model=list[RunOut])
async def recent_runs(session: SessionDep, by: StaffOrAdmin,
                      region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
                      limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[RunOut]:
    """The newest batch runs in your region, newest first."""
    return [RunOut.model_validate(run) for run in await service.recent(session=session, by=by, region=region,
                                                                       limit=limit)]


@router.get("/{run_id}", response_model=RunOut)
async def read_run(run_id: str, session: SessionDep, clock: ClockDep, by: StaffOrAdmin) -> RunOut:
    run = await service.get(session=session, run_id=run_id, by=by)
    out = RunOut.model_validate(run)
    out.messages = await service.messages(session=session, run_id=run_id)
    stages, _ = await funnel(session=session, scope=Scope(region=run.region_code, run_id=run_id),
                             today=local_today(clock))
    out.outcomes = {**stages.counts(), **stages.measures()}
    return out
