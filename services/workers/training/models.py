"""One course a worker took part in, as the station recorded it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.workers.db import Base
from shared.db import UtcDateTime

# The plan's floor for subsidised vocational training: at least 56 class hours.
SUBSIDISED_HOURS = 56


class TrainingRecord(Base):
    __tablename__ = "training_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("worker_profiles.id"), index=True)
    course: Mapped[str] = mapped_column(String(80))
    hours: Mapped[int] = mapped_column(Integer)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    certificate: Mapped[str | None] = mapped_column(String(80))
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
