"""Request and response bodies of training records."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from shared.forms import Line, YesNo


class TrainingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    course: Line = Field(min_length=1, max_length=80, description="e.g. 家政服务员（育婴方向）")
    hours: int = Field(ge=1, le=2000, description="class hours (the plan subsidises courses of at least 56)")
    start_on: date
    end_on: date | None = None
    completed: YesNo = False
    certificate: Line | None = Field(default=None, max_length=80, description="the certificate earned, if any")

    @model_validator(mode="after")
    def _dates(self) -> TrainingIn:
        if self.end_on is not None and self.end_on < self.start_on:
            raise PydanticCustomError("date_order", "end_on is before start_on")
        return self


class TrainingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    worker_id: str
    course: str
    hours: int
    start_on: date
    end_on: date | None
    completed: bool
    certificate: str | None
    subsidised: bool = Field(description="at least 56 class hours: counts as subsidised training in the report")
    created_at: datetime
