"""The event envelope of the contract."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.events.envelope import Envelope


def make(**changes) -> Envelope:
    fields = {"type": "jobs.posting.opened", "occurred_at": datetime(2026, 11, 28, 10, tzinfo=timezone.utc),
              "producer": "jobs", "subject": "p-1", "version": 1, "data": {"title": "焊工"}}
    return Envelope(**(fields | changes))


def test_the_envelope_has_the_contract_fields_and_round_trips():
    envelope = make()
    wire = json.loads(envelope.to_json())
    assert set(wire) == {"id", "type", "occurred_at", "producer", "subject", "version", "data"}
    assert wire["occurred_at"].endswith("Z") and wire["data"] == {"title": "焊工"}
    assert Envelope.from_json(envelope.to_json()) == envelope


def test_times_are_kept_in_utc():
    beijing = timezone(timedelta(hours=8))
    envelope = make(occurred_at=datetime(2026, 11, 28, 18, tzinfo=beijing))
    assert envelope.occurred_at == datetime(2026, 11, 28, 10, tzinfo=timezone.utc)
    assert envelope.occurred_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("changes", [{"occurred_at": datetime(2026, 11, 28)}, {"version": 0},
                                     {"type": "posting-opened"}, {"type": "jobs..opened"}])
def test_malformed_envelopes_are_refused(changes):
    with pytest.raises(ValidationError):
        make(**changes)


def test_each_event_gets_its_own_id():
    assert make().id != make().id
