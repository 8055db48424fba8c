"""Progress figures of the ledger, counted in SQL; one condition per figure serves both the count and its list."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.placements.models import Placement
from services.workers.profiles.models import WorkerProfile, WorkerStatus
from services.workers.reports.cut import Cut
from services.workers.reports.members import worker_condition
from services.workers.reports.schemas import FIGURES, Figure
from services.workers.targets import service as targets
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.errors import Forbidden
from shared.reference.regions import LEAGUE_CODE, get_region, regions_under

LEAGUE_PREFIX = LEAGUE_CODE[:4]


def _active_placements(*conditions: ColumnElement[bool]):
    return select(Placement.worker_id).where(Placement.ended_on.is_(None), *conditions)


# Which profiles each figure counts, written once, so a figure always equals the length of its list.
_CONDITIONS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "registered": lambda: true(),
    "transfer_intention": lambda: WorkerProfile.transfer_intention != "none",
    "placed": lambda: WorkerProfile.status == WorkerStatus.placed.value,
    "placed_export": lambda: WorkerProfile.id.in_(_active_placements(Placement.organised_export.is_(True))),
    "subsidy_eligible": lambda: WorkerProfile.id.in_(_active_placements(Placement.subsidy_eligible.is_(True))),
    "wants_training": lambda: WorkerProfile.wants_training.is_(True),
    "wants_entrepreneurship": lambda: WorkerProfile.wants_entrepreneurship.is_(True),
}


def condition(figure: Figure) -> ColumnElement[bool]:
    """The WHERE clause of the profiles a figure counts."""
    return _CONDITIONS[figure]()


def scope_of(*, by: Principal, region: str | None) -> str:
    """The adcode prefix the caller asks about: staff within their region, admin anywhere in the League."""
    if by.role is Role.station_staff:
        if region is None:
            return by.region or ""
        if not by.covers_region(region):
            raise Forbidden(f"region {region} is outside your region {by.region}", zh="这个地区不在您负责的范围内")
    return region or LEAGUE_PREFIX


def in_scope(prefix: str) -> ColumnElement[bool]:
    return WorkerProfile.home_region_code.startswith(prefix, autoescape=True)


async def progress(*, session: AsyncSession, by: Principal, region: str | None, clock: Clock) -> dict:
    """Each figure per county of the scope and for the whole scope, from one grouped query."""
    prefix = scope_of(by=by, region=region)
    county = func.substr(WorkerProfile.home_region_code, 1, 6).label("county")
    sums = [func.sum(case((condition(figure), 1), else_=0)).label(figure) for figure in FIGURES]
    result = await session.execute(select(county, *sums).where(in_scope(prefix)).group_by(county))
    counted = {row.county: {figure: int(getattr(row, figure) or 0) for figure in FIGURES} for row in result}
    counties = [_area(c.code, c.name, counted.pop(c.code, None)) for c in regions_under(LEAGUE_PREFIX)
                if c.level == "county" and (c.code.startswith(prefix) or prefix.startswith(c.code))]
    # A home given only as the League itself (152200) belongs to no county: its own row, so the rows add up.
    counties += [_area(code, region_name(code), figures) for code, figures in sorted(counted.items())]
    total = {figure: sum(area[figure] for area in counties) for figure in FIGURES}
    report = {"region": prefix, "as_of": clock.now(), "counties": counties,
              "total": _area(prefix, region_name(prefix), total)}
    await _against_targets(session, report, clock=clock)
    return report


async def _against_targets(session: AsyncSession, report: dict, *, clock: Clock) -> None:
    """Give each county (and the total) its target of the year: the target, those placed this year, the share."""
    cut = Cut.now(clock)
    county = func.substr(WorkerProfile.home_region_code, 1, 6)
    query = (select(county, func.count()).where(in_scope(report["region"]), worker_condition("placed_in_year", cut))
             .group_by(county))
    placed = {code: int(count) for code, count in (await session.execute(query)).all()}
    target_of = await targets.by_county(session=session, year=cut.day.year)
    for area in report["counties"]:
        area["target"] = _progress(target_of.get(area["code"]), placed.get(area["code"], 0), cut.day.year)
    scope = report["region"]
    chosen = [value for code, value in target_of.items() if code.startswith(scope) or scope.startswith(code)]
    report["total"]["target"] = _progress(sum(chosen) if chosen and len(scope) <= 6 else None,
                                          sum(placed.values()), cut.day.year)


def _progress(target: int | None, placed: int, year: int) -> dict | None:
    if target is None:
        return None
    return {"year": year, "target": target, "placed": placed, "share": round(placed / target, 4)}


async def profiles_behind(*, session: AsyncSession, by: Principal, figure: Figure, region: str | None, page: int,
                          page_size: int) -> tuple[list[WorkerProfile], int]:
    """The profiles a figure of the report counts, newest first."""
    query = select(WorkerProfile).where(in_scope(scope_of(by=by, region=region)), condition(figure))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(WorkerProfile.created_at.desc(), WorkerProfile.id)
                                 .limit(page_size).offset((page - 1) * page_size))
    return list(rows), total


def _area(code: str, name: str, figures: dict[Figure, int] | None) -> dict:
    return {"code": code, "name": name} | (figures or dict.fromkeys(FIGURES, 0))


def region_name(prefix: str) -> str:
    """兴安盟 for 1522, 科尔沁右翼中旗 for 152222, a township's name for its code; else the prefix itself."""
    region = get_region(prefix) or (get_region(prefix.ljust(6, "0")) if len(prefix) < 6 else None)
    return region.name if region else prefix
