"""HTTP routes for employers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from services.jobs.deps import Admin, ClockDep, CurrentUser, SessionDep
from services.jobs.employers import service
from services.jobs.employers.schemas import EmployerIn, EmployerOut
from shared.forms import OFFSET_MAX

router = APIRouter(prefix="/jobs/employers", tags=["employers"])


class EmployerPage(BaseModel):
    items: list[EmployerOut]
    total: int


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EmployerOut)
async def create_employer(body: EmployerIn, session: SessionDep, clock: ClockDep, _: Admin) -> EmployerOut:
    employer = await service.create(session=session, name=body.name, region_code=body.region_code, clock=clock)
    return EmployerOut.model_validate(employer)


@router.get("", response_model=EmployerPage)
async def list_employers(session: SessionDep, _: Admin, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                         offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0) -> EmployerPage:
    rows, total = await service.list_all(session=session, limit=limit, offset=offset)
    return EmployerPage(items=[EmployerOut.model_validate(e) for e in rows], total=total)


@router.get("/{employer_id}", response_model=EmployerOut)
async def read_employer(employer_id: str, session: SessionDep, by: CurrentUser) -> EmployerOut:
    return EmployerOut.model_validate(await service.get(session=session, employer_id=employer_id, by=by))
