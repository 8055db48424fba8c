"""Upstream SMS (replies) as the vendors push them, and the simple form: (number or worker id, content) pairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    content: str
    number: str | None = None  # used once, to find the worker through the keyed hash; never stored or logged
    worker_id: str | None = None

    def __repr__(self) -> str:
        return f"Reply(content={self.content!r}, worker_id={self.worker_id!r})"


def replies(provider: str, body: Any) -> list[Reply]:
    """Aliyun SmsUp (`phone_number`, `content`), Tencent (`mobile`, `text`), or `{worker_id?, phone?, content}`."""
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise ValueError("a JSON object or an array of objects is expected")
    found = []
    for item in body:
        content = item.get("content", item.get("text"))
        number = item.get("phone_number") or item.get("mobile") or item.get("phone")
        if not isinstance(content, str):
            raise ValueError("each reply needs its content (or text)")
        found.append(Reply(content=content, number=str(number) if number else None,
                           worker_id=str(item["worker_id"]) if item.get("worker_id") else None))
    return found
