"""The read-model records: the latest snapshot of each posting and worker, with the version it came with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db import Base
from shared.db import UtcDateTime


class PostingRecord(Base):
    __tablename__ = "postings"
    __table_args__ = (Index("ix_postings_status", "status"), Index("ix_postings_supply_list", "supply_list_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    employer_id: Mapped[str] = mapped_column(String(36))
    supply_list_id: Mapped[str | None] = mapped_column(String(36))
    supply_list_office_id: Mapped[str | None] = mapped_column(String(64))
    snapshot: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WorkerRecord(Base):
    __tablename__ = "workers"
    __table_args__ = (Index("ix_workers_region", "home_region_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    home_region_code: Mapped[str] = mapped_column(String(12))
    transfer_intention: Mapped[str] = mapped_column(String(12))
    share_with_partners: Mapped[bool] = mapped_column(Boolean)
    snapshot: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Generation(Base):
    """A counter bumped with every posting change, so each process knows when its ranking index is stale."""

    __tablename__ = "generations"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
