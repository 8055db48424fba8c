"""Statutory monthly minimum wages by place and date: the floor below which a posting is not a fitting offer."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class MinimumWage:
    """One published floor: in force in every place whose adcode starts with region_code, from effective_from on."""

    region_code: str
    effective_from: date
    monthly_cny: int
    hourly_cny: float | None
    tier: str
    basis: str
    source_url: str


@cache
def _table() -> tuple[MinimumWage, ...]:
    # Every Traversable passes newline on to its file; typeshed lists only encoding and errors.
    with (resources.files(__package__) / "data" / "minimum_wages.csv").open(encoding="utf-8", newline="") as f:  # type: ignore[call-overload]
        return tuple(
            MinimumWage(
                region_code=row["region_code"],
                effective_from=date.fromisoformat(row["effective_from"]),
                monthly_cny=int(row["monthly_cny"]),
                hourly_cny=float(row["hourly_cny"]) if row["hourly_cny"] else None,
                tier=row["tier"],
                basis=row["basis"],
                source_url=row["source_url"],
            )
            for row in csv.DictReader(f)
        )


def _significant_prefix(code: str) -> str:
    """Drop the zero padding of a province or prefecture adcode: 110000 -> 11, 152200 -> 1522."""
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def _in_force(region_code: str, on: date) -> MinimumWage | None:
    figures = [w for w in _table() if w.region_code == region_code and w.effective_from <= on]
    return max(figures, key=lambda w: w.effective_from, default=None)


def minimum_wage(region_code: str, on: date) -> MinimumWage | None:
    """Return the minimum wage in force at a place on a date, or None when no figure is known.

    The figure of the longest table prefix of the code applies, so a township inherits its county's and a Beijing
    district inherits Beijing's. A prefecture without a figure of its own whose counties have figures (152200, the
    League as a whole) gets the lowest of its counties' floors in force: a League-wide post may be filled in any of
    them, and the lowest local floor is the only one every such post must meet. Callers that know the exact place
    of work should pass that place instead.
    """
    if not region_code.isdigit():
        return None
    prefix = _significant_prefix(region_code)
    table_codes = {w.region_code for w in _table()}
    enclosing = [code for code in table_codes if prefix.startswith(code)]
    if enclosing:
        return _in_force(max(enclosing, key=len), on)
    if len(prefix) != 4:
        # Only a prefecture is aggregated: a province-wide "lowest floor" from the few counties we hold would be
        # a guess about places we have no figures for.
        return None
    figures = [_in_force(code, on) for code in sorted(table_codes) if code.startswith(prefix)]
    return min((w for w in figures if w is not None), key=lambda w: w.monthly_cny, default=None)
