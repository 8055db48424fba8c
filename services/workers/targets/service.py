"""Setting and reading placement targets; every change is written to target_changes in the same transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.targets.models import PlacementTarget, TargetChange
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.errors import NotFound
from shared.reference.regions import county_of, get_region

LEAGUE_PREFIX = "1522"


def _county(code: str) -> str:
    region = get_region(code)
    if region is None or region.level != "county" or not code.startswith(LEAGUE_PREFIX):
        raise NotFound(f"county {code} not found", zh="没有找到这个旗县市")
    return code


async def put(*, session: AsyncSession, county_code: str, year: int, placed: int, by: Principal,
              clock: Clock) -> PlacementTarget:
    """Set the county's target for the year; the same value again changes nothing."""
    _county(county_code)
    target = await session.get(PlacementTarget, (county_code, year))
    if target is not None and target.placed == placed:
        return target
    now = clock.now()
    session.add(TargetChange(county_code=county_code, year=year, before=target.placed if target else None,
                             after=placed, by=by.sub, at=now))
    if target is None:
        target = PlacementTarget(county_code=county_code, year=year, placed=placed, updated_by=by.sub,
                                 updated_at=now)
        session.add(target)
    else:
        target.placed, target.updated_by, target.updated_at = placed, by.sub, now
    await session.flush()
    return target


async def remove(*, session: AsyncSession, county_code: str, year: int, by: Principal, clock: Clock) -> None:
    """Take the county's target for the year away."""
    _county(county_code)
    target = await session.get(PlacementTarget, (county_code, year))
    if target is None:
        raise NotFound(f"no target for {county_code} in {year}", zh="这一年没有设定目标")
    session.add(TargetChange(county_code=county_code, year=year, before=target.placed, after=None, by=by.sub,
                             at=clock.now()))
    await session.delete(target)
    await session.flush()


def counties_seen(by: Principal) -> str:
    """The adcode prefix of the counties whose targets the caller reads: staff their own county, admin all."""
    if by.role is Role.station_staff:
        county = county_of(by.region or "")
        return county.code if county else (by.region or "-")
    return LEAGUE_PREFIX


async def for_year(*, session: AsyncSession, year: int | None, by: Principal) -> list[PlacementTarget]:
    """The targets the caller may read, for one year or all, by year and county."""
    query = select(PlacementTarget).where(PlacementTarget.county_code.startswith(counties_seen(by), autoescape=True))
    if year is not None:
        query = query.where(PlacementTarget.year == year)
    return list(await session.scalars(query.order_by(PlacementTarget.year, PlacementTarget.county_code)))


async def by_county(*, session: AsyncSession, year: int) -> dict[str, int]:
    """County code → its target for the year (every county, whoever asks: the report scopes its rows itself)."""
    rows = await session.execute(select(PlacementTarget.county_code, PlacementTarget.placed)
                                 .where(PlacementTarget.year == year))
    return {code: placed for code, placed in rows.all()}


async def changes(*, session: AsyncSession, year: int | None) -> list[TargetChange]:
    """Every change to the targets, newest first."""
    query = select(TargetChange)
    if year is not None:
        query = query.where(TargetChange.year == year)
    return list(await session.scalars(query.order_by(TargetChange.seq.desc()).limit(1000)))


def present(target: PlacementTarget) -> dict:
    county = get_region(target.county_code)
    return {"county_code": target.county_code, "county_name": county.name if county else target.county_code,
            "year": target.year, "placed": target.placed, "updated_by": target.updated_by,
            "updated_at": target.updated_at}
