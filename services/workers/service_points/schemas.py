"""Request and response bodies of service points."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.forms import Line


class ServicePointIn(BaseModel):
    """A township's standard employment and social-security service point, as admin records it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Line | None = Field(default=None, min_length=1, max_length=80,
                              description="e.g. 好腰苏木镇社保就业服务站; left out: the township's name and 社保就业服务站")
    established_on: date = Field(description="the day it met the standard (counted from the month of this day)")
    staff: int | None = Field(default=None, ge=0, le=1000)
    note: Line | None = Field(default=None, max_length=200)


class ServicePointOut(BaseModel):
    township_code: str
    township_name: str
    county_code: str
    county_name: str
    poor_county: bool = Field(description="whether the township counts in the fifth figure (a poor county's 苏木乡镇)")
    name: str
    established_on: date
    staff: int | None
    note: str | None
    recorded_by: str
    updated_at: datetime


class ServicePointList(BaseModel):
    items: list[ServicePointOut]
    poor_townships: int = Field(description="townships of the poor counties in the scope (the figure's denominator)")
    covered: int = Field(description="of those, townships with a service point now")


class ServicePointChange(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    established_on: date
    staff: int | None
    note: str | None
    recorded_by: str
    created_at: datetime
    removed_at: datetime | None
    removed_by: str | None
