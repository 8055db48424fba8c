"""Phrases staff taught the platform, and every change to them (who, when, from what to what)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db import Base
from shared.db import UtcDateTime


class TaughtPhrase(Base):
    __tablename__ = "vocabulary_phrases"

    phrase: Mapped[str] = mapped_column(String(64), primary_key=True)  # as shared.reference.occupations.normalise
    occupation_code: Mapped[str] = mapped_column(String(12))  # a small group (4-10-04) or a detailed one (4-10-04-01)
    taught_by: Mapped[str] = mapped_column(String(80))
    taught_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PhraseChange(Base):
    __tablename__ = "vocabulary_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phrase: Mapped[str] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(String(12))  # None: newly taught
    after: Mapped[str | None] = mapped_column(String(12))  # None: forgotten
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
