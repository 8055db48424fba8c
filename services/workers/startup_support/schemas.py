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


class StartupSupportOut(BaseModel):
    worker_id: str
    guidance_on: date | None
    training_on: date | None
    registered_on: date | None
    operating_since: date | None
    note: str | None
    supported: bool = Field(description="guidance, training or a registered business: counts in the report")
    recorded_by: str
    updated_at: datetime
