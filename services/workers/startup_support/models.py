"""A worker's start-up support as staff recorded it. A change closes the row it replaces and adds a new one, so the
record as it stood at a month's end can be read back."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.workers.db import Base
from shared.db import BigId, UtcDateTime


class StartupSupport(Base):
    __tablename__ = "startup_support"
    __table_args__ = (Index("ix_startup_support_worker", "worker_id", "replaced_at"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("worker_profiles.id"))
    guidance_on: Mapped[date | None] = mapped_column(Date)
    training_on: Mapped[date | None] = mapped_column(Date)
    registered_on: Mapped[date | None] = mapped_column(Date)
    operating_since: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    # It gave a date of a month that was over when it was recorded: a late correction.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
