"""Freezing a month's figures once it is over, so that its report says the same whenever it is read."""

from __future__ import annotations

from sqlalchemy import String, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.profiles.models import WorkerProfile
from services.workers.reports.cut import Cut
from services.workers.reports.figures import WORKER_FIGURES
from services.workers.reports.members import township_members, worker_condition
from services.workers.reports.models import ReportSnapshot, SnapshotMember
from services.workers.reports.months import FIRST_MONTH, Month
from services.workers.targets import service as targets
from shared.clock import Clock, local_today
from shared.db import begin_writing
from shared.errors import Conflict, Invalid

AUTO = "auto"


def month_asked(text: str, *, clock: Clock, field: str = "month") -> Month:
    """The month of a request: a real month from the plan's first up to the current one."""
    try:
        month = Month.parse(text)
    except ValueError as exc:
        raise Invalid(str(exc), field=field, zh="月份格式应为 2026-11") from exc
    if month < Month.parse(FIRST_MONTH):
        raise Invalid(f"the reports begin in {FIRST_MONTH}", field=field, zh="报表从2018年1月开始")
    if month > Month.of(local_today(clock)):
        raise Invalid(f"{month} has not begun", field=field, zh="这个月还没到")
    return month


def is_over(month: Month, *, clock: Clock) -> bool:
    return month.ends <= clock.now()


async def find(session: AsyncSession, month: Month) -> ReportSnapshot | None:
    return await session.get(ReportSnapshot, str(month))


async def freeze(*, session: AsyncSession, month: Month, by: str, clock: Clock) -> tuple[ReportSnapshot, bool]:
    """Freeze a month that is over (the snapshot, and whether this call made it); a second freeze changes nothing."""
    existing = await find(session, month)
    if existing is not None:
        return existing, False
    if not is_over(month, clock=clock):
        raise Conflict(f"{month} is not over yet", code="month_not_over", zh="这个月还没过完，不能封存")
    cut = Cut.month_end(month)
    await begin_writing(session)
    try:
        async with session.begin_nested():
            snapshot = ReportSnapshot(month=str(month), recorded_by=cut.recorded_by, as_of=cut.day,
                                      targets=await targets.by_county(session=session, year=month.year),
                                      frozen_at=clock.now(), frozen_by=by)
            session.add(snapshot)
            await session.flush()
            await _store_members(session, cut)
    except IntegrityError:
        # Another request froze the month meanwhile: theirs stands.
        frozen = await find(session, month)
        assert frozen is not None, "a clash on the month's key means the month is frozen"
        return frozen, False
    return snapshot, True


async def _store_members(session: AsyncSession, cut: Cut) -> None:
    month = literal(str(cut.month), String)
    columns = ["month", "figure", "subject", "region_code"]
    for figure in WORKER_FIGURES:
        chosen = select(month, literal(figure, String), WorkerProfile.id, WorkerProfile.home_region_code).where(
            worker_condition(figure, cut))
        await session.execute(insert(SnapshotMember).from_select(columns, chosen))
    rows = [{"month": str(cut.month), "figure": figure, "subject": code, "region_code": code}
            for figure, codes in (await township_members(session, cut)).items() for code in codes]
    if rows:
        await session.execute(insert(SnapshotMember), rows)


async def frozen_or_freeze(*, session: AsyncSession, month: Month, clock: Clock) -> ReportSnapshot | None:
    """The month's snapshot; a month that is over is frozen the first time its report is asked for."""
    if not is_over(month, clock=clock):
        return None
    snapshot, _ = await freeze(session=session, month=month, by=AUTO, clock=clock)
    return snapshot


async def counted(session: AsyncSession, month: Month, prefix: str) -> list[tuple[str, str, int]]:
    """(figure, region code, count) of a frozen month inside the prefix."""
    region = func.coalesce(SnapshotMember.region_code, "")
    result = await session.execute(
        select(SnapshotMember.figure, region, func.count()).where(
            SnapshotMember.month == str(month), SnapshotMember.region_code.startswith(prefix, autoescape=True))
        .group_by(SnapshotMember.figure, region))
    return [(figure, code, int(count)) for figure, code, count in result.all()]


async def months(session: AsyncSession) -> list[ReportSnapshot]:
    """Every frozen month, latest first."""
    return list(await session.scalars(select(ReportSnapshot).order_by(ReportSnapshot.month.desc())))
