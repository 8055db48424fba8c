"""A job fair, the employers and postings taking part, and the labourers invited or come to it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.jobs.db import Base
from shared.db import UtcDateTime


class JobFair(Base):
    __tablename__ = "job_fairs"
    __table_args__ = (Index("ix_job_fairs_county_held_on", "county_code", "held_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(60))
    held_on: Mapped[date] = mapped_column(Date)
    start_time: Mapped[str] = mapped_column(String(5))  # "09:00", local time
    region_code: Mapped[str] = mapped_column(String(12))  # the place: a county, a township or a Beijing district
    # The county that holds it (its first six digits): the ledger counts the fair for this county.
    county_code: Mapped[str] = mapped_column(String(6))
    venue: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)  # grows with each change (the events' version)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FairEmployer(Base):
    __tablename__ = "job_fair_employers"

    fair_id: Mapped[str] = mapped_column(ForeignKey("job_fairs.id"), primary_key=True)
    employer_id: Mapped[str] = mapped_column(ForeignKey("employers.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FairPosting(Base):
    __tablename__ = "job_fair_postings"

    fair_id: Mapped[str] = mapped_column(ForeignKey("job_fairs.id"), primary_key=True)
    posting_id: Mapped[str] = mapped_column(ForeignKey("postings.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FairAttendee(Base):
    """A labourer invited to a fair, or come without an invitation (walk-in); what came of it.

    Only the worker id is kept: the profile is the workers service's."""

    __tablename__ = "job_fair_attendees"

    fair_id: Mapped[str] = mapped_column(ForeignKey("job_fairs.id"), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    invited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    invited_by: Mapped[str | None] = mapped_column(String(80))
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(12))  # intention, hired
    outcome_posting_id: Mapped[str | None] = mapped_column(String(36))
    recorded_by: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
