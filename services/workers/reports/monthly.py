"""The monthly report: the five goals, the counts and the target per area, for a month that is over (from its frozen
snapshot) or for the current month so far, with the change since the month before; and the lists behind them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.profiles.models import WorkerProfile
from services.workers.reports import snapshots
from services.workers.reports.cut import Cut
from services.workers.reports.figures import ALL_FIGURES, WORKER_FIGURES, Counts, goals, share, tally
from services.workers.reports.members import township_members, worker_condition
from services.workers.reports.models import ReportSnapshot, SnapshotMember
from services.workers.reports.months import FIRST_MONTH, Month
from services.workers.reports.service import LEAGUE_PREFIX, in_scope, region_name, scope_of
from services.workers.targets import service as targets
from shared.auth import Principal
from shared.clock import Clock
from shared.reference.regions import get_region, regions_under, townships


async def live_counts(session: AsyncSession, cut: Cut, prefix: str) -> list[tuple[str, str, int]]:
    """(figure, region code, count) at the cut, counted now from the records."""
    home = WorkerProfile.home_region_code
    sums = [func.sum(case((worker_condition(figure, cut), 1), else_=0)).label(figure) for figure in WORKER_FIGURES]
    result = await session.execute(select(home, *sums).where(in_scope(prefix)).group_by(home))
    rows: list[tuple[str, str, int]] = [(figure, row[0], int(row._mapping[figure] or 0)) for row in result
                                        for figure in WORKER_FIGURES]
    for figure, codes in (await township_members(session, cut)).items():
        rows += [(figure, code, 1) for code in codes if code.startswith(prefix)]
    return [row for row in rows if row[2]]


async def month_counts(session: AsyncSession, month: Month, prefix: str, *,
                       clock: Clock) -> tuple[ReportSnapshot | None, list[tuple[str, str, int]], dict[str, int], date]:
    """A month's (figure, region code, count) rows inside the prefix, with its snapshot (None while the month runs),
    the targets it is measured against and the day its figures describe: frozen (on first read) once it is over."""
    snapshot = await snapshots.frozen_or_freeze(session=session, month=month, clock=clock)
    if snapshot is not None:
        return snapshot, await snapshots.counted(session, month, prefix), snapshot.targets, snapshot.as_of
    cut = Cut.now(clock)
    return (None, await live_counts(session, cut, prefix), await targets.by_county(session=session, year=month.year),
            cut.day)


async def month_total(session: AsyncSession, month: Month, prefix: str, *, clock: Clock) -> dict:
    """The month's figures for the whole prefix, as its report's total shows them (with no change)."""
    snapshot, rows, target_of, as_of = await month_counts(session, month, prefix, clock=clock)
    total, _ = tally(rows)
    level = level_of(prefix)
    area = _area(prefix, total, None, level=level, year=month.year, target=_target(prefix, level, target_of))
    return area | {"month": str(month), "frozen": snapshot is not None, "as_of": as_of}


def level_of(prefix: str) -> str:
    return "league" if len(prefix) <= 4 else "county" if len(prefix) <= 6 else "township"


async def report(*, session: AsyncSession, by: Principal, month_text: str, region: str | None,
                 clock: Clock) -> dict:
    """The month's report for the caller's scope (or a part of it)."""
    month = snapshots.month_asked(month_text, clock=clock)
    prefix = scope_of(by=by, region=region)
    snapshot, rows, target_of, as_of = await month_counts(session, month, prefix, clock=clock)
    previous = month.previous()
    before_rows = None
    if previous >= Month.parse(FIRST_MONTH):
        await snapshots.frozen_or_freeze(session=session, month=previous, clock=clock)
        before_rows = await snapshots.counted(session, previous, prefix)
    total, areas = tally(rows)
    before_total, before_areas = tally(before_rows or [])
    before = (lambda code: before_areas.get(code, {})) if before_rows is not None else (lambda code: None)

    def area(code: str, counts: Counts, previous_counts: Counts | None, level: str) -> dict:
        return _area(code, counts, previous_counts, level=level, year=month.year,
                     target=_target(code, level, target_of))

    counties = []
    for county in _counties(prefix, areas):
        row = area(county, areas.get(county, {}), before(county), "county")
        row["townships"] = [area(t, areas.get(t, {}), before(t), "township") for t in _townships(county, prefix)]
        counties.append(row)
    level = level_of(prefix)
    return {"month": str(month), "region": prefix, "frozen": snapshot is not None,
            "frozen_at": snapshot.frozen_at if snapshot else None, "as_of": as_of,
            "previous": str(previous) if before_rows is not None else None,
            "total": area(prefix, total, before_total if before_rows is not None else None, level),
            "counties": counties}


def _counties(prefix: str, areas: dict[str, Counts]) -> list[str]:
    """The county rows of a scope: the League's counties in it, and any other home code that holds records."""
    if len(prefix) > 6:
        return []
    known = [c.code for c in regions_under(LEAGUE_PREFIX) if c.level == "county" and c.code.startswith(prefix)]
    # A home given only as the League itself (152200) belongs to no county: its own row, so the rows add up.
    others = sorted(code for code in areas if len(code) == 6 and code not in known and code.startswith(prefix))
    return known + others


def _townships(county: str, prefix: str) -> list[str]:
    return [t.code for t in townships(county) if t.code.startswith(prefix)]


def _target(code: str, level: str, target_of: dict[str, int]) -> int | None:
    """A county's target; a League's, the sum of its counties' (None when none is set); a township has none."""
    if level == "township":
        return None
    if len(code) == 6:
        return target_of.get(code)
    chosen = [value for county, value in target_of.items() if county.startswith(code)]
    return sum(chosen) if chosen else None


def _area(code: str, counts: Counts, before: Counts | None, *, level: str, year: int, target: int | None) -> dict:
    figures = {figure: {"value": counts.get(figure, 0),
                        "change": None if before is None else counts.get(figure, 0) - before.get(figure, 0)}
               for figure in ALL_FIGURES}
    placed = counts.get("placed_in_year", 0)
    return {"code": code, "name": region_name(code), "level": level, "goals": goals(counts, before),
            "figures": figures,
            "target": None if target is None else {"year": year, "target": target, "placed": placed,
                                                   "share": share(placed, target)}}


async def profiles_behind(*, session: AsyncSession, by: Principal, month_text: str, figure: str, region: str | None,
                          page: int, page_size: int, clock: Clock) -> tuple[list[WorkerProfile], int]:
    """The profiles a worker figure of the month counts: frozen ones for a month that is over."""
    month = snapshots.month_asked(month_text, clock=clock)
    prefix = scope_of(by=by, region=region)
    snapshot = await snapshots.frozen_or_freeze(session=session, month=month, clock=clock)
    if snapshot is not None:
        query = select(WorkerProfile).join(SnapshotMember, SnapshotMember.subject == WorkerProfile.id).where(
            SnapshotMember.month == str(month), SnapshotMember.figure == figure,
            SnapshotMember.region_code.startswith(prefix, autoescape=True))
    else:
        query = select(WorkerProfile).where(in_scope(prefix), worker_condition(figure, Cut.now(clock)))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(WorkerProfile.created_at.desc(), WorkerProfile.id)
                                 .limit(page_size).offset((page - 1) * page_size))
    return list(rows), total


async def townships_behind(*, session: AsyncSession, by: Principal, month_text: str, figure: str,
                           region: str | None, clock: Clock) -> list[dict]:
    """The townships a township figure of the month counts."""
    month = snapshots.month_asked(month_text, clock=clock)
    prefix = scope_of(by=by, region=region)
    snapshot = await snapshots.frozen_or_freeze(session=session, month=month, clock=clock)
    if snapshot is not None:
        codes = list(await session.scalars(select(SnapshotMember.subject).where(
            SnapshotMember.month == str(month), SnapshotMember.figure == figure,
            SnapshotMember.region_code.startswith(prefix, autoescape=True)).order_by(SnapshotMember.subject)))
    else:
        codes = [c for c in (await township_members(session, Cut.now(clock)))[figure] if c.startswith(prefix)]
    found = []
    for code in codes:
        township = get_region(code)
        county = get_region(code[:6])
        found.append({"code": code, "name": township.name if township else code, "county_code": code[:6],
                      "county_name": county.name if county else code[:6]})
    return found
