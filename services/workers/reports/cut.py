"""Where a report's figures are cut: the instant records must be in by, the day the figures describe, and the month
whose late corrections they count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.workers.reports.months import Month
from shared.clock import Clock, local_today


@dataclass(frozen=True)
class Cut:
    month: Month
    recorded_by: datetime  # records made at or after this instant are not counted
    day: date  # the day the figures describe: who was in work, of what age, on that day

    @property
    def year_start(self) -> date:
        return date(self.day.year, 1, 1)

    @classmethod
    def month_end(cls, month: Month) -> Cut:
        """The figures of a month that is over, as they stood at its end."""
        return cls(month=month, recorded_by=month.ends, day=month.last_day)

    @classmethod
    def now(cls, clock: Clock) -> Cut:
        """The figures of the current month so far: every record made by now (none is made after now, so the
        month's end serves as the cut, and a record made this very instant counts)."""
        today = local_today(clock)
        month = Month.of(today)
        return cls(month=month, recorded_by=month.ends, day=today)
