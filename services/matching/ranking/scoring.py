"""The soft score of a posting for a worker, in [0, 1]: relevance, place, wage, and the priorities of the plan.

score = 0.40·relevance + 0.15·place + 0.15·wage + 0.30·priority − 0.10·heavy work for limited capacity
- place: inside the half-hour circle 1.0 at home down to 0.5 at its edge; elsewhere in the League 0.45 down to 0.2 at
  300 km; farther (Beijing) 0.2 — and far from home, meals and lodging count for a lot (+0.35 for 包吃住).
- wage: the middle of the posted range against the worker's expectation, 0 at 70 % of it, 0.5 at par, 1 at 130 %.
- priority (docs/domain.md, rules 3 and 4): 1 for a public-welfare post near home to a worker who cannot leave home,
  and for an employment workshop inside the circle to a `near_home` worker whose job it fits. Its weight equals the
  place and wage weights together, so such posts come first among fitting ones, as the plan asks.
Fitting items always come before relaxed ones whatever their scores (the ranker sorts by rung first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.matching.ranking.model import PostingView
from shared.reference.regions import in_league

W_RELEVANCE, W_PLACE, W_WAGE, W_PRIORITY, W_HEAVY = 0.40, 0.15, 0.15, 0.30, 0.10
FAR_LEAGUE_KM = 300.0
# Middle and small groups of work too heavy for a worker of partial or weak capacity: building sites, mines,
# loading and carrying.
HEAVY_GROUPS = ("6-29", "6-16", "4-02-05")


@dataclass(frozen=True)
class SoftFeatures:
    """Arrays of what the soft score reads, one entry per offered posting."""

    wage_min: np.ndarray
    wage_max: np.ndarray
    wage_mid: np.ndarray
    far_bonus: np.ndarray  # what meals and lodging add to the place score of a far posting
    near_bonus: np.ndarray
    in_league: np.ndarray
    welfare: np.ndarray
    workshop: np.ndarray
    heavy: np.ndarray
    employer: np.ndarray  # employer as a small integer, for diversity

    @classmethod
    def build(cls, postings: list[PostingView], small_codes: list[str | None]) -> SoftFeatures:
        meals = np.array([p.meals for p in postings], dtype=bool)
        lodging = np.array([p.lodging for p in postings], dtype=bool)
        employers: dict[str, int] = {}
        wage_min = np.array([p.wage_min for p in postings], dtype=np.float32)
        wage_max = np.array([max(p.wage_max, p.wage_min) for p in postings], dtype=np.float32)
        welfare = np.array([p.public_welfare for p in postings], dtype=bool)
        return cls(
            wage_min=wage_min,
            wage_max=wage_max,
            wage_mid=(wage_min + wage_max) / 2,
            far_bonus=np.where(meals & lodging, 0.35, np.where(lodging, 0.2, np.where(meals, 0.1, 0.0)))
            .astype(np.float32),
            near_bonus=np.where(meals, 0.05, 0.0).astype(np.float32),
            in_league=np.array([in_league(p.region_code) for p in postings], dtype=bool),
            welfare=welfare,
            workshop=np.array([p.workshop for p in postings], dtype=bool),
            # Public-welfare posts are made for those who can do little else, whatever their group.
            # (bool(code) rules out None, which mypy does not follow.)
            heavy=np.array([bool(code) and code.startswith(HEAVY_GROUPS) for code in small_codes], dtype=bool)  # type: ignore[type-var, union-attr]
            & ~welfare,
            employer=np.array([employers.setdefault(p.employer_id, len(employers)) for p in postings],
                              dtype=np.int32),
        )


def place_score(soft: SoftFeatures, distance: np.ndarray, near_home_km: float) -> np.ndarray:
    """The place score of every posting seen from one township (distance: to every posting)."""
    near = distance <= near_home_km
    far = np.where(soft.in_league, 0.45 - 0.25 * np.minimum(distance, FAR_LEAGUE_KM) / FAR_LEAGUE_KM, 0.2)
    place = np.where(near, 1.0 - 0.5 * distance / near_home_km + soft.near_bonus, far + soft.far_bonus)
    return np.minimum(place, 1.0).astype(np.float32)


def base_score(relevance: np.ndarray, place: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """The part of the score that does not depend on the worker's own wage or capacity."""
    return (W_RELEVANCE * relevance + W_PLACE * place + W_PRIORITY * priority).astype(np.float32)


# The wage term's constants as float32 scalars, made once: the term is worked out for every lane and worker.
_WAGE_FLOOR, _WAGE_SPAN, _WAGE_SCALE = np.float32(0.7), np.float32(0.6), np.float32(W_WAGE / 0.6)
_ZERO = np.float32(0.0)
NO_EXPECTATION = np.float32(W_WAGE * 0.5)  # the wage term of a worker who named no expectation: half marks


def wage_term(wage_mid: np.ndarray, inverse_expected: np.float32 | np.ndarray) -> np.ndarray:
    """W_WAGE · clip((wage / expected − 0.7) / 0.6, 0, 1), in float32; one formula for every path (worked out in
    place on the one new array: the same operations in the same order, so the same values)."""
    term = wage_mid * inverse_expected
    term -= _WAGE_FLOOR
    np.maximum(term, _ZERO, out=term)
    np.minimum(term, _WAGE_SPAN, out=term)
    term *= _WAGE_SCALE
    return term


def own_terms(wage_mid: np.ndarray, inverse_expected: np.float32 | np.ndarray) -> np.ndarray:
    """The worker's own part of the score: the wage against its expectation, half marks when it named none.

    `inverse_expected` is 1 / expectation as float32 (0 when unknown): one worker's, or one per pair in the batch.
    """
    if np.ndim(inverse_expected) == 0:
        if inverse_expected > 0:
            return wage_term(wage_mid, inverse_expected)
        return np.full(len(wage_mid), NO_EXPECTATION, dtype=np.float32)
    return np.where(inverse_expected > 0, wage_term(wage_mid, inverse_expected), NO_EXPECTATION).astype(np.float32)


def score(soft: SoftFeatures, rows: np.ndarray, relevance: np.ndarray, place: np.ndarray, *,
          priority: np.ndarray | None, expected: int | None, limited_capacity: bool) -> np.ndarray:
    """The score of each row for one worker; `place` is already that of the rows."""
    total = W_RELEVANCE * relevance + W_PLACE * place
    if expected and expected > 0:
        total += W_WAGE * np.clip(soft.wage_mid[rows] * (1.0 / expected) - 0.7, 0.0, 0.6) * (1 / 0.6)
    else:
        total += W_WAGE * 0.5
    if priority is not None:
        total += W_PRIORITY * priority
    if limited_capacity:
        total -= W_HEAVY * soft.heavy[rows]
    return np.clip(total, 0.0, 1.0).astype(np.float32)
