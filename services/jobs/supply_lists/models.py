"""The supply list record."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from services.jobs.db import Base
from shared.db import UtcDateTime


class SupplyList(Base):
    __tablename__ = "supply_lists"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(100))
    source_region_code: Mapped[str] = mapped_column(String(12))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
