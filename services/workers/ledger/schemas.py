"""The report of a ledger import (the same shape as a supply-list import, plus duplicates)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RowError(BaseModel):
    row: int = Field(description="the row number as the spreadsheet shows it (header row 1)")
    field: str
    message: str
    # The same message in Chinese: the route shows it instead when Accept-Language prefers zh.
    zh: str | None = Field(default=None, exclude=True)


class LedgerReport(BaseModel):
    imported: int
    errors: list[RowError]
    duplicates: int = Field(description="rows naming a worker registered before this file; also listed in errors")
    unknown_columns: list[str] = Field(default_factory=list)
