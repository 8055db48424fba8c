"""The posting record and the placements that lowered its headcount."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.jobs.db import Base
from services.jobs.employers.models import Employer
from services.jobs.supply_lists.models import SupplyList
from shared.db import UtcDateTime


class PostingStatus(StrEnum):
    open = "open"
    closed = "closed"
    filled = "filled"


class Posting(Base):
    __tablename__ = "postings"
    __table_args__ = (
        Index("ix_postings_status_region", "status", "region_code"),
        Index("ix_postings_supply_list", "supply_list_id"),
        Index("ix_postings_employer", "employer_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    employer_id: Mapped[str] = mapped_column(ForeignKey("employers.id"))
    employer: Mapped[Employer] = relationship(lazy="joined")
    title: Mapped[str] = mapped_column(String(100))
    occupation: Mapped[str] = mapped_column(String(60))
    occupation_code: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_code: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    wage_min: Mapped[int] = mapped_column(Integer)
    wage_max: Mapped[int] = mapped_column(Integer)
    # Openings left: set by the employer, lowered by each recorded placement; 0 means filled.
    headcount: Mapped[int] = mapped_column(Integer)
    placed: Mapped[int] = mapped_column(Integer, default=0)
    age_min: Mapped[int] = mapped_column(Integer, default=16)
    age_max: Mapped[int] = mapped_column(Integer, default=65)
    gender: Mapped[str | None] = mapped_column(String(8))
    certificates: Mapped[list[str]] = mapped_column(JSON, default=list)
    meals: Mapped[bool] = mapped_column(Boolean, default=False)
    lodging: Mapped[bool] = mapped_column(Boolean, default=False)
    contract_months: Mapped[int | None] = mapped_column(Integer)
    public_welfare: Mapped[bool] = mapped_column(Boolean, default=False)
    workshop: Mapped[bool] = mapped_column(Boolean, default=False)
    supply_list_id: Mapped[str | None] = mapped_column(ForeignKey("supply_lists.id"))
    supply_list: Mapped[SupplyList | None] = relationship(lazy="joined")
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=PostingStatus.open)
    close_reason: Mapped[str | None] = mapped_column(String(20))
    posted_on: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PostingPlacement(Base):
    """An opening taken by a placement, counted once however often it is asked for or its event re-sent.

    Workers holds the opening before it records the placement; the placement's event confirms it. An opening held but
    never confirmed (the placement was not recorded after all) is given back after a while.
    """

    __tablename__ = "posting_placements"
    __table_args__ = (Index("ix_posting_placements_unconfirmed", "confirmed_at", "recorded_at"),)

    placement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    posting_id: Mapped[str] = mapped_column(ForeignKey("postings.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    worker_id: Mapped[str | None] = mapped_column(String(36))
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
