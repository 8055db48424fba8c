"""Every receipt received, matched or not yet: one that arrives before its send is recorded is applied then."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.notify.db import Base
from shared.db import BigId, UtcDateTime


class Receipt(Base):
    __tablename__ = "receipts"
    __table_args__ = (Index("ix_receipts_provider_message", "provider", "provider_message_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(12))
    provider_message_id: Mapped[str] = mapped_column(String(64))
    delivered: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(40))  # the provider's own word: DELIVERED, DELIVRD, success, …
    detail: Mapped[str | None] = mapped_column(String(200))
    message_id: Mapped[str | None] = mapped_column(String(36))  # None until matched
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
