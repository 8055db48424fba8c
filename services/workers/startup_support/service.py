"""Recording the start-up support a worker received."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.profiles import service as profiles
from services.workers.profiles.models import WorkerProfile
from services.workers.reports.months import month_start
from services.workers.startup_support.models import StartupSupport
from services.workers.startup_support.rules import StartupSubsidy, startup_subsidy
from services.workers.startup_support.schemas import DATES
from shared.auth import Principal
from shared.clock import Clock, local_today
from shared.errors import Invalid, NotFound


def standing_at(instant) -> ColumnElement[bool]:
    """Rows that were the worker's current record at `instant`."""
    return (StartupSupport.created_at < instant) & or_(StartupSupport.replaced_at.is_(None),
                                                       StartupSupport.replaced_at >= instant)


async def _current(session: AsyncSession, worker_id: str) -> StartupSupport | None:
    return await session.scalar(select(StartupSupport).where(StartupSupport.worker_id == worker_id,
                                                             StartupSupport.replaced_at.is_(None)))


async def keep(*, session: AsyncSession, worker_id: str, fields: dict, by: Principal,
               clock: Clock) -> StartupSupport:
    """Record the worker's start-up support as it now stands; the same record twice changes nothing."""
    await profiles.get(session=session, worker_id=worker_id, by=by)
    today = local_today(clock)
    for name in DATES:
        if fields.get(name) and fields[name] > today:
            raise Invalid(f"{name} is in the future", field=name, zh="日期不能晚于今天")
    current = await _current(session, worker_id)
    kept = (*DATES, "note")
    if current is not None and all(getattr(current, key) == fields.get(key) for key in kept):
        return current
    # A date of a month already over that the record did not have before is a late correction.
    first = month_start(today)
    late = any(fields.get(name) and fields[name] < first
               and (current is None or getattr(current, name) != fields[name]) for name in DATES)
    now = clock.now()
    if current is not None:
        current.replaced_at = now
    row = StartupSupport(worker_id=worker_id, recorded_by=by.sub, created_at=now, late=late,
                         **{key: fields.get(key) for key in kept})
    session.add(row)
    await session.flush()
    return row


async def read(*, session: AsyncSession, worker_id: str, by: Principal) -> StartupSupport:
    await profiles.get(session=session, worker_id=worker_id, by=by)
    current = await _current(session, worker_id)
    if current is None:
        raise NotFound("no start-up support recorded", zh="还没有登记创业扶持")
    return current


def subsidy_of(row: StartupSupport | None, today: date) -> StartupSubsidy:
    return startup_subsidy(registered_on=row.registered_on if row else None,
                           operating_since=row.operating_since if row else None, on=today)


def present(row: StartupSupport, *, today: date) -> dict:
    return {"worker_id": row.worker_id, **{name: getattr(row, name) for name in DATES}, "note": row.note,
            "supported": any((row.guidance_on, row.training_on, row.registered_on)),
            "subsidy": vars(subsidy_of(row, today)), "recorded_by": row.recorded_by, "updated_at": row.created_at}


async def listing(*, session: AsyncSession, by: Principal, region: str | None, subsidy: str | None, page: int,
                  page_size: int, today: date) -> dict:
    """The area's start-ups (a wish to start a business, or a start-up record), each with the subsidy condition
    today. The condition depends on the day, so the area's rows are checked here and then filtered and paged."""
    current = and_(StartupSupport.worker_id == WorkerProfile.id, StartupSupport.replaced_at.is_(None))
    query = profiles.scoped(select(WorkerProfile.id, WorkerProfile.name, WorkerProfile.home_region_code,
                                   StartupSupport).outerjoin(StartupSupport, current), by)
    query = query.where(or_(WorkerProfile.wants_entrepreneurship.is_(True), StartupSupport.seq.is_not(None)))
    if region:
        query = query.where(WorkerProfile.home_region_code.startswith(region, autoescape=True))
    query = query.order_by(WorkerProfile.home_region_code, WorkerProfile.name, WorkerProfile.id)
    rows = []
    for worker_id, name, home, row in (await session.execute(query)).all():
        rows.append({"worker_id": worker_id, "worker_name": name, "home_region_code": home,
                     **{key: getattr(row, key) if row else None for key in DATES},
                     "subsidy": vars(subsidy_of(row, today))})
    eligible = [r for r in rows if r["subsidy"]["eligible"]]
    not_yet = [r for r in rows if not r["subsidy"]["eligible"]]
    chosen = {"eligible": eligible, "not_yet": not_yet}.get(subsidy or "", rows)
    start = (page - 1) * page_size
    return {"as_of": today, "total": len(chosen), "eligible": len(eligible), "not_yet": len(not_yet),
            "items": chosen[start:start + page_size], "page": page, "page_size": page_size}
