"""Occupations of GB/T 6565-2015 (职业分类大典): the groups by code, and how a written job title is cleaned.

Reading free text as an occupation is shared.reference.vocabulary's work.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

# Parenthesised notes such as （住家）, (长期) or 【急】 qualify a job but never name it.
_PARENTHESISED = re.compile(r"[（(【\[〔<《][^）)】\]〕>》]*[）)】\]〕>》]")
# Recruiting decorations around a job title; longer ones first so 包吃住 goes before 包吃.
_DECORATIONS = re.compile(
    r"急招|急聘|诚聘|高薪|直招|招聘|聘请|长期|短期|包吃住|包吃|包住|若干|\d+\s*(?:名|人|位)"
)
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Occupation:
    """A group of the classification; code is the 大典 style ("4-10-01"), gbt_code the 5-digit one ("41001")."""

    code: str
    gbt_code: str
    name: str
    level: Literal["major", "middle", "small"]
    major_code: str
    major_name: str
    middle_code: str | None
    middle_name: str | None


def data_rows(filename: str) -> list[dict[str, str]]:
    """The rows of a CSV file of the reference data, as dicts by header."""
    # Every Traversable passes newline on to its file; typeshed lists only encoding and errors.
    with (resources.files(__package__) / "data" / filename).open(encoding="utf-8", newline="") as handle:  # type: ignore[call-overload]
        return list(csv.DictReader(handle))


@cache
def _occupations() -> dict[str, Occupation]:
    """Every group, under both its 大典 code and its 5-digit code."""
    by_code: dict[str, Occupation] = {}
    for row in data_rows("occupation_gbt6565_2015_groups.csv"):
        occupation = Occupation(
            code=row["dadian_code"],
            gbt_code=row["gbt_code"],
            name=row["name"],
            level=row["level"],  # type: ignore[arg-type]  # the file holds only the three levels
            major_code=row["major_code"],
            major_name=row["major_name"],
            middle_code=row["middle_code"] or None,
            middle_name=row["middle_name"] or None,
        )
        by_code[occupation.code] = by_code[occupation.gbt_code] = occupation
    return by_code


@cache
def small_groups() -> tuple[Occupation, ...]:
    """Every small group, in the classification's order."""
    return tuple(dict.fromkeys(o for o in _occupations().values() if o.level == "small"))


def normalise(text: str) -> str:
    """Reduce a job title to the words naming the job: no bracketed notes, recruiting decorations or punctuation."""
    text = _PARENTHESISED.sub("", text)
    text = _DECORATIONS.sub("", text)
    return _NOT_WORD.sub("", text).lower()


def get_occupation(code: str) -> Occupation | None:
    """Return the group with this 大典 code ("6-18-02") or 5-digit code ("61802"), or None."""
    return _occupations().get(code.strip())


@dataclass(frozen=True)
class DetailedOccupation:
    """An occupation of the 2022 大典 below a small group: code "4-10-01-06", its small group "4-10-01"."""

    code: str
    name: str
    small_code: str


@cache
def _detailed() -> dict[str, DetailedOccupation]:
    return {row["code"]: DetailedOccupation(code=row["code"], name=row["name"], small_code=row["small_code"])
            for row in data_rows("occupation_detailed_2022.csv")}


def get_detailed_occupation(code: str) -> DetailedOccupation | None:
    """Return the detailed occupation with this code ("4-10-01-06"), or None."""
    return _detailed().get(code.strip())


