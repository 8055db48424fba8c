"""Calendar months of the report, in the users' time zone: a month runs from local midnight on its first day to
local midnight on the first day of the next."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from shared.clock import LOCAL_ZONE

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The plan's first year: no report reaches back before it.
FIRST_MONTH = "2018-01"


def month_start(day: date) -> date:
    """The first day of the day's month."""
    return day.replace(day=1)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = MONTH.match(text)
        if match is None:
            raise ValueError(f"not a month: {text!r} (YYYY-MM)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Month:
        return Month(self.year + (self.number == 12), self.number % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.number == 1), (self.number - 2) % 12 + 1)

    @property
    def begins(self) -> datetime:
        """The instant the month begins (UTC)."""
        return _local_midnight(self.first_day)

    @property
    def ends(self) -> datetime:
        """The instant the month is over (UTC): the next month's beginning."""
        return self.next().begins


def months_from(first: Month, last: Month) -> list[Month]:
    """first, the month after it, ..., last (none when first comes after last)."""
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = month.next()
    return months


# How far back the timer looks for months missed while the service was down.
CATCH_UP_MONTHS = 12


def months_due(last_over: Month, frozen: set[Month], *, reach: int = CATCH_UP_MONTHS) -> list[Month]:
    """The months the timer freezes: the month just ended (`last_over`) and, before it, those not frozen yet, back to
    the earliest month frozen so far and no more than `reach` months in all. A first start freezes only the month
    just ended: the months before it are frozen, as ever, when their reports are first read."""
    if last_over < Month.parse(FIRST_MONTH):
        return []
    earliest = max(min(frozen, default=last_over), Month.parse(FIRST_MONTH))
    start = last_over
    for _ in range(reach - 1):
        if start <= earliest:
            break
        start = start.previous()
    return [month for month in months_from(start, last_over) if month not in frozen]


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_ZONE).astimezone(timezone.utc)


def birth_bounds(day: date, *, youngest: int, oldest: int) -> tuple[date, date]:
    """Birth dates (earliest exclusive, latest inclusive) of people aged youngest..oldest on `day`.

    Aged at least `youngest`: born on or before `day` minus that many years. At most `oldest`: not yet oldest + 1,
    so born after `day` minus oldest + 1 years. One born on 29 February comes of age on 1 March in other years.
    """
    return _years_before(day, oldest + 1), _years_before(day, youngest)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none: the birthday counts on 28 February's next day
        return date(day.year - years, 2, 28)
