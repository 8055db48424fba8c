"""Bodies of the internal opening calls workers makes when staff record a placement."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class OpeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    placement_id: str = Field(min_length=1, max_length=64)
    worker_id: str = Field(min_length=1, max_length=36)
    start_date: date
    monthly_wage: int = Field(gt=0, le=100_000)


class OpeningOut(BaseModel):
    """What asking for an opening came to, and what the placement takes over from its posting."""

    outcome: Literal["held", "not_found", "closed", "full", "below_minimum_wage"]
    posting_id: str
    placement_id: str
    region_code: str | None = None
    title: str | None = None
    occupation: str | None = None
    employer_id: str | None = None
    employer_name: str | None = None
    headcount_left: int | None = None
    minimum_wage: int | None = Field(default=None, description="the floor in force, when the wage is below it")
