"""A message to one worker about one recommendation set (or one job fair's invitation), and each call made to a
provider to deliver it.

No phone number or openid is kept here: the worker id is, and the channels are fetched again for each attempt.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.notify.db import Base
from shared.db import BigId, UtcDateTime


class MessageStatus(StrEnum):
    queued = "queued"  # waiting for its time (now, the morning, a retry, the digest window)
    sent = "sent"  # a provider accepted it; a receipt will say whether it arrived
    delivered = "delivered"
    failed = "failed"
    not_sent = "not_sent"  # no channel may be used (consent, opt-out, profile gone): nothing was tried
    suppressed = "suppressed"  # a newer set for the same worker took its place before it went


OPEN = (MessageStatus.queued, MessageStatus.sent)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_worker", "worker_id", "created_at"),
        Index("ix_messages_run", "run_id"),
        Index("ix_messages_due", "status", "next_attempt_at"),
        Index("ix_messages_provider_message", "provider", "provider_message_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Per worker and recommendation set (or fair): a redelivered event, a restarted consumer or a retry finds it.
    idempotency_key: Mapped[str] = mapped_column(String(32), unique=True)
    # offers (a recommendation set) or fair_invitation (set_id is then the fair's id): the template it is sent with.
    kind: Mapped[str] = mapped_column(String(16), default="offers", server_default="offers")
    worker_id: Mapped[str] = mapped_column(String(36))
    region_code: Mapped[str | None] = mapped_column(String(12))  # the worker's home, for station staff's scope
    set_id: Mapped[str] = mapped_column(String(36))
    set_version: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str | None] = mapped_column(String(36))
    channel: Mapped[str | None] = mapped_column(String(8))  # sms, wechat; chosen at the first attempt
    status: Mapped[str] = mapped_column(String(12), default=MessageStatus.queued)
    reason: Mapped[str | None] = mapped_column(String(300))  # why failed, not sent, suppressed, or held
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # What the worker reads (composed from the offers: it holds no personal number), and what the providers take.
    text: Mapped[str] = mapped_column(Text)  # on the channel used (the SMS until WeChat takes it)
    sms: Mapped[dict] = mapped_column(JSON)  # {"text", "params"}: the template parameters the vendors take
    wechat: Mapped[dict] = mapped_column(JSON)  # {"data": {keyword: {"value"}}, "url", "text"}
    excluded_channels: Mapped[list[str]] = mapped_column(JSON, default=list)  # failed for good for this message
    provider: Mapped[str | None] = mapped_column(String(12))
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    # A provider whose last answer was lost: it may have sent the message, so it is asked before sending again.
    unconfirmed_provider: Mapped[str | None] = mapped_column(String(12))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease: Mapped[str | None] = mapped_column(String(32))  # the dispatcher pass that holds it until next_attempt_at
    last_error: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Attempt(Base):
    """One call to a provider for a message (a send, or a query after a lost answer), and how it ended."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_message", "message_id"),
                      Index("ix_attempts_worker_sent", "worker_id", "channel", "at"),
                      Index("ix_attempts_number_sent", "number_hash", "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"))
    worker_id: Mapped[str] = mapped_column(String(36))  # counts sends per number per day without keeping it
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    channel: Mapped[str] = mapped_column(String(8))
    provider: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(20))  # sent, found_sent, not_found, or the ErrorKind
    code: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(300))
    # The keyed hash of the phone an SMS went to: the per-number limits count by it (profiles may share a phone).
    number_hash: Mapped[str | None] = mapped_column(String(64))
