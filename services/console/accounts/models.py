"""A staff account of the console: who signs in, with which role and scope."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.console.db import Base
from shared.db import UtcDateTime


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))  # admin, station_staff, partner_office, county_bureau
    region: Mapped[str | None] = mapped_column(String(12))  # station staff and county bureau: an adcode prefix
    office_id: Mapped[str | None] = mapped_column(String(80))  # partner office
    phone: Mapped[str | None] = mapped_column(String(30))  # the station's telephone, printed on offer sheets
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_signins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
