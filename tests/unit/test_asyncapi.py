"""docs/asyncapi.yaml is the bus as the code has it: regenerated here, it must equal the checked-in file, and every
event as published validates against its message there."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from jobbridge.asyncapi import queues, render
from shared.contracts import EVENTS
from shared.contracts.asyncapi import message_name

ROOT = Path(__file__).resolve().parents[2]
CHECKED_IN = ROOT / "docs" / "asyncapi.yaml"
PUBLISHED = json.loads((Path(__file__).parent / "events_as_published.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def document() -> dict:
    return yaml.safe_load(CHECKED_IN.read_text(encoding="utf-8"))


def test_the_checked_in_document_is_up_to_date():
    assert render() == CHECKED_IN.read_text(encoding="utf-8"), \
        "docs/asyncapi.yaml is stale: run `python -m jobbridge.asyncapi > docs/asyncapi.yaml`"


def test_every_event_has_a_channel_on_the_exchange_and_a_publishing_operation(document):
    assert document["asyncapi"] == "3.0.0"
    for event in EVENTS:
        channel = document["channels"][event.type]
        assert channel["bindings"]["amqp"] == {
            "is": "routingKey", "bindingVersion": "0.3.0",
            "exchange": {"name": "jobbridge", "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"}}
        operation = document["operations"][f"{event.producer}.publish.{event.type}"]
        assert operation["action"] == "send" and operation["channel"] == {"$ref": f"#/channels/{event.type}"}
        message = document["components"]["messages"][message_name(event)]
        assert (message["x-producer"], message["x-schema-version"]) == (event.producer, event.version)


def test_each_queue_receives_what_its_consumer_is_bound_to(document):
    built = {queue.name: queue for queue in queues()}
    assert sorted(built) == ["jobs", "matching", "matching-runs", "notify"]
    for name, queue in built.items():
        channel = document["channels"][name]
        assert channel["bindings"]["amqp"]["queue"]["name"] == name
        assert sorted(document["components"]["messages"][m]["name"] for m in channel["messages"]) \
            == sorted(queue.bindings)
        assert document["channels"][f"{name}.dlq"]["address"] == f"{name}.dlq"
        assert document["operations"][f"{name}.receive"]["action"] == "receive"
    assert "notify" in [q.service for q in built.values() if "matching.recommendations.issued" in q.bindings]


def test_every_reference_in_the_document_points_at_something(document):
    def refs(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = set(refs(document))
    assert len(found) > len(EVENTS)
    for ref in found:
        target = document
        for part in ref.removeprefix("#/").split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            assert isinstance(target, dict) and key in target, f"{ref} points at nothing"
            target = target[key]


@pytest.mark.parametrize("type", sorted(PUBLISHED))
def test_each_event_as_published_matches_its_message_and_a_wrong_one_does_not(document, type):
    event = next(e for e in EVENTS if e.type == type)
    schema = document | {"$ref": f"#/components/messages/{message_name(event)}/payload"}
    validator = Draft202012Validator(schema)
    envelope = {"id": str(uuid.uuid4()), "type": type, "occurred_at": "2026-11-28T03:00:00Z",
                "producer": event.producer, "subject": "s1", "version": 1, "data": PUBLISHED[type]}
    validator.validate(envelope)
    required = event.payload.model_json_schema().get("required", [])
    broken = envelope | {"data": {k: v for k, v in PUBLISHED[type].items() if k != required[0]}}
    assert not validator.is_valid(broken)
