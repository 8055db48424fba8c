"""Typed contracts of the events on the bus: one module per producing service (jobs, workers, matching, notify),
each with its event type names, the payload models and a schema version per event type.

Producers build the payload model and publish `payload.data()` (its JSON); consumers read `Model.model_validate(
event.data)`. The rules for changing a contract, and the AsyncAPI document made from them (docs/asyncapi.yaml), are
in docs/architecture.md ("Event contracts").
"""

from __future__ import annotations

from shared.contracts import jobs, matching, notify, workers
from shared.contracts.base import EventContract, Payload

EVENTS: tuple[EventContract, ...] = jobs.EVENTS + workers.EVENTS + matching.EVENTS + notify.EVENTS
BY_TYPE: dict[str, EventContract] = {event.type: event for event in EVENTS}

__all__ = ["BY_TYPE", "EVENTS", "EventContract", "Payload", "contract"]


def contract(type: str) -> EventContract:
    """The contract of an event type (KeyError for a type no service publishes)."""
    return BY_TYPE[type]
