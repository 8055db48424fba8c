"""Keeping the reference list of township service points. A change closes the row it replaces and adds a new one,
so the list as it stood at any instant (a month's end) can be read back, and every change is on record."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.reports.months import month_start
from services.workers.service_points.models import ServicePoint
from services.workers.service_points.places import counted, is_township, poor_townships
from shared.auth import Principal
from shared.clock import Clock, local_today
from shared.errors import Forbidden, NotFound
from shared.reference.regions import get_region

KEPT = ("name", "established_on", "staff", "note")


def standing_at(instant: datetime) -> ColumnElement[bool]:
    """Rows that were the township's current point at `instant`."""
    return (ServicePoint.created_at < instant) & or_(ServicePoint.removed_at.is_(None),
                                                     ServicePoint.removed_at >= instant)


def _township(code: str, by: Principal):
    if not is_township(code) or not by.covers_region(code):
        raise NotFound(f"township {code} not found", zh="没有找到这个苏木乡镇")
    region = get_region(code)
    assert region is not None and region.county_code is not None
    return region


async def _current(session: AsyncSession, code: str) -> ServicePoint | None:
    return await session.scalar(select(ServicePoint).where(ServicePoint.township_code == code,
                                                           ServicePoint.removed_at.is_(None)))


async def keep(*, session: AsyncSession, township_code: str, fields: dict, by: Principal,
               clock: Clock) -> ServicePoint:
    """Record (or change) the township's service point; the same record twice changes nothing."""
    township = _township(township_code, by)
    values = {key: fields.get(key) for key in KEPT}
    values["name"] = values["name"] or f"{township.name}社保就业服务站"
    established: date = fields["established_on"]
    current = await _current(session, township_code)
    if current is not None and all(getattr(current, key) == values[key] for key in KEPT):
        return current
    now = clock.now()
    if current is not None:
        current.removed_at, current.removed_by = now, by.sub
    dated_earlier = established < month_start(local_today(clock))
    late = dated_earlier and (current is None or current.established_on != established)
    point = ServicePoint(township_code=township_code, county_code=township.county_code, recorded_by=by.sub,
                         created_at=now, updated_at=now, late=late, **values)
    session.add(point)
    await session.flush()
    return point


async def remove(*, session: AsyncSession, township_code: str, by: Principal, clock: Clock) -> None:
    """The township no longer has a standard service point (kept on record as removed)."""
    _township(township_code, by)
    current = await _current(session, township_code)
    if current is None:
        raise NotFound(f"township {township_code} has no service point", zh="这个苏木乡镇没有登记服务站")
    current.removed_at, current.removed_by = clock.now(), by.sub
    await session.flush()


async def read(*, session: AsyncSession, township_code: str, by: Principal) -> ServicePoint:
    """The township's current service point."""
    _township(township_code, by)
    current = await _current(session, township_code)
    if current is None:
        raise NotFound(f"township {township_code} has no service point", zh="这个苏木乡镇没有登记服务站")
    return current


async def history(*, session: AsyncSession, township_code: str, by: Principal) -> list[ServicePoint]:
    """Every record the township's point has had, newest first."""
    _township(township_code, by)
    return list(await session.scalars(select(ServicePoint).where(ServicePoint.township_code == township_code)
                                      .order_by(ServicePoint.seq.desc())))


async def listing(*, session: AsyncSession, by: Principal, region: str | None) -> dict:
    """The current points in the caller's scope (or a part of it), with the figure's denominator there."""
    prefix = region or (by.region if not by.is_admin and by.region else "1522")
    if not by.is_admin and not by.covers_region(prefix):
        raise Forbidden(f"region {prefix} is outside your region {by.region}", zh="这个地区不在您负责的范围内")
    rows = list(await session.scalars(select(ServicePoint).where(
        ServicePoint.removed_at.is_(None), ServicePoint.township_code.startswith(prefix, autoescape=True))
        .order_by(ServicePoint.township_code)))
    poor = {t.code for t in poor_townships() if t.code.startswith(prefix)}
    return {"items": [present(row) for row in rows], "poor_townships": len(poor),
            "covered": sum(row.township_code in poor for row in rows)}


def present(point: ServicePoint) -> dict:
    township, county = get_region(point.township_code), get_region(point.county_code)
    return {"township_code": point.township_code, "township_name": township.name if township else "",
            "county_code": point.county_code, "county_name": county.name if county else "",
            "poor_county": counted(point.township_code),
            "name": point.name, "established_on": point.established_on, "staff": point.staff, "note": point.note,
            "recorded_by": point.recorded_by, "updated_at": point.updated_at}
