"""What every event contract is made of: a payload model, the event's type name, its schema version, who publishes it.

A payload model reads what a producer sends and ignores what it does not know (a newer producer may have added a
field). A field listed in `omitted_when_none` is left out of the JSON when it has no value, as the producers have
always done for it (the placement of a profile event that is not about one, for instance).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, PlainSerializer, SerializerFunctionWrapHandler, model_serializer

# A time written as Python's `isoformat` writes it ("2026-11-28T03:00:00+00:00"), as producers put it on the wire.
IsoDateTime = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json")]


class Payload(BaseModel):
    """The data of one event; extra fields are ignored, so an older consumer reads a newer producer's events."""

    # Extra fields are ignored; a docstring under a field is its description in the JSON schema and the AsyncAPI.
    model_config = ConfigDict(extra="ignore", use_attribute_docstrings=True)

    omitted_when_none: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _leave_out_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        for name in self.omitted_when_none:
            if name in data and data[name] is None:
                del data[name]
        return data

    def data(self) -> dict[str, Any]:
        """The JSON the envelope carries as its `data`."""
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class EventContract:
    """One event type: its name (`<service>.<aggregate>.<past-tense verb>`, also the routing key), its payload and
    the payload's schema version (raised on every incompatible change, see docs/architecture.md)."""

    type: str
    payload: builtins.type[Payload]
    version: int
    summary: str

    @property
    def producer(self) -> str:
        return self.type.split(".")[0]

    def parse(self, data: dict[str, Any]) -> Payload:
        return self.payload.model_validate(data)
