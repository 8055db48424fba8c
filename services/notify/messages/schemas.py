"""Response bodies for messages (field names of the contract: id, worker_id, run_id, channel, status, attempts,
text)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    worker_id: str
    set_id: str
    run_id: str | None
    channel: str | None  # sms, wechat; null until the first attempt chose one
    status: str  # queued, sent, delivered, failed, not_sent, suppressed
    reason: str | None  # why it failed, was not sent, was suppressed, or is waiting
    attempts: int
    text: str
    provider: str | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    channel: str
    provider: str
    outcome: str
    code: str | None
    detail: str | None


class MessageDetail(MessageOut):
    attempt_log: list[AttemptOut]


class MessagePage(BaseModel):
    items: list[MessageOut]
    total: int
    page: int
    page_size: int
