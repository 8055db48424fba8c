"""Request and response bodies of start-up support."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from shared.forms import Line

DATES = ("guidance_on", "training_on", "registered_on", "operating_since")


class StartupSupportIn(BaseModel):
    """The whole record: what is left out is not (or no longer) known."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    guidance_on: date | None = Field(default=None, description="start-up guidance given (开业指导)")
    training_on: date | None = Field(default=None, description="start-up training taken (创业培训)")
    registered_on: date | None = Field(default=None, description="business registered (工商登记)")
    operating_since: date | None = Field(default=None, description="operating since")
    note: Line | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _order(self) -> StartupSupportIn:
        if self.registered_on and self.operating_since and self.operating_since < self.registered_on:
            raise PydanticCustomError("date_order", "operating_since is before registered_on")
        return self


class StartupSubsidyOut(BaseModel):
    """The one-time start-up subsidy condition on a day: a registered business operating for six full months."""

    on: date
    eligible: bool
    missing: list[str] = Field(description="what is missing, in short Chinese (e.g. 经营未满6个月（还差3天）); empty when met")
    met_from: date | None = Field(description="the day the condition is (or will be) met; null while no operating date")


class StartupSupportOut(BaseModel):
    worker_id: str
    guidance_on: date | None
    training_on: date | None
    registered_on: date | None
    operating_since: date | None
    note: str | None
    supported: bool = Field(description="guidance, training or a registered business: counts in the report")
    subsidy: StartupSubsidyOut
    recorded_by: str
    updated_at: datetime


class StartupRow(BaseModel):
    """A worker who wants to start a business or has start-up support on record, with the subsidy condition."""

    worker_id: str
    worker_name: str
    home_region_code: str
    guidance_on: date | None
    training_on: date | None
    registered_on: date | None
    operating_since: date | None
    subsidy: StartupSubsidyOut


class StartupList(BaseModel):
    as_of: date
    total: int = Field(description="the rows that pass the filter")
    eligible: int = Field(description="of the area's start-ups (whatever the filter), those meeting the condition")
    not_yet: int = Field(description="of the area's start-ups, those not meeting it yet")
    items: list[StartupRow]
    page: int
    page_size: int
