"""Request and response bodies for follow-up visits and retention."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.forms import Line


class VisitIn(BaseModel):
    """What staff found at a visit; `left_on` (default today) when the labourer left the job."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: Literal["employed", "left", "wage_unpaid", "rights_problem"]
    note: Line = Field(default="", max_length=200)
    left_on: date | None = None


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: Line = Field(default="", max_length=200)


class VisitOut(BaseModel):
    id: str
    placement_id: str
    worker_id: str
    worker_name: str
    home_region_code: str
    posting_title: str | None
    employer_id: str | None
    start_date: date
    months_after: int
    due_on: date
    overdue: bool
    state: Literal["open", "done", "cancelled"]
    outcome: str | None
    outcome_text: str | None
    note: str | None
    flagged: bool
    resolved_at: datetime | None


class VisitPage(BaseModel):
    items: list[VisitOut]
    total: int
    page: int
    page_size: int


class RetentionFigure(BaseModel):
    """Placements that reached `months` since their start: still employed at the visit, left before, not yet known."""

    months: int
    reached: int
    retained: int
    left: int
    unknown: int
    share: float | None = Field(description="retained / (retained + left); null when neither is known yet")


class RetentionRow(BaseModel):
    key: str  # a county adcode or an employer id
    name: str
    figures: list[RetentionFigure]


class Retention(BaseModel):
    as_of: date
    region: str
    total: list[RetentionFigure]
    counties: list[RetentionRow]
    employers: list[RetentionRow]
