"""Occupations of GB/T 6565-2015 (职业分类大典) and the words staff and employers use for common jobs."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Literal

from rapidfuzz import fuzz, process

# WRatio scores a one-character slip at 75 in a four-character word and 80 in a five-character one, but 67 in a
# three-character word, where it may as well be another job (保结员: 保洁员 or 保安员?). Text sharing only a fragment
# with a choice stays below 70 (量子计算机 ~ 计算机和办公设备维修人员: 68), Latin nonsense near 0. 75 keeps the slips in
# longer words and drops the fragments: a wrong job pushed to a worker costs more than a missed one.
FUZZY_CUTOFF = 75.0
# Enough best-scored choices to see whether the best score is shared by different jobs.
FUZZY_TIES_EXAMINED = 10
# A synonym found inside longer text ("高级电焊工") is certain about the job; the rest is a qualifier.
CONTAINED_SCORE = 90.0

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


@dataclass(frozen=True)
class OccupationMatch:
    """How a free-text job title was read: the group, the canonical job name, and how sure the reading is."""

    occupation: Occupation
    job: str
    score: float
    via: Literal["synonym", "name", "fuzzy"]


def _read(filename: str) -> list[dict[str, str]]:
    # Every Traversable passes newline on to its file; typeshed lists only encoding and errors.
    with (resources.files(__package__) / "data" / filename).open(encoding="utf-8", newline="") as handle:  # type: ignore[call-overload]
        return list(csv.DictReader(handle))


@cache
def _occupations() -> dict[str, Occupation]:
    """Every group, under both its 大典 code and its 5-digit code."""
    by_code: dict[str, Occupation] = {}
    for row in _read("occupation_gbt6565_2015_groups.csv"):
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
def _small_groups_by_name() -> dict[str, Occupation]:
    return {o.name: o for o in _occupations().values() if o.level == "small"}


@cache
def _synonyms() -> dict[str, tuple[str, str]]:
    """term -> (canonical job, 大典 code); every canonical job is also a term of itself."""
    synonyms: dict[str, tuple[str, str]] = {}
    for row in _read("occupation_synonyms.csv"):
        synonyms[row["term"]] = (row["job"], row["occupation_code"])
        synonyms.setdefault(row["job"], (row["job"], row["occupation_code"]))
    return synonyms


@cache
def _terms_by_job() -> dict[str, frozenset[str]]:
    terms: defaultdict[str, set[str]] = defaultdict(set)
    for term, (job, _) in _synonyms().items():
        terms[job].add(term)
    return {job: frozenset(found) for job, found in terms.items()}


@cache
def _fuzzy_choices() -> tuple[str, ...]:
    return tuple(_synonyms()) + tuple(_small_groups_by_name())


def normalise(text: str) -> str:
    """Reduce a job title to the words naming the job: no bracketed notes, recruiting decorations or punctuation."""
    text = _PARENTHESISED.sub("", text)
    text = _DECORATIONS.sub("", text)
    return _NOT_WORD.sub("", text).lower()


def get_occupation(code: str) -> Occupation | None:
    """Return the group with this 大典 code ("6-18-02") or 5-digit code ("61802"), or None."""
    return _occupations().get(code.strip())


def _by_synonym(term: str, score: float) -> OccupationMatch:
    job, code = _synonyms()[term]
    return OccupationMatch(occupation=_occupations()[code], job=job, score=score, via="synonym")


def _longest_contained_term(text: str) -> str | None:
    # Longest first so "住家保姆" wins over "保姆"; then the earliest, so ties are settled the way a reader would.
    found = [term for term in _synonyms() if term in text]
    return min(found, key=lambda term: (-len(term), text.index(term)), default=None)


def lookup_occupation(text: str) -> OccupationMatch | None:
    """Read a free-text job title as a canonical job and its small group, or None when nothing fits.

    Exact readings come first (a synonym, then a small-group name), then the longest synonym inside the text,
    then a fuzzy match over synonyms and small-group names.
    """
    cleaned = normalise(text)
    if not cleaned:
        return None
    if cleaned in _synonyms():
        return _by_synonym(cleaned, 100.0)
    if (group := _small_groups_by_name().get(cleaned)) is not None:
        return OccupationMatch(occupation=group, job=group.name, score=100.0, via="name")
    if (term := _longest_contained_term(cleaned)) is not None:
        return _by_synonym(term, CONTAINED_SCORE)
    return _fuzzy(cleaned)


def _fuzzy(cleaned: str) -> OccupationMatch | None:
    candidates = process.extract(
        cleaned, _fuzzy_choices(), scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF, limit=FUZZY_TIES_EXAMINED
    )
    if not candidates:
        return None
    readings = {_fuzzy_reading(choice, score) for choice, score, _ in candidates if score == candidates[0][1]}
    # A fragment such as "护理" fits 母婴护理 and 养老护理员 equally; guessing between jobs would mislead.
    return readings.pop() if len(readings) == 1 else None


def _fuzzy_reading(choice: str, score: float) -> OccupationMatch:
    if choice in _synonyms():
        return replace(_by_synonym(choice, score), via="fuzzy")
    group = _small_groups_by_name()[choice]
    return OccupationMatch(occupation=group, job=group.name, score=score, via="fuzzy")


def canonical_job(text: str) -> str | None:
    """Return the canonical job a free-text title names, or None."""
    match = lookup_occupation(text)
    return match.job if match is not None else None


def terms_for(job: str) -> frozenset[str]:
    """Return every word used for a canonical job, the job included (just the job when it has no synonyms)."""
    return _terms_by_job().get(job, frozenset({job}))


def common_jobs() -> list[str]:
    """Return the canonical jobs of the synonym table, in the table's order."""
    return list(dict.fromkeys(job for job, _ in _synonyms().values()))
