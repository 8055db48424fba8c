"""A month's frozen figures: the snapshot itself and, per figure, every profile or township it counted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from services.workers.db import Base
from shared.db import UtcDateTime


class ReportSnapshot(Base):
    __tablename__ = "report_snapshots"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    recorded_by: Mapped[datetime] = mapped_column(UtcDateTime)  # the cut: records made after it are not counted
    as_of: Mapped[date] = mapped_column(Date)  # the month's last day
    targets: Mapped[dict[str, int]] = mapped_column(JSON)  # county → placement target of the month's year
    frozen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    frozen_by: Mapped[str] = mapped_column(String(80))  # who asked for it, or "auto" when a report did


class SnapshotMember(Base):
    """One profile (or township) a figure counted in the month, with the home (or township) it counted in."""

    __tablename__ = "snapshot_members"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    figure: Mapped[str] = mapped_column(String(30), primary_key=True)
    subject: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
