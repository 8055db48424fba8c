"""HTTP routes for placements."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.workers.deps import ClockDep, SessionDep, StaffOrAdmin
from services.workers.placements import service
from services.workers.placements.schemas import PlacementEnd, PlacementIn, PlacementOut

router = APIRouter(prefix="/profiles/{worker_id}/placements", tags=["placements"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PlacementOut)
async def record_placement(worker_id: str, body: PlacementIn, session: SessionDep, clock: ClockDep,
                           by: StaffOrAdmin) -> PlacementOut:
    placement = await service.record(session=session, worker_id=worker_id, by=by, clock=clock, **body.model_dump())
    return PlacementOut.model_validate(placement)


@router.get("", response_model=list[PlacementOut])
async def list_placements(worker_id: str, session: SessionDep, by: StaffOrAdmin) -> list[PlacementOut]:
    return [PlacementOut.model_validate(p) for p in await service.for_worker(session=session, worker_id=worker_id,
                                                                              by=by)]


@router.post("/{placement_id}/end", response_model=PlacementOut)
async def end_placement(worker_id: str, placement_id: str, body: PlacementEnd, session: SessionDep,
                        clock: ClockDep, by: StaffOrAdmin) -> PlacementOut:
    placement = await service.end(session=session, worker_id=worker_id, placement_id=placement_id,
                                  ended_on=body.ended_on, reason=body.reason, by=by, clock=clock)
    return PlacementOut.model_validate(placement)
