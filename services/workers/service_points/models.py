"""A township's service point as admin recorded it; a removal is kept (removed_at), so past months stay true."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.workers.db import Base
from shared.db import BigId, UtcDateTime


class ServicePoint(Base):
    __tablename__ = "service_points"
    __table_args__ = (Index("ix_service_points_township", "township_code", "removed_at"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    township_code: Mapped[str] = mapped_column(String(12))
    county_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(80))
    established_on: Mapped[date] = mapped_column(Date)
    staff: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200))
    # Recorded after the month it dates from was over: a late correction, counted as such in the month recorded.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    removed_by: Mapped[str | None] = mapped_column(String(80))
