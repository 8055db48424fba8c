"""Request and response bodies for employers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from shared.forms import Line
from shared.reference.regions import is_known


class EmployerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Line = Field(min_length=2, max_length=100)
    region_code: str = Field(pattern=r"^\d{6}(\d{3})?$")

    @field_validator("region_code")
    @classmethod
    def _known(cls, value: str) -> str:
        if not is_known(value):
            raise PydanticCustomError("unknown_region", "unknown region code {code}", {"code": value})
        return value


class EmployerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    region_code: str
    office_id: str | None
    created_at: datetime
