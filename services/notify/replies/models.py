"""What workers answered to their offers SMS or on the offers page: an interest in one offer, one offer that does not
fit, none fits, or words for staff to read.

The sender's number is never kept: the reply is tied to the worker through the keyed hash of the reply routes, and
a reply from a number no message went to is kept without anyone (admin reads it).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.notify.db import Base
from shared.db import UtcDateTime

CONTENT_KEPT = 70  # characters of a reply kept: one SMS


class ReplyKind(StrEnum):
    interest = "interest"  # the digit of an offer of the latest SMS: the worker wants to know more about it
    none_fit = "none_fit"  # 0: none of them fits (kept with the set, for judging the offers)
    not_fit = "not_fit"  # 不合适 on one offer of the offers page (no event: staff and the funnel read it)
    unknown = "unknown"  # anything else, or from an unknown number, or with no offers SMS in the window: unread


class Reply(Base):
    __tablename__ = "replies"
    __table_args__ = (
        # One answer per offer of a message (interest or not_fit), one "none fits" per message: a repeat changes
        # nothing, and the first answer to an offer stands.
        UniqueConstraint("message_id", "offer_number", name="uq_replies_message_offer"),
        Index("ix_replies_worker", "worker_id", "received_at"),
        Index("ix_replies_run", "run_id"),
        Index("ix_replies_kind", "kind", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    worker_id: Mapped[str | None] = mapped_column(String(36))  # None: a number no recent message went to
    region_code: Mapped[str | None] = mapped_column(String(12))  # the worker's home, for station staff's scope
    # The offers SMS the reply answers (the worker's latest one sent), and the offer its digit names.
    message_id: Mapped[str | None] = mapped_column(String(36))
    set_id: Mapped[str | None] = mapped_column(String(36))
    run_id: Mapped[str | None] = mapped_column(String(36))
    offer_number: Mapped[int | None] = mapped_column(Integer)  # 1..n an interest or not_fit, 0 none fits
    posting_id: Mapped[str | None] = mapped_column(String(36))
    posting_title: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(String(CONTENT_KEPT))  # the words, on one line, trimmed
    provider: Mapped[str] = mapped_column(String(12))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Keyed hash of the callback (vendor, sender, its time and sequence, words): a redelivery finds this row.
    callback_key: Mapped[str] = mapped_column(String(64), unique=True)
