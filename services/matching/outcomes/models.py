"""Outcome records, built from events (interest, placements) and from employers' decisions on candidates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db import Base
from shared.db import UtcDateTime


class Interest(Base):
    """A labourer's answer to a set of offers: interest in one posting of it, or none of them fits."""

    __tablename__ = "interests"
    __table_args__ = (Index("ix_interests_posting", "posting_id"), Index("ix_interests_set", "set_id"),
                      Index("ix_interests_worker", "worker_id"))

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the reply's id at notify
    worker_id: Mapped[str] = mapped_column(String(36))
    posting_id: Mapped[str | None] = mapped_column(String(36))  # None: none of the offers fits
    set_id: Mapped[str | None] = mapped_column(String(36))
    run_id: Mapped[str | None] = mapped_column(String(36))
    position: Mapped[int | None] = mapped_column(Integer)  # the offer's place in the set, 1 first
    channel: Mapped[str] = mapped_column(String(12))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Decision(Base):
    """What the employer (or the partner office) decided about a candidate for a posting."""

    __tablename__ = "candidate_decisions"

    posting_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    decision: Mapped[str] = mapped_column(String(16))  # invited, hired, not_suitable
    note: Mapped[str | None] = mapped_column(String(200))
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PlacementSeen(Base):
    """A placement as workers announced it, and whether its posting was among the labourer's offers."""

    __tablename__ = "placements_seen"
    __table_args__ = (Index("ix_placements_seen_worker", "worker_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(36))
    posting_id: Mapped[str] = mapped_column(String(36))
    start_date: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    from_offers: Mapped[bool] = mapped_column(Boolean)
    set_id: Mapped[str | None] = mapped_column(String(36))  # the latest set that offered the posting
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)  # when workers recorded it (the start may be earlier)
