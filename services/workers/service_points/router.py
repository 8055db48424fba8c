"""HTTP routes of the service points: admin keeps the list; staff read their own area's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from services.workers.deps import Admin, ClockDep, SessionDep, StaffOrAdmin
from services.workers.service_points import service
from services.workers.service_points.schemas import (
    ServicePointChange,
    ServicePointIn,
    ServicePointList,
    ServicePointOut,
)

router = APIRouter(prefix="/workers/service-points", tags=["service points"])
TownshipCode = Annotated[str, Path(pattern=r"^\d{9}$", description="a township's 9-digit adcode")]


@router.get("", response_model=ServicePointList)
async def list_points(session: SessionDep, by: StaffOrAdmin,
                      region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None) -> dict:
    return await service.listing(session=session, by=by, region=region)


@router.get("/{township_code}", response_model=ServicePointOut)
async def read_point(township_code: TownshipCode, session: SessionDep, by: StaffOrAdmin) -> dict:
    return service.present(await service.read(session=session, township_code=township_code, by=by))


@router.put("/{township_code}", response_model=ServicePointOut)
async def keep_point(township_code: TownshipCode, body: ServicePointIn, session: SessionDep, clock: ClockDep,
                     by: Admin) -> dict:
    point = await service.keep(session=session, township_code=township_code, fields=body.model_dump(), by=by,
                               clock=clock)
    return service.present(point)


@router.delete("/{township_code}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_point(township_code: TownshipCode, session: SessionDep, clock: ClockDep, by: Admin) -> None:
    await service.remove(session=session, township_code=township_code, by=by, clock=clock)


@router.get("/{township_code}/history", response_model=list[ServicePointChange])
async def point_history(township_code: TownshipCode, session: SessionDep, by: Admin) -> list[ServicePointChange]:
    rows = await service.history(session=session, township_code=township_code, by=by)
    return [ServicePointChange.model_validate(row) for row in rows]
