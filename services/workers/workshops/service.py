"""Keeping workshops and their labourers' contracts, and checking the workshop subsidy condition."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.placements.models import Placement
from services.workers.profiles import service as profiles
from services.workers.profiles.models import WorkerProfile
from services.workers.workshops.models import Workshop, WorkshopLabourer
from services.workers.workshops.rules import Contract, WorkshopCheck, check_workshop
from shared.auth import Principal, Role
from shared.clock import Clock, local_today
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.reference.regions import county_of, get_region, in_league
from shared.reference.wages import minimum_wage

KEPT = ("contract_start", "contract_months", "monthly_wage", "left_on", "placement_id")
CONTRACT = ("contract_start", "contract_months", "monthly_wage")


@dataclass(frozen=True)
class Checked:
    """A workshop's check, with the rows and names behind it."""

    workshop: Workshop
    check: WorkshopCheck
    rows: list[WorkshopLabourer]
    names: dict[str, str]


def _check_place(region_code: str, by: Principal) -> None:
    if get_region(region_code) is None or not in_league(region_code) or county_of(region_code) is None:
        raise Invalid(f"region_code {region_code} is not a county or township of Xing'an League",
                      field="region_code", zh="地点不是兴安盟的旗县市或苏木乡镇")
    if not by.covers_region(region_code):
        raise Forbidden(f"region_code {region_code} is outside your region {by.region}", zh="地点不在您负责的地区内")


async def create(*, session: AsyncSession, fields: dict, by: Principal, clock: Clock) -> tuple[Workshop, bool]:
    """Add a workshop of the caller's region; the same workshop sent again is answered with the one on record
    (and False), a different one of the same name and place is a conflict."""
    _check_place(fields["region_code"], by)
    existing = await session.scalar(select(Workshop).where(Workshop.region_code == fields["region_code"],
                                                           Workshop.name == fields["name"]))
    if existing is not None:
        if existing.kind == fields["kind"] and existing.employer_id == fields.get("employer_id"):
            return existing, False
        raise Conflict("a different workshop of that name is on record there", zh="这个地方已有同名的车间")
    workshop = Workshop(id=str(uuid.uuid4()), name=fields["name"], kind=fields["kind"],
                        region_code=fields["region_code"], employer_id=fields.get("employer_id"),
                        created_by=by.sub, created_at=clock.now())
    session.add(workshop)
    await session.flush()
    return workshop, True


async def get(*, session: AsyncSession, workshop_id: str, by: Principal) -> Workshop:
    """A workshop of the caller's region; anyone else learns nothing of it."""
    workshop = await session.get(Workshop, workshop_id)
    if workshop is None or not by.covers_region(workshop.region_code):
        raise NotFound("workshop not found", zh="没有找到这个车间")
    return workshop


async def _current(session: AsyncSession, workshop_id: str, worker_id: str) -> WorkshopLabourer | None:
    return await session.scalar(select(WorkshopLabourer).where(
        WorkshopLabourer.workshop_id == workshop_id, WorkshopLabourer.worker_id == worker_id,
        WorkshopLabourer.replaced_at.is_(None)))


async def _from_placement(session: AsyncSession, *, workshop: Workshop, worker_id: str, placement_id: str) -> dict:
    placement = await session.get(Placement, placement_id)
    if placement is None or placement.worker_id != worker_id:
        raise NotFound("placement not found", zh="没有找到这条就业记录")
    if workshop.employer_id and placement.employer_id != workshop.employer_id:
        raise Invalid("the placement is with another employer than the workshop's", field="placement_id",
                      zh="这条就业记录不是这个车间的用人单位")
    return {"contract_start": placement.start_date, "contract_months": placement.contract_months,
            "monthly_wage": placement.monthly_wage}


def _replace(session: AsyncSession, current: WorkshopLabourer | None, values: dict, *, workshop_id: str,
             worker_id: str, by: Principal, clock: Clock) -> WorkshopLabourer:
    now = clock.now()
    if current is not None:
        current.replaced_at = now
    row = WorkshopLabourer(workshop_id=workshop_id, worker_id=worker_id, recorded_by=by.sub, created_at=now,
                           **values)
    session.add(row)
    return row


async def keep_labourer(*, session: AsyncSession, workshop_id: str, worker_id: str, fields: dict, by: Principal,
                        clock: Clock) -> WorkshopLabourer:
    """Record a labourer's contract with the workshop as it now stands; the same contract twice changes nothing,
    a change keeps the version it replaces. A labourer who had left and is recorded again has rejoined."""
    workshop = await get(session=session, workshop_id=workshop_id, by=by)
    await profiles.get(session=session, worker_id=worker_id, by=by)
    values = {key: fields.get(key) for key in CONTRACT}
    if fields.get("placement_id"):
        taken = await _from_placement(session, workshop=workshop, worker_id=worker_id,
                                      placement_id=fields["placement_id"])
        values = {key: taken[key] if values[key] is None else values[key] for key in CONTRACT}
    if missing := [key for key in CONTRACT if values[key] is None]:
        raise Invalid(f"{', '.join(missing)} required", errors=[(key, f"{key} is required") for key in missing],
                      errors_zh=["必须填写"] * len(missing))
    values |= {"left_on": None, "placement_id": fields.get("placement_id")}
    current = await _current(session, workshop_id, worker_id)
    if current is not None and all(getattr(current, key) == values[key] for key in KEPT):
        return current
    elsewhere = await session.scalar(select(Workshop.name).join(
        WorkshopLabourer, WorkshopLabourer.workshop_id == Workshop.id).where(
        WorkshopLabourer.worker_id == worker_id, WorkshopLabourer.replaced_at.is_(None),
        WorkshopLabourer.left_on.is_(None), Workshop.id != workshop_id))
    if elsewhere is not None:
        raise Conflict("the worker is on record in another workshop; record that they left it first",
                       zh=f"这位劳动力已登记在{elsewhere}，请先登记离开")
    row = _replace(session, current, values, workshop_id=workshop_id, worker_id=worker_id, by=by, clock=clock)
    await session.flush()
    return row


async def end_labourer(*, session: AsyncSession, workshop_id: str, worker_id: str, left_on: date, by: Principal,
                       clock: Clock) -> WorkshopLabourer:
    """The labourer left the workshop on `left_on`; the same day twice changes nothing."""
    await get(session=session, workshop_id=workshop_id, by=by)
    await profiles.get(session=session, worker_id=worker_id, by=by)
    current = await _current(session, workshop_id, worker_id)
    if current is None:
        raise NotFound("the worker is not a labourer of this workshop", zh="这位劳动力没有登记在这个车间")
    if current.left_on == left_on:
        return current
    if left_on < current.contract_start:
        raise Invalid("left_on is before the contract start", field="left_on", zh="离开日期早于合同开始日期")
    if left_on > local_today(clock):
        raise Invalid("left_on is in the future", field="left_on", zh="日期不能晚于今天")
    values = {key: getattr(current, key) for key in KEPT} | {"left_on": left_on}
    row = _replace(session, current, values, workshop_id=workshop_id, worker_id=worker_id, by=by, clock=clock)
    await session.flush()
    return row


async def history(*, session: AsyncSession, workshop_id: str, worker_id: str,
                  by: Principal) -> list[WorkshopLabourer]:
    """Every version of the labourer's contract with the workshop, newest first."""
    await get(session=session, workshop_id=workshop_id, by=by)
    rows = list(await session.scalars(select(WorkshopLabourer).where(
        WorkshopLabourer.workshop_id == workshop_id, WorkshopLabourer.worker_id == worker_id)
        .order_by(WorkshopLabourer.seq.desc())))
    if not rows:
        raise NotFound("the worker is not a labourer of this workshop", zh="这位劳动力没有登记在这个车间")
    return rows


async def check(*, session: AsyncSession, workshops: list[Workshop], on: date) -> list[Checked]:
    """The subsidy condition of each workshop on `on`, from the contracts as they now stand."""
    ids = [w.id for w in workshops]
    rows = list(await session.scalars(select(WorkshopLabourer).where(
        WorkshopLabourer.workshop_id.in_(ids), WorkshopLabourer.replaced_at.is_(None))
        .order_by(WorkshopLabourer.contract_start, WorkshopLabourer.seq))) if ids else []
    workers = {row.worker_id for row in rows}
    found_names = (await session.execute(select(WorkerProfile.id, WorkerProfile.name)
                                         .where(WorkerProfile.id.in_(workers)))).all() if workers else []
    names = {worker_id: name for worker_id, name in found_names}
    found = []
    for workshop in workshops:
        own = [row for row in rows if row.workshop_id == workshop.id]
        floor = minimum_wage(workshop.region_code, on)
        contracts = [Contract(worker_id=r.worker_id, contract_start=r.contract_start,
                              contract_months=r.contract_months, monthly_wage=r.monthly_wage, left_on=r.left_on)
                     for r in own]
        found.append(Checked(workshop=workshop, rows=own, names=names,
                             check=check_workshop(contracts, on=on, minimum_wage=floor.monthly_cny if floor else None)))
    return found


async def listing(*, session: AsyncSession, by: Principal, region: str | None, on: date) -> list[Checked]:
    """The workshops of the caller's area, each with its subsidy condition on `on`."""
    query = select(Workshop)
    if by.role is Role.station_staff:
        query = query.where(Workshop.region_code.startswith(by.region or "", autoescape=True))
    if region:
        query = query.where(Workshop.region_code.startswith(region, autoescape=True))
    workshops = list(await session.scalars(query.order_by(Workshop.region_code, Workshop.name)))
    return await check(session=session, workshops=workshops, on=on)


async def name_of(*, session: AsyncSession, worker_id: str) -> str:
    return await session.scalar(select(WorkerProfile.name).where(WorkerProfile.id == worker_id)) or ""
