"""Bodies of employers' decisions on candidates and of the funnel."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.forms import Line


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["invited", "hired", "not_suitable"]
    note: Line = Field(default="", max_length=200)


class DecisionOut(BaseModel):
    posting_id: str
    worker_id: str
    decision: str
    decision_text: str
    note: str | None
    decided_at: datetime


class FunnelRow(BaseModel):
    """Labourers at each stage (distinct), and two measures of how well the offers worked."""

    code: str
    name: str
    offered: int
    delivered: int
    interested: int
    invited: int
    placed: int
    retained_6m: int
    placed_from_offers: int = Field(description="placed in a posting they had been offered")
    interest_in_first_three: float | None = Field(description="share of interest in one of the first three offers")


class Funnel(BaseModel):
    region: str
    run_id: str | None
    month: str | None
    total: FunnelRow
    counties: list[FunnelRow]


class FunnelWorkers(BaseModel):
    stage: str
    total: int
    worker_ids: list[str]
