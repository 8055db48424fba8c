"""Request and response bodies of workshops, their labourers and the subsidy check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.workers.workshops.rules import Kind
from shared.forms import Line

# Far enough either way for any real contract; bounded so that date arithmetic never leaves the calendar.
ContractDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]


class WorkshopIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Line = Field(min_length=1, max_length=80, description="e.g. 好腰苏木扶贫车间")
    kind: Kind = Field(description="扶贫车间, 社区工厂, 卫星工厂, 就业驿站 or 就业扶贫基地")
    region_code: str = Field(pattern=r"^\d{6}(\d{3})?$", description="where it is: a county or township of the League")
    employer_id: Line | None = Field(default=None, min_length=1, max_length=36,
                                     description="the employer behind it in the jobs service, if any")


class LabourerIn(BaseModel):
    """A labourer's contract with the workshop. With `placement_id`, the fields left out are taken from that
    placement of the worker (its start date, contract months and wage)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    contract_start: ContractDate | None = None
    contract_months: int | None = Field(default=None, ge=1, le=120)
    monthly_wage: int | None = Field(default=None, gt=0, le=100_000, description="yuan a month")
    placement_id: Line | None = Field(default=None, min_length=1, max_length=36)


class LabourerEnd(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    left_on: ContractDate


class LabourerCheckOut(BaseModel):
    worker_id: str
    worker_name: str
    contract_start: date
    contract_months: int
    monthly_wage: int
    left_on: date | None
    counts: bool
    reasons: list[str] = Field(description="why the labourer does not count, in short Chinese; 符合条件 when they do")


class LabourerOut(BaseModel):
    workshop_id: str
    worker_id: str
    worker_name: str
    contract_start: date
    contract_months: int
    monthly_wage: int
    left_on: date | None
    placement_id: str | None
    recorded_by: str
    updated_at: datetime


class LabourerChange(BaseModel):
    """One version of a labourer's contract, newest first; `replaced_at` is null for the one in force."""

    model_config = ConfigDict(from_attributes=True)

    contract_start: date
    contract_months: int
    monthly_wage: int
    left_on: date | None
    placement_id: str | None
    recorded_by: str
    created_at: datetime
    replaced_at: datetime | None


class WorkshopOut(BaseModel):
    id: str
    name: str
    kind: str
    region_code: str
    region_name: str
    employer_id: str | None
    created_by: str
    created_at: datetime


class SubsidyCheck(BaseModel):
    """The workshop subsidy condition on a day: at least five labourers count."""

    on: date
    minimum_wage: int | None = Field(description="the monthly minimum wage in force at the workshop's place that day")
    counting: int
    needed: int
    met: bool
    missing: list[str] = Field(description="what the workshop lacks, in short Chinese; empty when met")


class WorkshopDetail(WorkshopOut):
    subsidy: SubsidyCheck
    labourers: list[LabourerCheckOut] = Field(description="every labourer on record, also those who left")


class WorkshopSubsidy(SubsidyCheck):
    workshop_id: str
    labourers: list[LabourerCheckOut]


class WorkshopRow(WorkshopOut):
    subsidy: SubsidyCheck


class WorkshopList(BaseModel):
    as_of: date
    total: int
    met: int = Field(description="of the listed workshops, those meeting the condition")
    items: list[WorkshopRow]
