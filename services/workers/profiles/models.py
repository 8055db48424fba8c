"""The worker profile record: personal numbers are stored sealed, with keyed hashes for lookup."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.workers.db import Base
from shared.db import UtcDateTime


class WorkerStatus(StrEnum):
    seeking = "seeking"
    placed = "placed"


class WorkerProfile(Base):
    __tablename__ = "worker_profiles"
    __table_args__ = (
        Index("ix_worker_profiles_region", "home_region_code"),
        Index("ix_worker_profiles_last4", "id_last4"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    id_number_sealed: Mapped[str] = mapped_column(String(200))
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_last4: Mapped[str] = mapped_column(String(4))
    phone_sealed: Mapped[str] = mapped_column(String(200))
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    wechat_openid_sealed: Mapped[str | None] = mapped_column(String(300))
    birth_date: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(8))
    home_region_code: Mapped[str] = mapped_column(String(12))
    labor_capacity: Mapped[str] = mapped_column(String(10))
    education: Mapped[str | None] = mapped_column(String(12))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    certificates: Mapped[list[str]] = mapped_column(JSON, default=list)
    desired_occupations: Mapped[list[str]] = mapped_column(JSON, default=list)
    transfer_intention: Mapped[str] = mapped_column(String(12))
    expected_wage: Mapped[int | None] = mapped_column(Integer)
    wants_training: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_entrepreneurship: Mapped[bool] = mapped_column(Boolean, default=False)
    # Covered by the residents' basic pension insurance, as staff last checked; None: not recorded yet.
    pension_insured: Mapped[bool | None] = mapped_column(Boolean)
    consent_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_wechat: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_share: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=WorkerStatus.seeking)
    version: Mapped[int] = mapped_column(Integer, default=1)
    registered_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
