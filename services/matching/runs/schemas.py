"""Request and response bodies for batch runs."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region_code: str = Field(pattern=r"^1522\d{0,8}$|^152$|^15$",
                             description="an adcode prefix inside Xing'an League, e.g. 152222; admin may give 1522")


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    region_code: str
    status: str
    workers: int
    covered: int
    shortfalls: int
    items_total: int
    items_done: int
    summary: dict
    messages: dict[str, int] = Field(default_factory=dict,
                                     description="issued sets by message outcome: delivered, failed, not_sent, pending")
    outcomes: dict[str, int | float | None] = Field(
        default_factory=dict, description="what came of the run's offers: labourers offered, delivered, interested, "
        "invited, placed, still employed at 6 months, placed in an offered posting, and the share of interest in one "
        "of the first three offers")
    created_at: datetime
    finished_at: datetime | None
