"""HTTP routes of placement targets: admin sets them, staff read their own county's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from services.workers.deps import Admin, ClockDep, SessionDep, StaffOrAdmin
from services.workers.targets import service
from services.workers.targets.schemas import FIRST_YEAR, LAST_YEAR, TargetChangeOut, TargetIn, TargetOut

router = APIRouter(prefix="/workers/targets", tags=["targets"])
CountyCode = Annotated[str, Path(pattern=r"^\d{6}$", description="a county of the League, e.g. 152222")]
Year = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR)]
YearQuery = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]


@router.get("", response_model=list[TargetOut])
async def list_targets(session: SessionDep, by: StaffOrAdmin, year: YearQuery = None) -> list[dict]:
    return [service.present(t) for t in await service.for_year(session=session, year=year, by=by)]


@router.get("/changes", response_model=list[TargetChangeOut])
async def target_changes(session: SessionDep, _: Admin, year: YearQuery = None) -> list[TargetChangeOut]:
    return [TargetChangeOut.model_validate(c) for c in await service.changes(session=session, year=year)]


@router.put("/{county_code}/{year}", response_model=TargetOut)
async def set_target(county_code: CountyCode, year: Year, body: TargetIn, session: SessionDep, clock: ClockDep,
                     by: Admin) -> dict:
    target = await service.put(session=session, county_code=county_code, year=year, placed=body.placed, by=by,
                               clock=clock)
    return service.present(target)


@router.delete("/{county_code}/{year}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_target(county_code: CountyCode, year: Year, session: SessionDep, clock: ClockDep,
                        by: Admin) -> None:
    await service.remove(session=session, county_code=county_code, year=year, by=by, clock=clock)
