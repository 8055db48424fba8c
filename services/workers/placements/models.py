"""A placement: a worker took a posting."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.workers.db import Base
from shared.db import UtcDateTime


class Placement(Base):
    __tablename__ = "placements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("worker_profiles.id"), index=True)
    posting_id: Mapped[str] = mapped_column(String(36))
    start_date: Mapped[date] = mapped_column(Date)
    monthly_wage: Mapped[int] = mapped_column(Integer)
    contract_months: Mapped[int | None] = mapped_column(Integer)
    work_region_code: Mapped[str | None] = mapped_column(String(12))
    organised_export: Mapped[bool] = mapped_column(Boolean, default=False)
    # The plan's one-time job-seeking subsidy: organised labour export outside the home banner/county.
    subsidy_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    # The rule that decided it (placements/rules.py RULES), so the flag can always be explained.
    subsidy_rule: Mapped[str | None] = mapped_column(String(40))
    posting_title: Mapped[str | None] = mapped_column(String(100))
    employer_id: Mapped[str | None] = mapped_column(String(36))
    employer_name: Mapped[str | None] = mapped_column(String(100))
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
