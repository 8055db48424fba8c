"""Whether a payload schema still reads as its earlier self, and the checked-in snapshots it is compared with.

A change is compatible when every consumer written against the earlier schema still reads every event: no field is
removed or renamed, none changes its type (a nested object is held to the same rules, field by field), and no field
becomes required that was not. Adding an optional field is compatible. An incompatible change needs the event's
schema version raised (a new snapshot beside the old one).

    python -m shared.contracts.compat        # write the snapshots of the current versions (refuses a break)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shared.contracts import EVENTS, EventContract

SNAPSHOTS = Path(__file__).parent / "schemas"
WORDING = ("title", "description", "default", "examples")  # what a consumer never depends on


def schema_of(event: EventContract) -> dict[str, Any]:
    """The payload's JSON schema (as a consumer validates it)."""
    return event.payload.model_json_schema()


def snapshot_path(event: EventContract, version: int | None = None) -> Path:
    return SNAPSHOTS / f"{event.type}.v{version or event.version}.json"


def read_snapshot(event: EventContract) -> dict[str, Any] | None:
    path = snapshot_path(event)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def as_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def incompatibilities(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What in `new` a consumer of `old` could not read (empty when `new` is compatible)."""
    return _object("", old, old.get("$defs", {}), new, new.get("$defs", {}))


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(defs[ref.removeprefix("#/$defs/")], defs)
    return schema


def _object(at: str, old: dict[str, Any], old_defs: dict[str, Any], new: dict[str, Any],
            new_defs: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    old_fields, new_fields = old.get("properties", {}), new.get("properties", {})
    for name, was in old_fields.items():
        if name not in new_fields:
            problems.append(f"{at}{name} was removed (or renamed)")
        else:
            problems += _field(f"{at}{name}", was, old_defs, new_fields[name], new_defs)
    for name in sorted(set(new.get("required", ())) - set(old.get("required", ()))):
        problems.append(f"{at}{name} is required now" if name in old_fields else f"{at}{name} was added as required")
    return problems


def _field(at: str, old: dict[str, Any], old_defs: dict[str, Any], new: dict[str, Any],
           new_defs: dict[str, Any]) -> list[str]:
    old, new = _resolve(old, old_defs), _resolve(new, new_defs)
    if old.get("type") == "object" and new.get("type") == "object" and "properties" in old:
        return _object(f"{at}.", old, old_defs, new, new_defs)
    old_shape, new_shape = _shape(old, old_defs), _shape(new, new_defs)
    if old_shape != new_shape:
        return [f"{at} changed its type from {_said(old_shape)} to {_said(new_shape)}"]
    # The same shape; objects inside (a list of offers, an optional placement) are held to the field rules too.
    old_objects, new_objects = _objects(old, old_defs), _objects(new, new_defs)
    return [problem for key, was in old_objects.items() if key in new_objects
            for problem in _object(f"{at}.", was, old_defs, new_objects[key], new_defs)]


def _shape(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """The type a schema stands for, without its wording; a nested model stands as "object" (its fields are compared
    one by one)."""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        return sorted((_shape(option, defs) for option in schema["anyOf"]), key=repr)
    if schema.get("type") == "array":
        return ["array", _shape(schema.get("items", {}), defs)]
    if schema.get("type") == "object":
        return "object"
    return {key: value for key, value in sorted(schema.items()) if key not in WORDING}


def _objects(schema: dict[str, Any], defs: dict[str, Any], path: str = "") -> dict[str, dict[str, Any]]:
    """The object schemas inside a field (through optional and list types), by where they sit."""
    schema = _resolve(schema, defs)
    if schema.get("type") == "object" and "properties" in schema:
        return {path: schema}
    found: dict[str, dict[str, Any]] = {}
    for n, option in enumerate(schema.get("anyOf", ())):
        found |= _objects(option, defs, f"{path}|{n}")
    if schema.get("type") == "array":
        found |= _objects(schema.get("items", {}), defs, f"{path}[]")
    return found


def _said(shape: Any) -> str:
    return json.dumps(shape, ensure_ascii=False, sort_keys=True)


def write(events: tuple[EventContract, ...] = EVENTS) -> list[str]:
    """Write each event's snapshot for its current version; return the breaks that stopped a write."""
    refused = []
    SNAPSHOTS.mkdir(exist_ok=True)
    for event in events:
        current, kept = schema_of(event), read_snapshot(event)
        problems = incompatibilities(kept, current) if kept is not None else []
        if problems:
            refused.append(f"{event.type} v{event.version}: " + "; ".join(problems))
            continue
        snapshot_path(event).write_text(as_text(current), encoding="utf-8")
    return refused


def main() -> int:
    refused = write()
    for line in refused:
        print(f"not written, raise the version: {line}", file=sys.stderr)
    return 1 if refused else 0


if __name__ == "__main__":
    raise SystemExit(main())
