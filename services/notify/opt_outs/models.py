"""Who left which channel, and the keyed hashes that tie an SMS reply to a worker without keeping the number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from services.notify.db import Base
from shared.db import UtcDateTime


class OptOut(Base):
    __tablename__ = "opt_outs"
    __table_args__ = (PrimaryKeyConstraint("worker_id", "channel"),)

    worker_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(8))  # sms, wechat
    source: Mapped[str] = mapped_column(String(40))  # reply, tencent blacklist, wechat refusal, …
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReplyRoute(Base):
    """HMAC of a number an SMS went to → the worker; kept for NOTIFY_REPLY_ROUTE_DAYS, so 回T can be honoured."""

    __tablename__ = "reply_routes"
    __table_args__ = (PrimaryKeyConstraint("number_hash"), Index("ix_reply_routes_seen", "last_sent_at"))

    number_hash: Mapped[str] = mapped_column(String(64))
    worker_id: Mapped[str] = mapped_column(String(36))
    last_sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
