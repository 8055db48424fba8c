"""Follow-up visits: the to-do list, recording what staff found, the county's rights problems, retention."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.followups.models import FollowUp
from services.workers.followups.rules import DUE_SOON_DAYS, FLAGGED, STILL_EMPLOYED, Outcome
from services.workers.placements import service as placements
from services.workers.placements.models import Placement
from services.workers.profiles import service as profiles
from services.workers.profiles.models import WorkerProfile
from shared.auth import Principal, Role
from shared.clock import Clock, add_months, local_today
from shared.errors import Conflict, Invalid, NotFound
from shared.reference.regions import county_of

RETENTION_MONTHS = (3, 6)


@dataclass(frozen=True)
class Visit:
    follow_up: FollowUp
    placement: Placement
    worker_name: str


def _in_scope(query: Select, by: Principal, region: str | None) -> Select:
    if by.role is Role.station_staff:
        query = query.where(FollowUp.home_region_code.startswith(by.region or "", autoescape=True))
    if region:
        query = query.where(FollowUp.home_region_code.startswith(region, autoescape=True))
    return query


async def listing(*, session: AsyncSession, by: Principal, state: str, region: str | None, page: int,
                  page_size: int, clock: Clock) -> tuple[list[Visit], int]:
    """Visits in the caller's area: `todo` (open and due within a week, overdue first), `overdue`, `done`,
    `flagged` (a wage owed or a rights problem not yet resolved)."""
    today = local_today(clock)
    query = _in_scope(select(FollowUp, Placement, WorkerProfile.name).join(
        Placement, Placement.id == FollowUp.placement_id).join(WorkerProfile, WorkerProfile.id == FollowUp.worker_id),
        by, region)
    if state == "todo":
        query = query.where(FollowUp.done_at.is_(None), FollowUp.due_on <= today + timedelta(days=DUE_SOON_DAYS))
    elif state == "overdue":
        query = query.where(FollowUp.done_at.is_(None), FollowUp.due_on < today)
    elif state == "done":
        query = query.where(FollowUp.done_at.is_not(None), FollowUp.cancelled.is_(False))
    else:
        query = query.where(FollowUp.flagged.is_(True), FollowUp.resolved_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (FollowUp.due_on, FollowUp.id) if state in ("todo", "overdue") else (FollowUp.due_on.desc(), FollowUp.id)
    rows = (await session.execute(query.order_by(*order).offset((page - 1) * page_size).limit(page_size))).all()
    return [Visit(follow_up, placement, name) for follow_up, placement, name in rows], total


async def record(*, session: AsyncSession, worker_id: str, placement_id: str, months_after: int, outcome: Outcome,
                 note: str, left_on: date | None, by: Principal, clock: Clock) -> Visit:
    """Record what a visit found; a labourer who left ends the placement (later visits are called off)."""
    profile = await profiles.get(session=session, worker_id=worker_id, by=by)
    visit = await session.scalar(select(FollowUp).where(FollowUp.placement_id == placement_id,
                                                        FollowUp.worker_id == worker_id,
                                                        FollowUp.months_after == months_after))
    placement = await session.get(Placement, placement_id)
    if visit is None or placement is None:
        raise NotFound("follow-up not found", zh="没有找到这次回访")
    if visit.cancelled:
        raise Conflict("the placement ended before this visit fell due", zh="这段就业已结束，不用再回访")
    if visit.done_at is not None:
        raise Conflict("this visit was recorded before", zh="这次回访已经登记过了")
    today = local_today(clock)
    if visit.due_on - timedelta(days=DUE_SOON_DAYS) > today:
        raise Conflict(f"this visit falls due on {visit.due_on.isoformat()}", code="not_due_yet",
                       zh=f"还没到回访时间（{visit.due_on.isoformat()}）")
    if outcome is not Outcome.left and left_on is not None:
        raise Invalid("left_on goes with the outcome left", field="left_on", zh="只有已离职时才填离职日期")
    ended = left_on or today
    if outcome is Outcome.left and (ended > today or ended < placement.start_date):
        raise Invalid("left_on must lie between the start and today", field="left_on",
                      zh="离职日期要在上岗日期和今天之间")
    visit.outcome, visit.note = outcome.value, note or None
    visit.flagged = outcome in FLAGGED
    visit.done_at, visit.recorded_by = clock.now(), by.sub
    await session.flush()
    if outcome is Outcome.left and placement.ended_on is None:
        await placements.end(session=session, worker_id=worker_id, placement_id=placement_id, ended_on=ended,
                             reason=f"回访：{note}" if note else "回访：已离职", by=by, clock=clock)
    return Visit(visit, placement, profile.name)


async def resolve(*, session: AsyncSession, follow_up_id: str, note: str, by: Principal, clock: Clock) -> Visit:
    """The county dealt with a flagged problem: it leaves the list, with a note of what was done."""
    visit = await session.get(FollowUp, follow_up_id)
    if visit is None or (by.role is Role.station_staff and not by.covers_region(visit.home_region_code)):
        raise NotFound("follow-up not found", zh="没有找到这次回访")
    if not visit.flagged:
        raise Conflict("nothing to resolve: no problem was found at this visit", zh="这次回访没有发现问题")
    if visit.resolved_at is not None:
        raise Conflict("resolved before", zh="这个问题已经处理过了")
    visit.resolved_at = clock.now()
    if note:
        visit.note = f"{visit.note or ''}；处理：{note}".lstrip("；")[:200]
    await session.flush()
    placement = await session.get(Placement, visit.placement_id)
    name = await session.scalar(select(WorkerProfile.name).where(WorkerProfile.id == visit.worker_id))
    assert placement is not None
    return Visit(visit, placement, name or "")


@dataclass
class Tally:
    reached: int = 0
    retained: int = 0
    left: int = 0

    @property
    def unknown(self) -> int:
        return self.reached - self.retained - self.left


async def retention(*, session: AsyncSession, by: Principal, region: str | None,
                    clock: Clock) -> tuple[dict[int, Tally], dict[str, dict[int, Tally]], dict[str, dict[int, Tally]],
                                           dict[str, str]]:
    """Still employed 3 and 6 months after the start, in total, per home county and per employer.

    A placement counts once it has run that long: retained when the visit at that month found the labourer still in
    the job, left when it ended before, unknown otherwise (no visit recorded yet)."""
    today = local_today(clock)
    query = select(Placement, WorkerProfile.home_region_code).join(WorkerProfile,
                                                                    WorkerProfile.id == Placement.worker_id)
    if by.role is Role.station_staff:
        query = query.where(WorkerProfile.home_region_code.startswith(by.region or "", autoescape=True))
    if region:
        query = query.where(WorkerProfile.home_region_code.startswith(region, autoescape=True))
    rows = (await session.execute(query)).all()
    found = {(v.placement_id, v.months_after): v.outcome for v in (await session.scalars(
        select(FollowUp).where(FollowUp.placement_id.in_([p.id for p, _ in rows]),
                               FollowUp.months_after.in_(RETENTION_MONTHS)))).all()} if rows else {}
    total: dict[int, Tally] = {n: Tally() for n in RETENTION_MONTHS}
    counties: dict[str, dict[int, Tally]] = defaultdict(lambda: {n: Tally() for n in RETENTION_MONTHS})
    employers: dict[str, dict[int, Tally]] = defaultdict(lambda: {n: Tally() for n in RETENTION_MONTHS})
    names: dict[str, str] = {}
    for placement, home in rows:
        county = county_of(home)
        county_code = county.code if county else home[:6]
        names[county_code] = county.name if county else county_code
        employer = placement.employer_id or "unknown"
        names[employer] = placement.employer_name or "未知单位"
        by_county, by_employer = counties[county_code], employers[employer]  # listed even before any is reached
        for n in RETENTION_MONTHS:
            mark = add_months(placement.start_date, n)
            if mark > today:
                continue
            outcome = found.get((placement.id, n))
            left = placement.ended_on is not None and placement.ended_on < mark
            for tally in (total[n], by_county[n], by_employer[n]):
                tally.reached += 1
                if left:
                    tally.left += 1
                elif outcome is not None and Outcome(outcome) in STILL_EMPLOYED:
                    tally.retained += 1
    return total, dict(counties), dict(employers), names
