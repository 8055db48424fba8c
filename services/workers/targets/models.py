"""A county's placement target for a year, and the record of every change made to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.workers.db import Base
from shared.db import BigId, UtcDateTime


class PlacementTarget(Base):
    __tablename__ = "placement_targets"

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    placed: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TargetChange(Base):
    """Who set which target when, and what it was before (None: there was none; `after` None: removed)."""

    __tablename__ = "target_changes"
    __table_args__ = (Index("ix_target_changes_year", "year", "county_code"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    county_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    before: Mapped[int | None] = mapped_column(Integer)
    after: Mapped[int | None] = mapped_column(Integer)
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
