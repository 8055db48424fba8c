"""A workshop, and each labourer's contract with it. A change of a contract closes the row it replaces and adds a
new one, so every earlier version stays on record."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.workers.db import Base
from shared.db import BigId, UtcDateTime


class Workshop(Base):
    __tablename__ = "workshops"
    __table_args__ = (Index("ix_workshops_region_name", "region_code", "name", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(12))
    region_code: Mapped[str] = mapped_column(String(12))
    # The jobs service's employer behind the workshop, as an opaque id (never looked up here).
    employer_id: Mapped[str | None] = mapped_column(String(36))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


CURRENT = text("replaced_at IS NULL")


class WorkshopLabourer(Base):
    __tablename__ = "workshop_labourers"
    __table_args__ = (
        # One current contract per labourer and workshop: two staff adding the same labourer at once cannot both win.
        Index("uq_workshop_labourers_current", "workshop_id", "worker_id", unique=True, sqlite_where=CURRENT,
              postgresql_where=CURRENT),
        Index("ix_workshop_labourers_worker", "worker_id", "replaced_at"),
    )

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("worker_profiles.id"))
    contract_start: Mapped[date] = mapped_column(Date)
    contract_months: Mapped[int] = mapped_column(Integer)
    monthly_wage: Mapped[int] = mapped_column(Integer)
    left_on: Mapped[date | None] = mapped_column(Date)
    # The placement the contract was taken from, when staff chose one.
    placement_id: Mapped[str | None] = mapped_column(String(36))
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
