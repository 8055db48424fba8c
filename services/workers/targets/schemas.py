"""Request and response bodies of placement targets."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

FIRST_YEAR, LAST_YEAR = 2018, 2100


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    placed: int = Field(ge=1, le=1_000_000, description="registered labourers to help into work in the year")


class TargetOut(BaseModel):
    county_code: str
    county_name: str
    year: int
    placed: int
    updated_by: str
    updated_at: datetime


class TargetChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    county_code: str
    year: int
    before: int | None
    after: int | None
    by: str
    at: datetime
