"""The audit log of reads of unmasked personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.workers.db import Base
from shared.db import BigId, UtcDateTime


class PersonalDataRead(Base):
    __tablename__ = "personal_data_reads"
    __table_args__ = (Index("ix_personal_data_reads_worker", "worker_id", "at"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    worker_id: Mapped[str] = mapped_column(String(36))
    fields: Mapped[list[str]] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(String(40))
