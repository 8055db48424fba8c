"""What the vendors push back, in one shape (receipts, replies), and the reading of a push's body that they share.

Pure: no I/O. Each vendor module names its own fields; phone numbers read here are used once and never kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReceiptIn:
    provider: str
    provider_message_id: str
    delivered: bool
    status: str  # the provider's own word: DELIVERED / an error code, SUCCESS / DELIVRD, success / failed:…
    detail: str | None = None
    key: str | None = None  # our idempotency key when the provider echoes it (Aliyun's out_id)
    # The number, where the vendor's id names a request of several numbers (Aliyun's biz_id): the message is known
    # by the id and the number's keyed hash. Used once for that; never stored or logged.
    number: str | None = None

    def __repr__(self) -> str:
        return (f"ReceiptIn(provider={self.provider!r}, provider_message_id={self.provider_message_id!r}, "
                f"delivered={self.delivered!r}, status={self.status!r}, key={self.key!r})")


@dataclass(frozen=True)
class SmsReply:
    content: str
    number: str | None = None  # used once, to find the worker through the keyed hash; never stored or logged
    worker_id: str | None = None
    marks: str = ""  # the vendor's own time and sequence of this reply: a redelivered callback repeats them

    def __repr__(self) -> str:
        return f"SmsReply(content={self.content!r}, worker_id={self.worker_id!r})"


class NotJson(ValueError):
    """A push whose body is not JSON at all (answered 400, not in the vendor's words)."""


def json_body(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise NotJson("the body is not JSON") from exc


def report_array(body: bytes) -> list[dict]:
    """A receipt push: a JSON array of reports (one object alone is read as an array of one)."""
    return _objects(body, expected="a JSON array of reports is expected")


def read_replies(body: bytes, *, content: str, number: str, marks: Iterable[str]) -> list[SmsReply]:
    """An upstream-SMS push in the vendor's fields (`content`, `number`, the `marks` that tell a redelivery), or in
    the simple form `{worker_id?, phone?, content}` that the tests and a station's own tools post."""
    read = []
    for item in _objects(body, expected="a JSON object or an array of objects is expected"):
        words = item.get(content, item.get("content"))
        phone = item.get(number) or item.get("phone")
        if not isinstance(words, str):
            raise ValueError("each reply needs its content (or text)")
        seen = "|".join(str(item.get(key) or "") for key in marks)
        read.append(SmsReply(content=words, number=str(phone) if phone else None,
                             worker_id=str(item["worker_id"]) if item.get("worker_id") else None,
                             marks=seen.strip("|")))
    return read


def _objects(body: bytes, *, expected: str) -> list[dict]:
    found = json_body(body)
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        raise ValueError(expected)
    return found


def is_true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def short(value: Any) -> str | None:
    return str(value)[:200] if value else None
