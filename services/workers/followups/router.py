"""HTTP routes for follow-up visits: the to-do list, what a visit found, the county's problems, retention."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from services.workers.deps import ClockDep, SessionDep, StaffOrAdmin
from services.workers.followups import service
from services.workers.followups.rules import OUTCOME_ZH, Outcome
from services.workers.followups.schemas import (
    ResolveIn,
    Retention,
    RetentionFigure,
    RetentionRow,
    VisitIn,
    VisitOut,
    VisitPage,
)
from shared.clock import Clock, local_today
from shared.forms import PAGE_MAX

router = APIRouter(prefix="/workers", tags=["follow-ups"])


def _out(visit: service.Visit, clock: Clock) -> VisitOut:
    f, p = visit.follow_up, visit.placement
    state = "cancelled" if f.cancelled else "done" if f.done_at is not None else "open"
    return VisitOut(id=f.id, placement_id=f.placement_id, worker_id=f.worker_id, worker_name=visit.worker_name,
                    home_region_code=f.home_region_code, posting_title=p.posting_title, employer_id=p.employer_id,
                    start_date=p.start_date, months_after=f.months_after, due_on=f.due_on,
                    overdue=state == "open" and f.due_on < local_today(clock), state=state, outcome=f.outcome,
                    outcome_text=OUTCOME_ZH[Outcome(f.outcome)] if f.outcome else None, note=f.note,
                    flagged=f.flagged, resolved_at=f.resolved_at)


@router.get("/follow-ups", response_model=VisitPage)
async def list_visits(
    session: SessionDep, clock: ClockDep, by: StaffOrAdmin,
    state: Literal["todo", "overdue", "done", "flagged"] = "todo",
    region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
    page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> VisitPage:
    """Visits of the caller's area: to do (due within a week, overdue first), overdue, done, or flagged problems."""
    visits, total = await service.listing(session=session, by=by, state=state, region=region, page=page,
                                          page_size=page_size, clock=clock)
    return VisitPage(items=[_out(v, clock) for v in visits], total=total, page=page, page_size=page_size)


@router.post("/profiles/{worker_id}/placements/{placement_id}/follow-ups/{months_after}", response_model=VisitOut)
async def record_visit(worker_id: str, placement_id: str, months_after: Annotated[int, Path(ge=1, le=60)], body: VisitIn,
                       session: SessionDep, clock: ClockDep, by: StaffOrAdmin) -> VisitOut:
    """What the visit found: still employed, left (the placement ends), wages owed or a rights problem (flagged)."""
    visit = await service.record(session=session, worker_id=worker_id, placement_id=placement_id,
                                 months_after=months_after, outcome=Outcome(body.outcome), note=body.note,
                                 left_on=body.left_on, by=by, clock=clock)
    return _out(visit, clock)


@router.post("/follow-ups/{follow_up_id}/resolve", response_model=VisitOut)
async def resolve_problem(follow_up_id: str, body: ResolveIn, session: SessionDep, clock: ClockDep,
                          by: StaffOrAdmin) -> VisitOut:
    """The county dealt with a wage owed or a rights problem."""
    visit = await service.resolve(session=session, follow_up_id=follow_up_id, note=body.note, by=by, clock=clock)
    return _out(visit, clock)


def _figures(tallies: dict[int, service.Tally]) -> list[RetentionFigure]:
    return [RetentionFigure(months=n, reached=t.reached, retained=t.retained, left=t.left, unknown=t.unknown,
                            share=round(t.retained / (t.retained + t.left), 4) if t.retained + t.left else None)
            for n, t in sorted(tallies.items())]


@router.get("/follow-ups/retention", response_model=Retention)
async def retention(session: SessionDep, clock: ClockDep, by: StaffOrAdmin,
                    region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None) -> Retention:
    """Still employed at 3 and 6 months, in total, per home county and per employer."""
    total, counties, employers, names = await service.retention(session=session, by=by, region=region, clock=clock)
    return Retention(as_of=local_today(clock), region=region or by.region or "", total=_figures(total),
                     counties=[RetentionRow(key=k, name=names[k], figures=_figures(v))
                               for k, v in sorted(counties.items())],
                     employers=[RetentionRow(key=k, name=names[k], figures=_figures(v))
                                for k, v in sorted(employers.items())])

