"""HTTP routes for candidate lists (JSON, or XLSX with ?format=xlsx)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.matching.candidates import service
from services.matching.candidates.xlsx import demand_list
from services.matching.deps import CacheDep, CandidateViewer, ClockDep, OfficeOrAdmin, SessionDep
from shared.rate_limits import rate_limited

router = APIRouter(prefix="/matching", tags=["candidates"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Annotated[Literal["json", "xlsx"], Query()]


def _posting(posting) -> dict:
    return {"posting_id": posting.id, "title": posting.title, "employer": posting.employer_name,
            "region_code": posting.region_code, "wage_min": posting.wage_min, "wage_max": posting.wage_max,
            "headcount": posting.headcount}


@router.get("/postings/{posting_id}/candidates", **rate_limited("exports"))
async def posting_candidates(posting_id: str, session: SessionDep, cache: CacheDep, clock: ClockDep,
                             by: CandidateViewer, format: Format = "json",
                             limit: Annotated[int, Query(ge=1, le=500)] = 50):
    posting, candidates = await service.for_posting(session=session, posting_id=posting_id, by=by, cache=cache,
                                                    clock=clock, limit=limit)
    if format == "xlsx":
        return Response(demand_list([(posting, candidates)], title=f"{posting.title} 候选人名单"), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="candidates-{posting_id}.xlsx"'})
    return {"posting": _posting(posting), "candidates": candidates}


@router.get("/supply-lists/{list_id}/candidates", **rate_limited("exports"))
async def supply_list_candidates(list_id: str, session: SessionDep, cache: CacheDep, clock: ClockDep,
                                 by: OfficeOrAdmin, format: Format = "json",
                                 per_posting: Annotated[int, Query(ge=1, le=100)] = 20):
    sections = await service.for_supply_list(session=session, list_id=list_id, by=by, cache=cache, clock=clock,
                                             per_posting=per_posting)
    if format == "xlsx":
        return Response(demand_list(sections, title="求职需求清单"), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="demand-list-{list_id}.xlsx"'})
    return {"supply_list_id": list_id,
            "postings": [{"posting": _posting(p), "candidates": c} for p, c in sections]}
