"""HTTP routes for placements."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.workers.deps import ClockDep, OpeningsDep, SessionDep, SettingsDep, StaffOrAdmin
from services.workers.placements import service
from services.workers.placements.models import Placement
from services.workers.placements.rules import RULES
from services.workers.placements.schemas import PlacementEnd, PlacementIn, PlacementOut

router = APIRouter(prefix="/workers/profiles/{worker_id}/placements", tags=["placements"])


def _out(placement: Placement) -> PlacementOut:
    out = PlacementOut.model_validate(placement)
    out.subsidy_reason = RULES[placement.subsidy_rule][1] if placement.subsidy_rule in RULES else None
    return out


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PlacementOut)
async def record_placement(worker_id: str, body: PlacementIn, session: SessionDep, clock: ClockDep,
                           openings: OpeningsDep, settings: SettingsDep, by: StaffOrAdmin) -> PlacementOut:
    """Record that the worker took a posting: 404 when it does not exist, 409 when it is closed or full, 422 when
    the wage is below the minimum wage where it is."""
    placement = await service.record(session=session, worker_id=worker_id, by=by, clock=clock, openings=openings,
                                     follow_up_months=settings.follow_up_months, **body.model_dump())
    return _out(placement)


@router.get("", response_model=list[PlacementOut])
async def list_placements(worker_id: str, session: SessionDep, by: StaffOrAdmin) -> list[PlacementOut]:
    return [_out(p) for p in await service.for_worker(session=session, worker_id=worker_id,
                                                                              by=by)]


@router.post("/{placement_id}/end", response_model=PlacementOut)
async def end_placement(worker_id: str, placement_id: str, body: PlacementEnd, session: SessionDep,
                        clock: ClockDep, by: StaffOrAdmin) -> PlacementOut:
    placement = await service.end(session=session, worker_id=worker_id, placement_id=placement_id,
                                  ended_on=body.ended_on, reason=body.reason, by=by, clock=clock)
    return _out(placement)
