"""Job-fair rules as pure functions: where a fair may be held and which county holds it, when invitations and
attendance may be recorded, and whether a county held its two fairs in a year."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from shared.reference.regions import LEAGUE_CODE, county_of, get_region, in_beijing, in_league, regions_under

REQUIRED_A_YEAR = 2  # the cooperation holds at least two on-site job fairs a year
PLANNED_AHEAD = timedelta(days=366)  # a fair may be entered up to a year before it is held
ENTERED_LATE_YEARS = 1  # ... and a fair held last year may still be entered, for the ledger


class Outcome(StrEnum):
    intention = "intention"  # the labourer and an employer agreed to go on (达成意向)
    hired = "hired"  # taken on at the fair


OUTCOME_ZH = {Outcome.intention: "达成意向", Outcome.hired: "当场录用"}


def organiser_county(region_code: str) -> str | None:
    """The county that holds a fair at this place: a League county or township's county, or a Beijing district.
    None for a place where no fair of the cooperation is held (unknown, the League or Beijing as a whole)."""
    region = get_region(region_code)
    if region is None:
        return None
    if in_league(region_code) and region.level in ("county", "township"):
        county = county_of(region_code)
        return county.code if county else None
    if in_beijing(region_code) and region.level == "county":
        return region.code
    return None


def date_problem(held_on: date, *, today: date) -> str | None:
    """Why a fair cannot be entered for this day (Chinese, for the clerk), or None."""
    if held_on.year < today.year - ENTERED_LATE_YEARS:
        return f"只能登记{today.year - ENTERED_LATE_YEARS}年以后的招聘会"
    if held_on > today + PLANNED_AHEAD:
        return "只能登记一年以内的招聘会"
    return None


def held(held_on: date, *, today: date) -> bool:
    """A fair counts as held once its day has come: the ledger counts fairs, not how many came to them."""
    return held_on <= today


def invitations_open(held_on: date, *, today: date) -> bool:
    """Labourers are invited up to the day of the fair itself."""
    return held_on >= today


def attendance_open(held_on: date, *, today: date) -> bool:
    """Who came, and what came of it, is recorded from the day of the fair on."""
    return held_on <= today


@dataclass(frozen=True)
class FairDay:
    """What the ledger needs of one fair."""

    id: str
    county_code: str
    held_on: date


@dataclass(frozen=True)
class CountyYear:
    county_code: str
    held: list[FairDay]
    planned: list[FairDay]  # later in the year, not yet held

    @property
    def count(self) -> int:
        return len(self.held)

    @property
    def met(self) -> bool:
        return self.count >= REQUIRED_A_YEAR


def league_counties() -> list[str]:
    """The League's county-level units, in code order."""
    return [r.code for r in regions_under(LEAGUE_CODE[:4]) if r.level == "county"]


def yearly(counties: Sequence[str], fairs: Iterable[FairDay], *, year: int, today: date) -> list[CountyYear]:
    """For each county, the fairs it held in `year` up to today (met: two or more), and those still to come."""
    rows = {code: CountyYear(code, [], []) for code in counties}
    for fair in sorted(fairs, key=lambda f: (f.held_on, f.id)):
        row = rows.get(fair.county_code)
        if row is None or fair.held_on.year != year:
            continue
        (row.held if held(fair.held_on, today=today) else row.planned).append(fair)
    return [rows[code] for code in counties]
