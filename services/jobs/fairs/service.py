"""Job fairs: enter one, add its employers and postings, invite labourers, record who came and what came of it, and
the ledger of fairs held per county and year."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs import events
from services.jobs.employers.models import Employer
from services.jobs.fairs import rules
from services.jobs.fairs.labourers import Labourers
from services.jobs.fairs.models import FairAttendee, FairEmployer, FairPosting, JobFair
from services.jobs.fairs.rules import Outcome
from services.jobs.postings.models import Posting, PostingStatus
from shared.auth import Principal, Role
from shared.clock import Clock, local_today
from shared.contracts.jobs import FairInvitation
from shared.errors import Conflict, Invalid, NotFound
from shared.reference.regions import get_region


@dataclass
class Counts:
    postings: int = 0
    employers: int = 0
    invited: int = 0
    attended: int = 0
    hired: int = 0


@dataclass
class Fair:
    """A fair with its figures; the lists are read only for one fair's page."""

    fair: JobFair
    counts: Counts
    postings: list[tuple[Posting, Employer]] = field(default_factory=list)
    employers: list[Employer] = field(default_factory=list)
    attendees: list[FairAttendee] = field(default_factory=list)


def _not_found() -> NotFound:
    return NotFound("job fair not found", zh="没有找到这场招聘会")


def _scoped(query, by: Principal):
    if by.role is Role.station_staff:
        query = query.where(JobFair.region_code.startswith(by.region or "\x00", autoescape=True))
    return query


async def create(*, session: AsyncSession, fields: dict, by: Principal, clock: Clock) -> Fair:
    """Enter a fair at a place of the caller's area; the county of the place holds it."""
    county = rules.organiser_county(fields["region_code"])
    if county is None:
        raise Invalid(f"no job fair can be held at {fields['region_code']}", field="region_code",
                      zh="地点要填兴安盟的旗县市或苏木乡镇，或北京的区")
    if not by.covers_region(fields["region_code"]):
        raise Invalid("the place lies outside your area", field="region_code", zh="只能登记本辖区的招聘会")
    if problem := rules.date_problem(fields["held_on"], today=local_today(clock)):
        raise Invalid(f"held_on {fields['held_on'].isoformat()} is out of range", field="held_on", zh=problem)
    now = clock.now()
    fair = JobFair(id=str(uuid.uuid4()), county_code=county, created_by=by.sub, version=1, created_at=now,
                   updated_at=now, **fields)
    session.add(fair)
    await session.flush()
    return Fair(fair, Counts())


async def _fair(session: AsyncSession, fair_id: str, by: Principal, *, lock: bool = False) -> JobFair:
    query = _scoped(select(JobFair).where(JobFair.id == fair_id), by)
    fair = await session.scalar(query.with_for_update() if lock else query)
    if fair is None:
        raise _not_found()
    return fair


async def _counts(session: AsyncSession, fair_ids: Sequence[str]) -> dict[str, Counts]:
    counts = {fair_id: Counts() for fair_id in fair_ids}
    if not fair_ids:
        return counts
    for fair_id, n in await session.execute(select(FairPosting.fair_id, func.count()).where(
            FairPosting.fair_id.in_(fair_ids)).group_by(FairPosting.fair_id)):
        counts[fair_id].postings = n
    for fair_id, n in await session.execute(select(FairEmployer.fair_id, func.count()).where(
            FairEmployer.fair_id.in_(fair_ids)).group_by(FairEmployer.fair_id)):
        counts[fair_id].employers = n
    for attendee in await session.scalars(select(FairAttendee).where(FairAttendee.fair_id.in_(fair_ids))):
        tally = counts[attendee.fair_id]
        tally.invited += attendee.invited_at is not None
        tally.attended += attendee.attended
        tally.hired += attendee.outcome == Outcome.hired
    return counts


async def get(*, session: AsyncSession, fair_id: str, by: Principal) -> Fair:
    """One fair with its postings, employers and labourers (outside the caller's area: not found)."""
    fair = await _fair(session, fair_id, by)
    postings = (await session.execute(
        select(Posting, Employer).join(FairPosting, FairPosting.posting_id == Posting.id)
        .join(Employer, Employer.id == Posting.employer_id).where(FairPosting.fair_id == fair_id)
        .order_by(FairPosting.added_at, Posting.id))).all()
    employers = (await session.scalars(select(Employer).join(FairEmployer, FairEmployer.employer_id == Employer.id)
                                       .where(FairEmployer.fair_id == fair_id).order_by(Employer.name))).all()
    attendees = (await session.scalars(select(FairAttendee).where(FairAttendee.fair_id == fair_id)
                                       .order_by(FairAttendee.invited_at, FairAttendee.worker_id))).all()
    counts = (await _counts(session, [fair_id]))[fair_id]
    return Fair(fair, counts, list(postings), list(employers), list(attendees))


async def listing(*, session: AsyncSession, by: Principal, year: int | None, region: str | None,
                  limit: int, offset: int) -> tuple[list[Fair], int]:
    """Fairs of the caller's area, latest first; of one year and one area when asked."""
    query = _scoped(select(JobFair), by)
    if year is not None:
        query = query.where(JobFair.held_on >= date(year, 1, 1), JobFair.held_on <= date(year, 12, 31))
    if region:
        query = query.where(JobFair.region_code.startswith(region, autoescape=True))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    fairs = (await session.scalars(query.order_by(JobFair.held_on.desc(), JobFair.id)
                                   .limit(limit).offset(offset))).all()
    counts = await _counts(session, [f.id for f in fairs])
    return [Fair(f, counts[f.id]) for f in fairs], total


async def add_postings(*, session: AsyncSession, fair_id: str, posting_ids: Sequence[str], by: Principal,
                       clock: Clock) -> Fair:
    """Add open postings to a fair (and their employers); one already there is left as it is."""
    fair = await _fair(session, fair_id, by, lock=True)
    ids = list(dict.fromkeys(posting_ids))
    postings = {p.id: p for p in await session.scalars(select(Posting).where(Posting.id.in_(ids)))}
    errors = [(f"posting_ids.{n}", f"unknown posting {pid}", "没有这个岗位")
              for n, pid in enumerate(ids) if pid not in postings]
    errors += [(f"posting_ids.{n}", f"posting {pid} is {postings[pid].status}", "岗位已关闭或已招满，不能参加招聘会")
               for n, pid in enumerate(ids) if pid in postings and postings[pid].status != PostingStatus.open]
    if errors:
        raise Invalid(errors[0][1], field=errors[0][0], errors=[(f, m) for f, m, _ in errors],
                      errors_zh=[zh for _, _, zh in errors], zh="；".join(dict.fromkeys(zh for _, _, zh in errors)))
    there = set(await session.scalars(select(FairPosting.posting_id).where(FairPosting.fair_id == fair_id)))
    now = clock.now()
    for pid in ids:
        if pid not in there:
            session.add(FairPosting(fair_id=fair_id, posting_id=pid, added_at=now))
    await _join_employers(session, fair, {p.employer_id for p in postings.values()}, now=now)
    _changed(fair, clock)
    await session.flush()
    return await get(session=session, fair_id=fair_id, by=by)


async def add_employers(*, session: AsyncSession, fair_id: str, employer_ids: Sequence[str], by: Principal,
                        clock: Clock) -> Fair:
    """Name employers taking part (with or without postings entered yet)."""
    fair = await _fair(session, fair_id, by, lock=True)
    ids = list(dict.fromkeys(employer_ids))
    known = set(await session.scalars(select(Employer.id).where(Employer.id.in_(ids))))
    unknown = [(n, eid) for n, eid in enumerate(ids) if eid not in known]
    if unknown:
        raise Invalid(f"unknown employer {unknown[0][1]}", field=f"employer_ids.{unknown[0][0]}",
                      errors=[(f"employer_ids.{n}", f"unknown employer {eid}") for n, eid in unknown],
                      errors_zh=["没有这个用人单位"] * len(unknown), zh="没有这个用人单位")
    await _join_employers(session, fair, set(ids), now=clock.now())
    _changed(fair, clock)
    await session.flush()
    return await get(session=session, fair_id=fair_id, by=by)


async def _join_employers(session: AsyncSession, fair: JobFair, employer_ids: set[str], *, now) -> None:
    there = set(await session.scalars(select(FairEmployer.employer_id).where(FairEmployer.fair_id == fair.id)))
    for employer_id in sorted(employer_ids - there):
        session.add(FairEmployer(fair_id=fair.id, employer_id=employer_id, added_at=now))


def _changed(fair: JobFair, clock: Clock) -> None:
    fair.version += 1
    fair.updated_at = clock.now()


async def invite(*, session: AsyncSession, fair_id: str, worker_ids: Sequence[str], by: Principal,
                 clock: Clock, labourers: Labourers) -> tuple[list[str], list[str]]:
    """Invite labourers: each newly invited one is in one `jobs.fair.invited` event (notify sends the invitation);
    one invited before is not invited again. Returns (newly invited, invited before).

    Every id must be a registered labourer, of the caller's area for station staff (workers says which are): else
    404 and nobody is invited, since an invitation sends a message in the inviter's name."""
    fair = await _fair(session, fair_id, by)  # 404 for a fair the caller may not see, before workers is asked
    if not rules.invitations_open(fair.held_on, today=local_today(clock)):
        raise Conflict("the fair is over", code="fair_over", zh="招聘会已经结束，不能再邀请")
    ids = list(dict.fromkeys(w.lower() for w in worker_ids))
    inside = await labourers.inside(ids, by.region if by.role is Role.station_staff and by.region else "")
    if unknown := [w for w in ids if w not in inside]:
        raise NotFound(f"{len(unknown)} worker(s) not found in the caller's area: {', '.join(unknown[:5])}",
                       code="worker_not_found", zh=f"有{len(unknown)}名劳动力不在本辖区或没有登记，未发出邀请")
    fair = await _fair(session, fair_id, by, lock=True)
    rows = {a.worker_id: a for a in await session.scalars(select(FairAttendee).where(
        FairAttendee.fair_id == fair_id, FairAttendee.worker_id.in_(ids)))}
    before = [w for w in ids if w in rows and rows[w].invited_at is not None]
    new = [w for w in ids if w not in before]
    if not new:
        return [], before
    now = clock.now()
    for worker_id in new:
        row = rows.get(worker_id)
        if row is None:
            session.add(FairAttendee(fair_id=fair_id, worker_id=worker_id, invited_at=now, invited_by=by.sub,
                                     attended=False, updated_at=now))
        else:  # came to the fair before as a walk-in: now invited too (the message still tells the time and place)
            row.invited_at, row.invited_by, row.updated_at = now, by.sub, now
    _changed(fair, clock)
    await session.flush()
    postings = await session.scalar(select(func.count()).select_from(FairPosting).join(
        Posting, Posting.id == FairPosting.posting_id).where(FairPosting.fair_id == fair_id,
                                                             Posting.status == PostingStatus.open)) or 0
    await events.fair_invited(session, fair, invitation=invitation(fair, worker_ids=new, postings=postings, by=by),
                              clock=clock)
    return new, before


def invitation(fair: JobFair, *, worker_ids: list[str], postings: int, by: Principal) -> FairInvitation:
    """The event's data: the fair as an invitation tells it, and whom to invite. No name or number of anyone."""
    region = get_region(fair.region_code)
    return FairInvitation(fair_id=fair.id, title=fair.title, held_on=fair.held_on, start_time=fair.start_time,
                          region_code=fair.region_code, region_name=region.name if region else fair.region_code,
                          venue=fair.venue, postings=postings, worker_ids=worker_ids,
                          # The area of whoever invited: notify shows the messages to that area's staff.
                          invited_within=by.region if by.role is Role.station_staff else fair.county_code)


async def record_attendance(*, session: AsyncSession, fair_id: str, worker_id: str, attended: bool,
                            outcome: Outcome | None, posting_id: str | None, by: Principal,
                            clock: Clock) -> FairAttendee:
    """Record that a labourer came (a walk-in if not invited) or did not, and what came of it for which posting."""
    fair = await _fair(session, fair_id, by, lock=True)
    if not rules.attendance_open(fair.held_on, today=local_today(clock)):
        raise Conflict("the fair has not been held yet", code="fair_not_held",
                       zh=f"招聘会还没举办（{fair.held_on.isoformat()}），不能登记到场")
    if outcome is not None and not attended:
        raise Invalid("an outcome needs the labourer to have come", field="outcome", zh="没有到场的人不能登记结果")
    if (outcome is None) != (posting_id is None):
        raise Invalid("outcome and posting_id go together", field="posting_id" if outcome else "outcome",
                      zh="登记结果时要同时写明岗位")
    if posting_id is not None and not await session.get(FairPosting, (fair_id, posting_id)):
        raise Invalid(f"posting {posting_id} is not at this fair", field="posting_id", zh="这个岗位不在本场招聘会")
    worker_id = worker_id.lower()
    row = await session.get(FairAttendee, (fair_id, worker_id))
    now = clock.now()
    if row is None:
        if not attended:
            raise NotFound("the labourer was not invited to this fair", zh="这个人没有受邀参加本场招聘会")
        row = FairAttendee(fair_id=fair_id, worker_id=worker_id, invited_at=None, invited_by=None, updated_at=now)
        session.add(row)
    row.attended, row.outcome, row.outcome_posting_id = attended, outcome, posting_id
    row.recorded_by, row.updated_at = by.sub, now
    _changed(fair, clock)
    await session.flush()
    return row


@dataclass(frozen=True)
class CountyLedger:
    county_code: str
    year: rules.CountyYear
    fairs: dict[str, Fair]


async def yearly(*, session: AsyncSession, year: int, by: Principal, clock: Clock) -> list[CountyLedger]:
    """Per League county of the caller's area: the fairs it held in the year up to today, and whether two or more."""
    prefix = by.region or "" if by.role is Role.station_staff else ""
    counties = [c for c in rules.league_counties() if c.startswith(prefix) or prefix.startswith(c)]
    fairs = (await session.scalars(select(JobFair).where(
        JobFair.county_code.in_(counties), JobFair.held_on >= date(year, 1, 1),
        JobFair.held_on <= date(year, 12, 31)))).all()
    counts = await _counts(session, [f.id for f in fairs])
    by_id = {f.id: Fair(f, counts[f.id]) for f in fairs}
    rows = rules.yearly(counties, [rules.FairDay(f.id, f.county_code, f.held_on) for f in fairs], year=year,
                        today=local_today(clock))
    return [CountyLedger(row.county_code, row, by_id) for row in rows]
