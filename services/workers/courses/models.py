"""A training course of the catalogue, and a worker's seat on it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.workers.db import Base
from shared.db import UtcDateTime


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (Index("ix_courses_region_start", "region_code", "start_on"),
                      Index("ix_courses_certificate_key", "certificate_key"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    occupation_code: Mapped[str] = mapped_column(String(12))
    provider: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(12))
    hours: Mapped[int] = mapped_column(Integer)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    seats: Mapped[int] = mapped_column(Integer)
    # Seats taken; raised only by a conditional UPDATE, so two enrolments can never take the last seat twice.
    taken: Mapped[int] = mapped_column(Integer, default=0)
    # Derived from the occupation (courses/rules.py HOUSEHOLD_SERVICE): the plan's age rule for women applies.
    household_service: Mapped[bool] = mapped_column(Boolean, default=False)
    certificate: Mapped[str | None] = mapped_column(String(80))
    # The certificate's name read as one key (courses/rules.py certificate_key), to find courses by certificate.
    certificate_key: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Enrolment(Base):
    __tablename__ = "course_enrolments"
    __table_args__ = (UniqueConstraint("course_id", "worker_id", name="uq_course_enrolments_course_worker"),
                      Index("ix_course_enrolments_worker", "worker_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("worker_profiles.id"))
    # Decided at enrolment by courses/rules.py: class hours (and the age rules, which refuse the seat otherwise).
    subsidised: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(10))  # None while enrolled; completed or dropped
    certificate_gained: Mapped[bool] = mapped_column(Boolean, default=False)
    # The training record a completion wrote (what the ledger's "trained" figure counts).
    training_record_id: Mapped[str | None] = mapped_column(String(36))
    enrolled_by: Mapped[str] = mapped_column(String(80))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome_by: Mapped[str | None] = mapped_column(String(80))
    outcome_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
