"""HTTP routes for one worker's recommendations."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.matching.deps import CacheDep, ClockDep, SessionDep, SettingsDep, StaffOrAdmin
from services.matching.recommendations import service
from services.matching.recommendations.schemas import RecommendationsOut
from shared.rate_limits import rate_limited

router = APIRouter(prefix="/matching/workers/{worker_id}", tags=["recommendations"])


@router.get("/recommendations", response_model=RecommendationsOut, **rate_limited("recommendations"))
async def recommendations(worker_id: str, session: SessionDep, cache: CacheDep, clock: ClockDep,
                          settings: SettingsDep, by: StaffOrAdmin) -> dict:
    """Ranked offers with score and reasons: at least three, or an explicit shortfall (nothing is sent)."""
    record = await service.worker_in_scope(session, worker_id, by)
    recommendation, postings = await service.recommend(session=session, record=record, cache=cache, clock=clock,
                                                       limit=settings.recommendations_per_worker)
    return service.body(recommendation, postings)


@router.post("/recommendations", response_model=RecommendationsOut, status_code=status.HTTP_201_CREATED,
             **rate_limited("recommendations"))
async def issue_recommendations(worker_id: str, session: SessionDep, cache: CacheDep, clock: ClockDep,
                                settings: SettingsDep, by: StaffOrAdmin) -> dict:
    """Issue the offers: stored for the record and published, so notify pushes them to the worker."""
    record = await service.worker_in_scope(session, worker_id, by)
    recommendation, postings = await service.recommend(session=session, record=record, cache=cache, clock=clock,
                                                       limit=settings.recommendations_per_worker)
    issued = await service.issue(session=session, recommendation=recommendation, postings=postings,
                                 home_region_code=record.home_region_code, run_id=None, by=by.sub, clock=clock)
    return {"worker_id": worker_id, "items": issued["items"], "shortfall": issued["shortfall"],
            "set_id": issued["id"], "issued_at": issued["issued_at"]}


@router.get("/recommendation-sets", response_model=list[RecommendationsOut])
async def issued_sets(worker_id: str, session: SessionDep, by: StaffOrAdmin) -> list[dict]:
    """What was issued to the worker, newest first: every offer on record with its reasons."""
    await service.worker_in_scope(session, worker_id, by)
    return [{"worker_id": s.worker_id, "items": s.items, "shortfall": s.shortfall, "set_id": s.id,
             "issued_at": s.issued_at} for s in await service.history(session=session, worker_id=worker_id)]
