"""Internal routes: workers holds an opening before it records a placement, and gives it back if it cannot."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from services.jobs.deps import ClockDep, ServiceCaller, SessionDep
from services.jobs.openings import service
from services.jobs.openings.schemas import OpeningIn, OpeningOut

internal = APIRouter(prefix="/jobs/internal/postings/{posting_id}/openings", tags=["internal"])


@internal.post("", response_model=OpeningOut)
async def take_opening(posting_id: str, body: OpeningIn, session: SessionDep, clock: ClockDep,
                       _: ServiceCaller) -> OpeningOut:
    """Hold an opening for a placement; the outcome says why not when none is held (200 either way)."""
    taken = await service.take(session=session, posting_id=posting_id, clock=clock, **body.model_dump())
    posting = taken.posting
    about = {} if posting is None else {
        "region_code": posting.region_code, "title": posting.title, "occupation": posting.occupation,
        "employer_id": posting.employer_id, "employer_name": posting.employer.name,
        "headcount_left": posting.headcount}
    return OpeningOut(outcome=taken.outcome.value, posting_id=posting_id, placement_id=body.placement_id,
                      minimum_wage=taken.minimum_wage, **about)


@internal.delete("/{placement_id}", status_code=status.HTTP_204_NO_CONTENT)
async def give_back_opening(posting_id: str, placement_id: str, session: SessionDep, clock: ClockDep,
                            _: ServiceCaller) -> Response:
    await service.give_back(session=session, posting_id=posting_id, placement_id=placement_id, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
