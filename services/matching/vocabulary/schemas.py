"""Request and response bodies of the vocabulary routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class TeachIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occupation_code: str = Field(pattern=r"^\d-\d{2}-\d{2}(-\d{2})?$", examples=["4-10-04", "4-10-04-01"],
                                 description="the 大典 code of a small group or of a detailed occupation")


class ReadingOut(BaseModel):
    phrase: str
    read: bool = Field(description="whether any step reads the phrase as an occupation")
    job: str | None = None
    occupation_code: str | None = Field(None, description="the small group the phrase is read as")
    occupation_name: str | None = None
    via: str | None = Field(None, description="taught, exact, contained, classified, segmented, fuzzy or similar")
    score: float | None = None


class TaughtOut(BaseModel):
    phrase: str
    occupation_code: str
    job: str
    small_group: str
    small_group_name: str
    taught_by: str
    taught_at: datetime


class UnmappedOut(BaseModel):
    phrase: str
    workers: int = Field(description="seeking workers in the caller's scope who use the phrase")
    as_desired: int = Field(description="of them, as a job they asked for")
    as_skill: int = Field(description="of them, as a skill")


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    phrase: str
    before: str | None
    after: str | None
    by: str
    at: datetime
