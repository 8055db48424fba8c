"""HTTP routes: an employer's decision on a candidate, and the funnel from offer to lasting work."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.matching.deps import CandidateViewer, ClockDep, SessionDep, StaffOrAdmin
from services.matching.outcomes import service
from services.matching.outcomes.funnel import STAGES, Stages, funnel as funnel_of
from services.matching.outcomes.schemas import DecisionIn, DecisionOut, Funnel, FunnelRow, FunnelWorkers
from services.matching.outcomes.xlsx import funnel_workbook
from shared.clock import local_today
from shared.reference.regions import get_region

router = APIRouter(prefix="/matching", tags=["outcomes"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Region = Annotated[str | None, Query(pattern=r"^\d{2,12}$")]
Month = Annotated[str | None, Query(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")]
RunId = Annotated[str | None, Query(max_length=36)]


@router.put("/postings/{posting_id}/candidates/{worker_id}/decision", response_model=DecisionOut)
async def decide(posting_id: str, worker_id: str, body: DecisionIn, session: SessionDep, clock: ClockDep,
                 by: CandidateViewer) -> DecisionOut:
    """Invited to an interview, hired, or not suitable: shown on the candidate list and counted in the funnel."""
    found = await service.decide(session=session, posting_id=posting_id, worker_id=worker_id,
                                 decision=body.decision, note=body.note, by=by, clock=clock)
    return DecisionOut(posting_id=found.posting_id, worker_id=found.worker_id, decision=found.decision,
                       decision_text=service.DECISIONS[found.decision], note=found.note, decided_at=found.decided_at)


def _row(code: str, stages: Stages) -> FunnelRow:
    region = get_region(code)
    return FunnelRow(code=code, name=region.name if region else code, **stages.counts(), **stages.measures())


@router.get("/funnel", response_model=Funnel,
            responses={200: {"content": {XLSX: {}}, "description": "the funnel (JSON, or an XLSX workbook)"}})
async def funnel(session: SessionDep, clock: ClockDep, by: StaffOrAdmin, region: Region = None, run_id: RunId = None,
                 month: Month = None, format: Literal["json", "xlsx"] = "json"):
    """Offered → delivered → interested → invited → placed → still employed at 6 months, per county."""
    scope = service.funnel_scope(by=by, region=region, run_id=run_id, month=month)
    total, counties = await funnel_of(session=session, scope=scope, today=local_today(clock))
    answer = Funnel(region=scope.region, run_id=run_id, month=month, total=_row(scope.region, total),
                    counties=[_row(code, stages) for code, stages in sorted(counties.items())])
    if format == "xlsx":
        return Response(funnel_workbook(answer), media_type=XLSX,
                        headers={"Content-Disposition": 'attachment; filename="funnel.xlsx"'})
    return answer


@router.get("/funnel/workers", response_model=FunnelWorkers)
async def funnel_workers(session: SessionDep, clock: ClockDep, by: StaffOrAdmin,
                         stage: Annotated[str, Query(pattern="^(" + "|".join(STAGES) + ")$")],
                         region: Region = None, run_id: RunId = None, month: Month = None,
                         limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> FunnelWorkers:
    """The labourers behind one figure of the funnel (ids, as the rest of the platform names them)."""
    scope = service.funnel_scope(by=by, region=region, run_id=run_id, month=month)
    total, _ = await funnel_of(session=session, scope=scope, today=local_today(clock))
    ids = sorted(total.workers[stage])
    return FunnelWorkers(stage=stage, total=len(ids), worker_ids=ids[:limit])
