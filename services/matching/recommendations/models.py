"""An issued recommendation set: what was offered to whom, when, by which run — every figure traces back here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db import Base
from shared.db import UtcDateTime


class RecommendationSet(Base):
    __tablename__ = "recommendation_sets"
    __table_args__ = (Index("ix_recommendation_sets_worker", "worker_id", "version"),
                      Index("ix_recommendation_sets_run", "run_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)  # per worker, so notify can tell a newer set from a replay
    run_id: Mapped[str | None] = mapped_column(String(36))
    items: Mapped[list[dict]] = mapped_column(JSON)
    shortfall: Mapped[dict | None] = mapped_column(JSON)
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # What notify reported of the message that carried the set: delivered, failed or not_sent, and why.
    delivery: Mapped[str | None] = mapped_column(String(12))
    delivery_reason: Mapped[str | None] = mapped_column(String(200))
