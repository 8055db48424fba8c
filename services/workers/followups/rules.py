"""Follow-up rules as pure functions: when visits fall due, which outcomes need the county, what counts as retained."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from shared.clock import add_months


class Outcome(StrEnum):
    employed = "employed"  # still in the job
    left = "left"  # left the job (the placement ends)
    wage_unpaid = "wage_unpaid"  # still there, but wages are owed
    rights_problem = "rights_problem"  # another breach of the labourer's rights


OUTCOME_ZH = {Outcome.employed: "仍在岗", Outcome.left: "已离职", Outcome.wage_unpaid: "工资拖欠",
              Outcome.rights_problem: "权益受损"}
# The outcomes the county must act on (维权): flagged to the county's staff until someone closes them.
FLAGGED = frozenset({Outcome.wage_unpaid, Outcome.rights_problem})
# Outcomes that mean the labourer is still in the job at that visit.
STILL_EMPLOYED = frozenset({Outcome.employed, Outcome.wage_unpaid, Outcome.rights_problem})
DUE_SOON_DAYS = 7  # a visit appears on the to-do list a week before it falls due


def due_dates(start: date, months: tuple[int, ...]) -> list[tuple[int, date]]:
    """Each visit of a placement that started on `start`: (months after the start, the date it falls due)."""
    return [(n, add_months(start, n)) for n in sorted(set(months))]


def parse_months(text: str) -> tuple[int, ...]:
    """"1,3,6" -> (1, 3, 6); each between 1 and 60."""
    months = tuple(sorted({int(part) for part in text.replace("，", ",").split(",") if part.strip()}))
    if not months or any(not 1 <= n <= 60 for n in months):
        raise ValueError(f"follow-up months must be whole numbers from 1 to 60, e.g. 1,3,6; got {text!r}")
    return months
