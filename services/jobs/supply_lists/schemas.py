"""Request and response bodies for supply lists and their import report."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shared.forms import Line
from shared.reference.regions import is_known


class SupplyListIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Line = Field(min_length=2, max_length=100)
    source_region_code: str = Field(pattern=r"^\d{6}(\d{3})?$")
    period_start: date
    period_end: date
    office_id: Line | None = Field(default=None, max_length=64, description="admin only: the partner office")

    @field_validator("source_region_code")
    @classmethod
    def _known(cls, value: str) -> str:
        if not is_known(value):
            raise PydanticCustomError("unknown_region", "unknown region code {code}", {"code": value})
        return value

    @model_validator(mode="after")
    def _period(self) -> SupplyListIn:
        if self.period_end < self.period_start:
            raise PydanticCustomError("period_order", "period_end is before period_start")
        return self


class SupplyListOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    office_id: str
    title: str
    source_region_code: str
    period_start: date
    period_end: date
    created_at: datetime
    postings: dict[str, int] = Field(default_factory=dict, description="postings of the list by status")


class RowError(BaseModel):
    row: int
    field: str
    message: str
    # The same message in Chinese: the route shows it instead when Accept-Language prefers zh.
    zh: str | None = Field(default=None, exclude=True)


class ImportReport(BaseModel):
    imported: int
    errors: list[RowError]
    employers_created: int = 0
    unknown_columns: list[str] = Field(default_factory=list)
