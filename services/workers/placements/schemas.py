"""Request and response bodies for placements."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.forms import Line, YesNo


class PlacementIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    posting_id: Line = Field(min_length=1, max_length=36)
    start_date: date
    monthly_wage: int = Field(gt=0, le=100_000)
    contract_months: int = Field(ge=1, le=120, description="the length of the labour contract, in months")
    work_region_code: str | None = Field(default=None, pattern=r"^\d{6}(\d{3})?$",
                                         description="where the job is (adcode); the posting's region when left out")
    organised_export: YesNo = Field(default=False, description="organised labour export (有组织劳务输出)")


class PlacementEnd(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ended_on: date
    reason: Line = Field(default="", max_length=100)


class PlacementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    worker_id: str
    posting_id: str
    start_date: date
    monthly_wage: int
    contract_months: int | None
    work_region_code: str | None
    organised_export: bool
    subsidy_eligible: bool
    subsidy_rule: str | None
    subsidy_reason: str | None = None
    posting_title: str | None
    employer_id: str | None
    employer_name: str | None
    ended_on: date | None
    end_reason: str | None
    created_at: datetime
