"""Request and response bodies for postings (field names are the public contract)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from shared.forms import Line, Tags, Text, YesNo


def _gender(value: object) -> object:
    if isinstance(value, str):
        return {"男": "male", "女": "female", "不限": None, "": None}.get(value.strip(), value.strip().lower())
    return value


Gender = Annotated[Literal["male", "female"] | None, BeforeValidator(_gender)]
Money = Annotated[int, Field(gt=0, le=1_000_000)]
Age = Annotated[int, Field(ge=0, le=120)]


class PostingIn(BaseModel):
    """A posting as an employer sends it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Line = Field(min_length=2, max_length=100)
    occupation: Line | None = Field(default=None, min_length=1, max_length=60)
    occupation_code: str | None = Field(default=None, pattern=r"^\d(-\d{2}){1,3}$|^\d{5}$")
    description: Text = Field(default="", max_length=2000)
    skills: Tags = []
    region_code: str = Field(pattern=r"^\d{6}(\d{3})?$")
    address: Line = Field(default="", max_length=200)
    lon: float | None = Field(default=None, ge=73, le=136)
    lat: float | None = Field(default=None, ge=3, le=54)
    wage_min: Money
    wage_max: Money
    headcount: int = Field(ge=1, le=10_000)
    age_min: Age = 16
    age_max: Age = 65
    gender: Gender = None
    certificates: Tags = []
    meals: YesNo = False
    lodging: YesNo = False
    contract_months: int | None = Field(default=None, ge=1, le=120)
    public_welfare: YesNo = False
    workshop: YesNo = False
    supply_list_id: Line | None = None
    valid_until: date
    employer_id: Line | None = Field(default=None, description="admin only: the employer the posting belongs to")


# What a change may set to null: "derive it again" (occupation, its code, the place) or "none" (gender, contract).
NULLABLE = frozenset({"occupation", "occupation_code", "lon", "lat", "gender", "contract_months"})


class PostingPatch(BaseModel):
    """A change to a posting: any subset of the fields an employer may edit."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Line | None = Field(default=None, min_length=2, max_length=100)
    occupation: Line | None = Field(default=None, min_length=1, max_length=60)
    occupation_code: str | None = Field(default=None, pattern=r"^\d(-\d{2}){1,3}$|^\d{5}$")
    description: Text | None = Field(default=None, max_length=2000)
    skills: Tags | None = None
    region_code: str | None = Field(default=None, pattern=r"^\d{6}(\d{3})?$")
    address: Line | None = Field(default=None, max_length=200)
    lon: float | None = Field(default=None, ge=73, le=136)
    lat: float | None = Field(default=None, ge=3, le=54)
    wage_min: Money | None = None
    wage_max: Money | None = None
    headcount: int | None = Field(default=None, ge=1, le=10_000)
    age_min: Age | None = None
    age_max: Age | None = None
    gender: Gender = None
    certificates: Tags | None = None
    meals: YesNo | None = None
    lodging: YesNo | None = None
    contract_months: int | None = Field(default=None, ge=1, le=120)
    public_welfare: YesNo | None = None
    workshop: YesNo | None = None
    valid_until: date | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        """A field may be left out of a change; null is a value only where a posting can hold none."""
        if value is None and info.field_name not in NULLABLE:
            raise PydanticCustomError("null_not_allowed", "leave the field out instead of sending null")
        return value


class PostingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    employer_id: str
    employer_name: str
    title: str
    occupation: str
    occupation_code: str | None
    description: str
    skills: list[str]
    region_code: str
    region_name: str
    address: str
    lon: float
    lat: float
    wage_min: int
    wage_max: int
    headcount: int
    placed: int
    age_min: int
    age_max: int
    gender: str | None
    certificates: list[str]
    meals: bool
    lodging: bool
    contract_months: int | None
    public_welfare: bool
    workshop: bool
    supply_list_id: str | None
    supply_list_office_id: str | None
    valid_until: date
    status: str
    close_reason: str | None
    posted_on: date
    version: int
    created_at: datetime
    updated_at: datetime


class PostingPage(BaseModel):
    items: list[PostingOut]
    total: int
    page: int
    page_size: int
