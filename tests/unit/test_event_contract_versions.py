"""An incompatible change to an event's payload fails here unless the event's schema version is raised: each
contract is compared with the snapshot checked in for its version (shared/contracts/schemas/)."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import create_model

from shared.contracts import EVENTS
from shared.contracts.base import EventContract, IsoDateTime, Payload
from shared.contracts.compat import as_text, incompatibilities, read_snapshot, schema_of, snapshot_path, write

REFRESH = "python -m shared.contracts.compat"


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: event.type)
def test_each_contract_reads_what_its_versions_snapshot_reads(event):
    kept = read_snapshot(event)
    assert kept is not None, f"no snapshot {snapshot_path(event).name}: run `{REFRESH}`"
    problems = incompatibilities(kept, schema_of(event))
    assert not problems, (f"{event.type} changed incompatibly ({'; '.join(problems)}): raise its version in "
                          f"shared/contracts/ and run `{REFRESH}`")
    assert as_text(schema_of(event)) == as_text(kept), f"{event.type} gained an optional field: run `{REFRESH}`"


class Part(Payload):
    name: str
    count: int = 0


class Before(Payload):
    id: str
    wage: int
    note: str | None = None
    part: Part | None = None
    parts: list[Part] = []


FIELDS: dict = {"id": (str, ...), "wage": (int, ...), "note": (str | None, None), "part": (Part | None, None),
                "parts": (list[Part], [])}


def changed(**fields) -> dict:
    """Before's schema with fields replaced or added (type, default; ... for required), or removed (None)."""
    kept = {name: spec for name, spec in (FIELDS | fields).items() if spec is not None}
    return create_model("After", __base__=Payload, **kept).model_json_schema()


BEFORE = Before.model_json_schema()


def test_the_same_schema_and_an_added_optional_field_are_compatible():
    assert incompatibilities(BEFORE, BEFORE) == []
    assert incompatibilities(BEFORE, changed()) == []
    assert incompatibilities(BEFORE, changed(extra=(str | None, None), colour=(str, ""))) == []


@pytest.mark.parametrize("change, problem", [
    ({"wage": None}, "wage was removed (or renamed)"),
    ({"wage": None, "pay": (int, ...)}, "wage was removed (or renamed)"),
    ({"wage": (str, ...)}, "wage changed its type"),
    ({"wage": (int | None, ...)}, "wage changed its type"),
    ({"note": (str, "")}, "note changed its type"),
    ({"area": (str, ...)}, "area was added as required"),
    ({"note": (str | None, ...)}, "note is required now"),
])
def test_a_removed_renamed_retyped_or_newly_required_field_is_a_break(change, problem):
    problems = incompatibilities(BEFORE, changed(**change))
    assert any(p.startswith(problem) for p in problems), problems


class PartRetyped(Payload):
    name: str
    count: str = ""


class PartWider(Payload):
    name: str
    count: int = 0
    colour: str = ""


def test_a_nested_object_is_held_to_the_same_rules_inside_an_optional_or_a_list():
    class After(Payload):
        id: str
        wage: int
        note: str | None = None
        part: PartRetyped | None = None
        parts: list[PartRetyped] = []

    problems = incompatibilities(BEFORE, After.model_json_schema())
    assert sorted(p.split(" ")[0] for p in problems) == ["part.count", "parts.count"]

    class Wider(Payload):
        id: str
        wage: int
        note: str | None = None
        part: PartWider | None = None
        parts: list[PartWider] = []

    assert incompatibilities(BEFORE, Wider.model_json_schema()) == []


def test_writing_the_snapshots_refuses_a_break_and_keeps_the_old_snapshot(tmp_path, monkeypatch):
    monkeypatch.setattr("shared.contracts.compat.SNAPSHOTS", tmp_path)

    class Sent(Payload):
        at: IsoDateTime
        count: int

    class SentAsText(Payload):
        omitted_when_none: ClassVar[frozenset[str]] = frozenset()
        at: IsoDateTime
        count: str

    first = EventContract("test.thing.sent", Sent, 1, "")
    assert write((first,)) == []
    kept = snapshot_path(first).read_text(encoding="utf-8")
    refused = write((EventContract("test.thing.sent", SentAsText, 1, ""),))
    assert len(refused) == 1 and "count changed its type" in refused[0]
    assert snapshot_path(first).read_text(encoding="utf-8") == kept
    assert write((EventContract("test.thing.sent", SentAsText, 2, ""),)) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test.thing.sent.v1.json", "test.thing.sent.v2.json"]
