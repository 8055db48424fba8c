"""Request and response bodies of courses and enrolments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from shared.forms import Line, YesNo

Outcome = Literal["completed", "dropped"]


class CourseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Line = Field(min_length=1, max_length=80, description="e.g. 家政服务员（育婴方向）培训班")
    occupation_code: str = Field(pattern=r"^\d-\d{2}-\d{2}(-\d{2})?$",
                                 description="GB/T 6565 small group (4-10-01) or detailed occupation (4-10-01-06)")
    provider: Line = Field(min_length=1, max_length=100, description="the training school that holds it")
    region_code: str = Field(pattern=r"^\d{6}(\d{3})?$", description="where it is held: a county or township adcode")
    hours: int = Field(ge=1, le=2000, description="class hours; at least 56 for subsidised training")
    start_on: date
    end_on: date
    seats: int = Field(ge=1, le=1000)
    certificate: Line | None = Field(default=None, max_length=30,
                                     description="the certificate a completer gains, e.g. 育婴员证")

    @model_validator(mode="after")
    def _dates(self) -> CourseIn:
        if self.end_on < self.start_on:
            raise PydanticCustomError("period_order", "end_on is before start_on")
        return self


class CourseOut(BaseModel):
    id: str
    title: str
    occupation_code: str
    occupation_name: str
    provider: str
    region_code: str
    region_name: str
    hours: int
    start_on: date
    end_on: date
    seats: int
    taken: int
    seats_left: int
    open: bool = Field(description="not yet begun, with a seat left: enrolment is possible")
    subsidised: bool = Field(description="at least 56 class hours: a seat on it counts as subsidised training")
    household_service: bool = Field(description="a household-service trade: women keep the subsidy up to 55")
    certificate: str | None
    created_by: str
    created_at: datetime


class CoursePage(BaseModel):
    items: list[CourseOut]
    total: int
    page: int
    page_size: int


class EnrolmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    worker_id: Line = Field(min_length=1, max_length=36)


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    certificate_gained: YesNo = Field(default=False, description="the completer gained the course's certificate")

    @model_validator(mode="after")
    def _certificate_on_completion(self) -> OutcomeIn:
        if self.certificate_gained and self.outcome != "completed":
            raise PydanticCustomError("certificate_without_completion", "a certificate goes with completion")
        return self


class EnrolmentOut(BaseModel):
    id: str
    course_id: str
    worker_id: str
    worker_name: str
    home_region_code: str
    subsidised: bool = Field(description="counts as subsidised training once completed")
    notes: list[str] = Field(description="what the enrolment means for the subsidy, in Chinese")
    outcome: Outcome | None
    certificate_gained: bool
    training_record_id: str | None
    enrolled_at: datetime
    outcome_at: datetime | None


class Candidate(BaseModel):
    """A worker of the course's area who wants training and has no seat on it (name as their own staff see it)."""

    worker_id: str
    name: str
    gender: str
    age: int = Field(description="age in whole years on the day the course starts")
    home_region_code: str
    eligible: bool
    reasons: list[str] = Field(description="why a seat would be refused, in Chinese")


class CandidatePage(BaseModel):
    items: list[Candidate]
    total: int
