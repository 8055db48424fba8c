"""Response bodies for replies: what a worker answered to an offers SMS, and what it was taken for."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class ReplyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str  # interest, not_fit (offers page), none_fit, unknown
    worker_id: str | None  # null: a number no recent message went to (admin only)
    offer_number: int | None  # the digit: 1..n an interest or not_fit, 0 none fits
    posting_id: str | None  # the offer an interest names
    posting_title: str | None
    set_id: str | None  # the recommendation set of the SMS answered
    run_id: str | None
    message_id: str | None
    content: str  # the words as sent, on one line, at most 70 characters
    provider: str
    received_at: datetime


class ReplyPage(BaseModel):
    items: list[ReplyOut]
    total: int
    page: int
    page_size: int
