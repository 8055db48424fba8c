"""The event envelope every service publishes and consumes (see docs/architecture.md, "Events")."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Envelope(BaseModel):
    """One event: routing key equals `type`; `version` increases per aggregate (`subject`)."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    occurred_at: datetime
    producer: str
    subject: str
    version: int = Field(ge=1)
    data: dict[str, Any]

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a time zone")
        return value.astimezone(timezone.utc)

    @field_validator("type")
    @classmethod
    def _dotted(cls, value: str) -> str:
        parts = value.split(".")
        if len(parts) != 3 or not all(parts):
            raise ValueError("type must read <service>.<aggregate>.<past-tense verb>")
        return value

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, body: bytes | str) -> Envelope:
        return cls.model_validate_json(body)
