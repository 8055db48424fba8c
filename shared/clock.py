"""The one place for time: a clock that services take as a parameter, so tests can set the date."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, time-zone aware (UTC)."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stays where a test puts it."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)


def local_today(clock: Clock) -> date:
    """Today's date where the users are (validity dates and minimum wages follow the local calendar)."""
    return clock.now().astimezone(LOCAL_ZONE).date()


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day (31 Jan + 1 = 28/29 Feb)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
