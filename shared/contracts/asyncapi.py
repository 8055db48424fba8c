"""The AsyncAPI 3.0 document of the bus, made from the event contracts: the topic exchange, a channel and a message
per event type (the envelope with the contract's payload as `data`), which service publishes each, and the queues
that receive them (a quorum queue per consumer, bound by event type, with its dead-letter queue).

The queues are the consumers the services build; the composition root passes them in (`jobbridge asyncapi`), since
shared code knows no service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from shared.contracts import EVENTS, EventContract
from shared.settings import CommonSettings

AMQP_BINDING = "0.3.0"
SCHEMAS = "#/components/schemas/"


@dataclass(frozen=True)
class Queue:
    """A consumer's queue: its name (the consumer's), the service that runs it and the event types bound to it."""

    name: str
    service: str
    bindings: tuple[str, ...]


def document(queues: Sequence[Queue], *, exchange: str | None = None,
             events: Sequence[EventContract] = EVENTS) -> dict[str, Any]:
    exchange = exchange or str(CommonSettings.model_fields["amqp_exchange"].default)
    delivery_limit = CommonSettings.model_fields["delivery_limit"].default
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event in events:
        name = message_name(event)
        messages[name] = _message(event)
        channels[event.type] = {
            "address": event.type,
            "title": event.type,
            "summary": event.summary,
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {"amqp": {"is": "routingKey", "exchange": {
                "name": exchange, "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"},
                "bindingVersion": AMQP_BINDING}},
        }
        operations[f"{event.producer}.publish.{event.type}"] = {
            "action": "send",
            "title": f"{event.producer} publishes {event.type}",
            "summary": f"From the {event.producer} service's outbox, once its transaction commits.",
            "channel": {"$ref": f"#/channels/{_escape(event.type)}"},
            "messages": [{"$ref": f"#/channels/{_escape(event.type)}/messages/{name}"}],
        }
    known = {event.type: message_name(event) for event in events}
    for queue in sorted(queues, key=lambda q: q.name):
        bound = [known[t] for t in sorted(queue.bindings) if t in known]
        channels[queue.name] = {
            "address": queue.name,
            "title": f"queue {queue.name}",
            "summary": f"The {queue.service} service's consumer {queue.name}: bound to the exchange by each event "
                       f"type it handles. A message it fails {delivery_limit} times goes to {queue.name}.dlq.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in bound},
            "bindings": {"amqp": {"is": "queue", "queue": {
                "name": queue.name, "durable": True, "exclusive": False, "autoDelete": False, "vhost": "/"},
                "bindingVersion": AMQP_BINDING}},
        }
        channels[f"{queue.name}.dlq"] = {
            "address": f"{queue.name}.dlq",
            "title": f"dead letters of {queue.name}",
            "summary": f"What {queue.name} gave up on, through the direct exchange {exchange}.dlx (routing key "
                       f"{queue.name}); kept for an operator to look at and replay.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in bound},
            "bindings": {"amqp": {"is": "queue", "queue": {
                "name": f"{queue.name}.dlq", "durable": True, "exclusive": False, "autoDelete": False, "vhost": "/"},
                "bindingVersion": AMQP_BINDING}},
        }
        operations[f"{queue.name}.receive"] = {
            "action": "receive",
            "title": f"{queue.service} receives on {queue.name}",
            "summary": "Each event once: the consumer's inbox row and the handlers' changes commit together.",
            "channel": {"$ref": f"#/channels/{_escape(queue.name)}"},
            "messages": [{"$ref": f"#/channels/{_escape(queue.name)}/messages/{name}"} for name in bound],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "JobBridge events",
            "version": "1.0.0",
            "description": "The events the JobBridge services publish on one RabbitMQ topic exchange, whose routing "
                           "key is the event type. Each message is the envelope (id, type, occurred_at, producer, "
                           "subject, version) with the event's data; each event's data has a schema version "
                           "(x-schema-version), raised on every incompatible change. Made from shared/contracts by "
                           "`jobbridge asyncapi`; do not edit by hand.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _schemas(events)},
    }


def message_name(event: EventContract) -> str:
    return event.type.replace(".", "_")


def _escape(key: str) -> str:
    """A key as a JSON pointer segment."""
    return key.replace("~", "~0").replace("/", "~1")


def _message(event: EventContract) -> dict[str, Any]:
    return {
        "name": event.type,
        "title": event.type,
        "summary": event.summary,
        "contentType": "application/json",
        "x-producer": event.producer,
        "x-schema-version": event.version,
        "payload": {
            "type": "object",
            "required": ["id", "type", "occurred_at", "producer", "subject", "version", "data"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "type": {"const": event.type},
                "occurred_at": {"type": "string", "format": "date-time"},
                "producer": {"const": event.producer},
                "subject": {"type": "string", "description": "the aggregate the event is about"},
                "version": {"type": "integer", "minimum": 1,
                            "description": "the aggregate's version: grows with each of its events"},
                "data": {"$ref": f"{SCHEMAS}{event.payload.__name__}"},
            },
        },
        "bindings": {"amqp": {"contentEncoding": "utf-8", "messageType": event.type, "bindingVersion": AMQP_BINDING}},
    }


def _schemas(events: Sequence[EventContract]) -> dict[str, Any]:
    payloads = list(dict.fromkeys(event.payload for event in events))
    _, schemas = models_json_schema([(payload, "validation") for payload in payloads],
                                    ref_template=SCHEMAS + "{model}")
    return dict(sorted(schemas.get("$defs", {}).items()))


def as_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
