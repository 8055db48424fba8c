"""HTTP routes for job fairs (station staff of the fair's area, admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from services.jobs.deps import ClockDep, LabourersDep, SessionDep, StaffOrAdmin
from services.jobs.fairs import service
from services.jobs.fairs.models import FairAttendee
from services.jobs.fairs.rules import OUTCOME_ZH, REQUIRED_A_YEAR, Outcome, held
from services.jobs.fairs.schemas import (
    AttendanceIn,
    AttendeeOut,
    CountyFairs,
    EmployersIn,
    FairDetail,
    FairEmployerOut,
    FairIn,
    FairOut,
    FairPage,
    FairPostingOut,
    InvitationsIn,
    InvitationsOut,
    PostingsIn,
    YearlyFairs,
)
from shared.clock import Clock, local_today
from shared.forms import OFFSET_MAX
from shared.reference.regions import get_region

router = APIRouter(prefix="/jobs/fairs", tags=["job fairs"])
FairId = Annotated[str, Path(min_length=1, max_length=36)]
WorkerPath = Annotated[str, Path(pattern=r"^[0-9a-fA-F-]{36}$")]
Year = Annotated[int, Query(ge=2000, le=2100)]


def _region_name(code: str) -> str:
    region = get_region(code)
    return region.name if region else code


def _out(fair: service.Fair, clock: Clock) -> FairOut:
    f, c = fair.fair, fair.counts
    return FairOut(id=f.id, title=f.title, held_on=f.held_on, start_time=f.start_time, region_code=f.region_code,
                   region_name=_region_name(f.region_code), county_code=f.county_code, venue=f.venue,
                   held=held(f.held_on, today=local_today(clock)), postings=c.postings, employers=c.employers,
                   invited=c.invited, attended=c.attended, hired=c.hired, created_at=f.created_at)


def _attendee(row: FairAttendee) -> AttendeeOut:
    outcome = Outcome(row.outcome) if row.outcome else None
    return AttendeeOut(worker_id=row.worker_id, invited=row.invited_at is not None, invited_at=row.invited_at,
                       walk_in=row.invited_at is None and row.attended, attended=row.attended,
                       outcome=outcome.value if outcome else None,
                       outcome_text=OUTCOME_ZH[outcome] if outcome else None, posting_id=row.outcome_posting_id)


def _detail(fair: service.Fair, clock: Clock) -> FairDetail:
    return FairDetail(
        **_out(fair, clock).model_dump(),
        posting_list=[FairPostingOut(posting_id=p.id, title=p.title, employer_id=e.id, employer_name=e.name,
                                     status=p.status) for p, e in fair.postings],
        employer_list=[FairEmployerOut(employer_id=e.id, name=e.name) for e in fair.employers],
        attendees=[_attendee(a) for a in fair.attendees])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FairDetail)
async def create_fair(body: FairIn, session: SessionDep, clock: ClockDep, by: StaffOrAdmin) -> FairDetail:
    """Enter a job fair at a place of the caller's area; the county of the place holds it."""
    return _detail(await service.create(session=session, fields=body.model_dump(), by=by, clock=clock), clock)


@router.get("", response_model=FairPage)
async def list_fairs(session: SessionDep, clock: ClockDep, by: StaffOrAdmin, year: Year | None = None,
                     region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50,
                     offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0) -> FairPage:
    """Fairs of the caller's area, latest first."""
    fairs, total = await service.listing(session=session, by=by, year=year, region=region, limit=limit,
                                         offset=offset)
    return FairPage(items=[_out(f, clock) for f in fairs], total=total)


@router.get("/yearly", response_model=YearlyFairs)
async def yearly(year: Year, session: SessionDep, clock: ClockDep, by: StaffOrAdmin) -> YearlyFairs:
    """Per League county of the caller's area: the fairs held in the year up to today, and whether two or more."""
    rows = await service.yearly(session=session, year=year, by=by, clock=clock)
    return YearlyFairs(year=year, as_of=local_today(clock), required=REQUIRED_A_YEAR, counties=[
        CountyFairs(county_code=row.county_code, county_name=_region_name(row.county_code), count=row.year.count,
                    met=row.year.met, fairs=[_out(row.fairs[f.id], clock) for f in row.year.held],
                    planned=[_out(row.fairs[f.id], clock) for f in row.year.planned])
        for row in rows])


@router.get("/{fair_id}", response_model=FairDetail)
async def read_fair(fair_id: FairId, session: SessionDep, clock: ClockDep, by: StaffOrAdmin) -> FairDetail:
    return _detail(await service.get(session=session, fair_id=fair_id, by=by), clock)


@router.post("/{fair_id}/postings", response_model=FairDetail)
async def add_postings(fair_id: FairId, body: PostingsIn, session: SessionDep, clock: ClockDep,
                       by: StaffOrAdmin) -> FairDetail:
    """Add open postings (and so their employers) to the fair."""
    fair = await service.add_postings(session=session, fair_id=fair_id, posting_ids=body.posting_ids, by=by,
                                      clock=clock)
    return _detail(fair, clock)


@router.post("/{fair_id}/employers", response_model=FairDetail)
async def add_employers(fair_id: FairId, body: EmployersIn, session: SessionDep, clock: ClockDep,
                        by: StaffOrAdmin) -> FairDetail:
    fair = await service.add_employers(session=session, fair_id=fair_id, employer_ids=body.employer_ids, by=by,
                                       clock=clock)
    return _detail(fair, clock)


@router.post("/{fair_id}/invitations", response_model=InvitationsOut)
async def invite(fair_id: FairId, body: InvitationsIn, session: SessionDep, clock: ClockDep,
                 labourers: LabourersDep, by: StaffOrAdmin) -> InvitationsOut:
    """Invite labourers by worker id; notify sends each newly invited one an invitation (consent, opt-outs, quiet
    hours and the per-number limits apply). Staff invite only registered labourers of their own area: an id that is
    none answers 404 and nobody is invited."""
    new, before = await service.invite(session=session, fair_id=fair_id, worker_ids=body.worker_ids, by=by,
                                       clock=clock, labourers=labourers)
    return InvitationsOut(invited=new, already_invited=before)


@router.put("/{fair_id}/attendees/{worker_id}", response_model=AttendeeOut)
async def record_attendance(fair_id: FairId, worker_id: WorkerPath, body: AttendanceIn, session: SessionDep,
                            clock: ClockDep, by: StaffOrAdmin) -> AttendeeOut:
    """Whether a labourer came (one not invited is registered as a walk-in), and an outcome for a posting."""
    row = await service.record_attendance(session=session, fair_id=fair_id, worker_id=worker_id,
                                          attended=body.attended,
                                          outcome=Outcome(body.outcome) if body.outcome else None,
                                          posting_id=body.posting_id, by=by, clock=clock)
    return _attendee(row)
