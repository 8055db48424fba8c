"""A batch run, its work items, and the candidate lists its items ranked (kept for the capacity step)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db import Base
from shared.db import UtcDateTime


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10))  # queued, running, done, failed
    requested_by: Mapped[str] = mapped_column(String(80))
    items_total: Mapped[int] = mapped_column(Integer, default=0)
    items_done: Mapped[int] = mapped_column(Integer, default=0)
    workers: Mapped[int] = mapped_column(Integer, default=0)
    covered: Mapped[int] = mapped_column(Integer, default=0)
    shortfalls: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # shortfall reasons, offers per posting
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RunCandidates(Base):
    """One worker's feasible offers as an item ranked them, before the batch-wide capacity step."""

    __tablename__ = "run_candidates"
    __table_args__ = (PrimaryKeyConstraint("run_id", "worker_id"),)

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"))
    worker_id: Mapped[str] = mapped_column(String(36))
    item_key: Mapped[str] = mapped_column(String(12))
    items: Mapped[list[dict]] = mapped_column(JSON)
    # {"found", "reason"} when the list is shorter than the guarantee: why, as Ranker.shortfall says it.
    shortfall: Mapped[dict | None] = mapped_column(JSON)
