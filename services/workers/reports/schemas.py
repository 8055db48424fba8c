"""Response bodies of the ledger report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, get_args

from pydantic import BaseModel, Field

Figure = Literal["registered", "transfer_intention", "placed", "placed_export", "subsidy_eligible",
                 "wants_training", "wants_entrepreneurship"]
FIGURES: tuple[Figure, ...] = get_args(Figure)


class TargetProgress(BaseModel):
    year: int
    target: int = Field(description="registered labourers to help into work in the year (set by admin)")
    placed: int = Field(description="of them: workers with a placement that began in the year, so far")
    share: float | None = Field(description="placed / target, to four places")


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
    target: TargetProgress | None = Field(default=None, description="the placement target of this year, if set")


class ProgressReport(BaseModel):
    region: str = Field(description="the scope the figures cover (an adcode prefix)")
    as_of: datetime
    counties: list[AreaProgress]
    total: AreaProgress


class Change(BaseModel):
    numerator: int
    denominator: int


class GoalOut(BaseModel):
    key: Literal["employment", "entrepreneurship", "training", "pension", "service_points"]
    label: str
    numerator_figure: str = Field(description="the figure whose list is the numerator")
    denominator_figure: str
    numerator: int
    denominator: int
    share: float | None = Field(description="numerator / denominator to four places; null when nothing to divide")
    change: Change | None = Field(description="since the month before (null before the first month)")


class FigureValue(BaseModel):
    value: int
    change: int | None


class MonthlyArea(BaseModel):
    code: str
    name: str
    level: Literal["league", "county", "township"]
    goals: list[GoalOut] = Field(description="the plan's five 100 % goals")
    figures: dict[str, FigureValue] = Field(description="every figure; each one's list: /profiles or /townships")
    target: TargetProgress | None
    townships: list[MonthlyArea] = Field(default_factory=list)


class MonthlyReport(BaseModel):
    month: str
    region: str
    frozen: bool = Field(description="true: the month is over and these figures will not change")
    frozen_at: datetime | None
    as_of: date = Field(description="the day the figures describe (the month's last day once it is over)")
    previous: str | None = Field(description="the month the changes are counted from")
    total: MonthlyArea
    counties: list[MonthlyArea]


class TrendGoal(BaseModel):
    key: Literal["employment", "entrepreneurship", "training", "pension", "service_points"]
    label: str
    numerator_figure: str = Field(description="the figure whose list (of the month) is the numerator")
    denominator_figure: str
    numerator: int
    denominator: int
    share: float | None = Field(description="numerator / denominator to four places; null when nothing to divide")


class TrendMonth(BaseModel):
    month: str = Field(description="YYYY-MM")
    frozen: bool = Field(description="true: the month is over and its figures come from its snapshot")
    as_of: date = Field(description="the day the figures describe (the month's last day once it is over)")
    goals: list[TrendGoal] = Field(description="the plan's five 100 % goals, as the month's report gives them")
    placed: int = Field(description="in work on that day")
    placed_in_year: int = Field(description="with a placement that began in the month's year, by that day")
    target: TargetProgress | None = Field(description="the placement target of the month's year (none for a "
                                                      "township, or when none is set)")


class TrendReport(BaseModel):
    region: str = Field(description="the area the figures cover (an adcode prefix)")
    name: str
    level: Literal["league", "county", "township"]
    from_: str = Field(alias="from", description="the first month shown")
    to: str = Field(description="the last month shown")
    months: list[TrendMonth] = Field(description="one entry a month, oldest first")


class SnapshotOut(BaseModel):
    month: str
    as_of: date
    frozen_at: datetime
    frozen_by: str
    created: bool = Field(default=False, description="whether this request froze it")


class TownshipOut(BaseModel):
    code: str
    name: str
    county_code: str
    county_name: str
