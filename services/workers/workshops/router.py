"""HTTP routes of workshops (station staff of the workshop's region, admin): the workshops, their labourers'
contracts, and the subsidy check with the list behind it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.workers.deps import ClockDep, SessionDep, StaffOrAdmin
from services.workers.workshops import service
from services.workers.workshops.models import Workshop, WorkshopLabourer
from services.workers.workshops.schemas import (
    LabourerChange,
    LabourerCheckOut,
    LabourerEnd,
    LabourerIn,
    LabourerOut,
    SubsidyCheck,
    WorkshopDetail,
    WorkshopIn,
    WorkshopList,
    WorkshopOut,
    WorkshopRow,
    WorkshopSubsidy,
)
from shared.clock import local_today
from shared.reference.regions import get_region

router = APIRouter(prefix="/workers/workshops", tags=["workshops"])
OnDay = Annotated[date | None, Query(ge=date(2000, 1, 1), le=date(2099, 12, 31),
                                     description="the day to check (default today)")]


def _workshop(w: Workshop) -> dict:
    region = get_region(w.region_code)
    return {"id": w.id, "name": w.name, "kind": w.kind, "region_code": w.region_code,
            "region_name": region.name if region else w.region_code, "employer_id": w.employer_id,
            "created_by": w.created_by, "created_at": w.created_at}


def _subsidy(found: service.Checked) -> SubsidyCheck:
    c = found.check
    return SubsidyCheck(on=c.on, minimum_wage=c.minimum_wage, counting=c.counting, needed=c.needed, met=c.met,
                        missing=list(c.missing))


def _labourers(found: service.Checked) -> list[LabourerCheckOut]:
    return [LabourerCheckOut(worker_id=row.worker_id, worker_name=found.names.get(row.worker_id, ""),
                             contract_start=row.contract_start, contract_months=row.contract_months,
                             monthly_wage=row.monthly_wage, left_on=row.left_on, counts=c.counts,
                             reasons=list(c.reasons))
            for row, c in zip(found.rows, found.check.labourers)]


def _labourer(row: WorkshopLabourer, name: str) -> LabourerOut:
    return LabourerOut(workshop_id=row.workshop_id, worker_id=row.worker_id, worker_name=name,
                       contract_start=row.contract_start, contract_months=row.contract_months,
                       monthly_wage=row.monthly_wage, left_on=row.left_on, placement_id=row.placement_id,
                       recorded_by=row.recorded_by, updated_at=row.created_at)


@router.post("", response_model=WorkshopOut, status_code=status.HTTP_201_CREATED,
             responses={200: {"model": WorkshopOut, "description": "the same workshop was on record already"}})
async def create_workshop(body: WorkshopIn, response: Response, session: SessionDep, clock: ClockDep,
                          by: StaffOrAdmin) -> dict:
    """Add a workshop inside the caller's region (admin: anywhere in the League)."""
    workshop, created = await service.create(session=session, fields=body.model_dump(), by=by, clock=clock)
    if not created:
        response.status_code = status.HTTP_200_OK
    return _workshop(workshop)


@router.get("", response_model=WorkshopList)
async def list_workshops(session: SessionDep, clock: ClockDep, by: StaffOrAdmin, on: OnDay = None,
                         region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None) -> WorkshopList:
    """The area's workshops, each with whether it meets the subsidy condition on the day."""
    day = on or local_today(clock)
    found = await service.listing(session=session, by=by, region=region, on=day)
    return WorkshopList(as_of=day, total=len(found), met=sum(1 for f in found if f.check.met),
                        items=[WorkshopRow(**_workshop(f.workshop), subsidy=_subsidy(f)) for f in found])


@router.get("/{workshop_id}", response_model=WorkshopDetail)
async def read_workshop(workshop_id: str, session: SessionDep, clock: ClockDep, by: StaffOrAdmin) -> WorkshopDetail:
    """The workshop, its labourers and the subsidy condition today."""
    workshop = await service.get(session=session, workshop_id=workshop_id, by=by)
    [found] = await service.check(session=session, workshops=[workshop], on=local_today(clock))
    return WorkshopDetail(**_workshop(workshop), subsidy=_subsidy(found), labourers=_labourers(found))


@router.get("/{workshop_id}/subsidy", response_model=WorkshopSubsidy)
async def check_subsidy(workshop_id: str, session: SessionDep, clock: ClockDep, by: StaffOrAdmin,
                        on: OnDay = None) -> WorkshopSubsidy:
    """The subsidy condition on the day, with every labourer and why they do or do not count."""
    workshop = await service.get(session=session, workshop_id=workshop_id, by=by)
    [found] = await service.check(session=session, workshops=[workshop], on=on or local_today(clock))
    return WorkshopSubsidy(workshop_id=workshop.id, **_subsidy(found).model_dump(), labourers=_labourers(found))


@router.put("/{workshop_id}/labourers/{worker_id}", response_model=LabourerOut)
async def keep_labourer(workshop_id: str, worker_id: str, body: LabourerIn, session: SessionDep, clock: ClockDep,
                        by: StaffOrAdmin) -> LabourerOut:
    """Add a labourer (a registered labourer of the caller's region) or change their contract."""
    row = await service.keep_labourer(session=session, workshop_id=workshop_id, worker_id=worker_id,
                                      fields=body.model_dump(), by=by, clock=clock)
    return _labourer(row, await service.name_of(session=session, worker_id=worker_id))


@router.post("/{workshop_id}/labourers/{worker_id}/end", response_model=LabourerOut)
async def end_labourer(workshop_id: str, worker_id: str, body: LabourerEnd, session: SessionDep, clock: ClockDep,
                       by: StaffOrAdmin) -> LabourerOut:
    """The labourer left the workshop."""
    row = await service.end_labourer(session=session, workshop_id=workshop_id, worker_id=worker_id,
                                     left_on=body.left_on, by=by, clock=clock)
    return _labourer(row, await service.name_of(session=session, worker_id=worker_id))


@router.get("/{workshop_id}/labourers/{worker_id}/history", response_model=list[LabourerChange])
async def labourer_history(workshop_id: str, worker_id: str, session: SessionDep,
                           by: StaffOrAdmin) -> list[LabourerChange]:
    """Every version of the labourer's contract with the workshop, newest first."""
    rows = await service.history(session=session, workshop_id=workshop_id, worker_id=worker_id, by=by)
    return [LabourerChange.model_validate(row) for row in rows]
