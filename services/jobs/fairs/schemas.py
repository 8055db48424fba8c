"""Request and response bodies for job fairs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.forms import Line

WorkerId = Annotated[str, Field(pattern=r"^[0-9a-fA-F-]{36}$", description="a worker id of the workers service")]
ObjectId = Annotated[str, Field(min_length=1, max_length=36)]


class FairIn(BaseModel):
    """A fair as staff enter it: the place is a League county or township, or a Beijing district."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Line = Field(min_length=2, max_length=60)
    held_on: date
    start_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local time, HH:MM")
    region_code: str = Field(pattern=r"^\d{6}(\d{3})?$")
    venue: Line = Field(min_length=2, max_length=100)


class PostingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    posting_ids: list[ObjectId] = Field(min_length=1, max_length=200)


class EmployersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employer_ids: list[ObjectId] = Field(min_length=1, max_length=200)


class InvitationsIn(BaseModel):
    """The labourers to invite, by worker id (e.g. picked from matching's candidates for the fair's postings)."""

    model_config = ConfigDict(extra="forbid")

    worker_ids: list[WorkerId] = Field(min_length=1, max_length=500)


class AttendanceIn(BaseModel):
    """Whether a labourer came (an uninvited one is registered as a walk-in) and what came of it."""

    model_config = ConfigDict(extra="forbid")

    attended: bool = True
    outcome: Literal["intention", "hired"] | None = None
    posting_id: ObjectId | None = Field(default=None, description="the fair's posting the outcome is for")


class FairPostingOut(BaseModel):
    posting_id: str
    title: str
    employer_id: str
    employer_name: str
    status: str


class FairEmployerOut(BaseModel):
    employer_id: str
    name: str


class AttendeeOut(BaseModel):
    worker_id: str
    invited: bool
    invited_at: datetime | None
    walk_in: bool
    attended: bool
    outcome: Literal["intention", "hired"] | None
    outcome_text: str | None
    posting_id: str | None


class FairOut(BaseModel):
    id: str
    title: str
    held_on: date
    start_time: str
    region_code: str
    region_name: str
    county_code: str
    venue: str
    held: bool
    postings: int
    employers: int
    invited: int
    attended: int
    hired: int
    created_at: datetime


class FairDetail(FairOut):
    posting_list: list[FairPostingOut]
    employer_list: list[FairEmployerOut]
    attendees: list[AttendeeOut]


class FairPage(BaseModel):
    items: list[FairOut]
    total: int


class InvitationsOut(BaseModel):
    invited: list[str] = Field(description="newly invited: one invitation message each is queued by notify")
    already_invited: list[str]


class CountyFairs(BaseModel):
    county_code: str
    county_name: str
    count: int = Field(description="fairs held in the year up to today")
    met: bool = Field(description="two fairs or more held")
    fairs: list[FairOut] = Field(description="the fairs counted")
    planned: list[FairOut] = Field(description="fairs later in the year, not yet held")


class YearlyFairs(BaseModel):
    year: int
    as_of: date
    required: int
    counties: list[CountyFairs]


