"""Response bodies of the ledger report."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, Field

Figure = Literal["registered", "transfer_intention", "placed", "placed_export", "subsidy_eligible",
                 "wants_training", "wants_entrepreneurship"]
FIGURES: tuple[Figure, ...] = get_args(Figure)


class AreaProgress(BaseModel):
    code: str = Field(description="adcode (prefix) of the area")
    name: str
    registered: int = Field(description="registered labourers")
    transfer_intention: int = Field(description="with a transfer-employment intention (anything but none)")
    placed: int = Field(description="in a job now (status placed)")
    placed_export: int = Field(description="in a job reached by organised labour export (active placement)")
    subsidy_eligible: int = Field(description="whose active placement earns the one-time job-seeking subsidy")
    wants_training: int
    wants_entrepreneurship: int


class ProgressReport(BaseModel):
    region: str = Field(description="the scope the figures cover (an adcode prefix)")
    as_of: datetime
    counties: list[AreaProgress]
    total: AreaProgress
