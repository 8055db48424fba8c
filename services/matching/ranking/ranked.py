"""One worker's ranked postings as arrays, best first: what the ranker passes between its steps and makes Items of."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ranked:
    """One worker's ranked postings as arrays, best first; what Items are made from."""

    rows: np.ndarray
    scores: np.ndarray
    rungs: np.ndarray  # 0 fitting, 1..3 the ladder rung
    distance: np.ndarray
    source: np.ndarray  # why a fitting row fits (relevance.py's codes); 0 for relaxed rows
    priority: np.ndarray
    fitting: int  # fitting postings that pass the hard constraints
    feasible: int | None  # postings that pass the hard constraints, when every posting was checked


def lead_order(rungs: np.ndarray, kinds: np.ndarray, tiers: np.ndarray, *, welfare: int, lead: int,
               preferred: np.ndarray | None = None) -> np.ndarray | None:
    """The order of a list in which at most `lead` leading public-welfare posts (`kinds == welfare` among the fitting,
    rung 0) come first, then what the worker asked for, then the other welfare posts, then its skills' posts, then
    the relaxed; None when the list already keeps it. Welfare posts marked `preferred` (of the trade the worker asked
    for) come before the other welfare posts; otherwise each group keeps its order."""
    fitting = rungs == 0
    leading = fitting & (kinds == welfare)
    if not leading.any():
        return None
    own = fitting & ~leading
    welfare_at = np.flatnonzero(leading)
    if preferred is not None:
        welfare_at = np.concatenate((welfare_at[preferred[welfare_at]], welfare_at[~preferred[welfare_at]]))
    if not own.any():
        lead = len(welfare_at)  # nothing of its own fits: every welfare post leads
    groups = (welfare_at[:lead], np.flatnonzero(own & (tiers > 0)), welfare_at[lead:], np.flatnonzero(own & (tiers <= 0)),
              np.flatnonzero(~fitting))
    order = np.concatenate(groups).astype(np.int64)
    return None if bool((order == np.arange(len(order))).all()) else order


def take(ranked: Ranked, positions: np.ndarray) -> Ranked:
    return Ranked(ranked.rows[positions], ranked.scores[positions], ranked.rungs[positions],
                  ranked.distance[positions], ranked.source[positions], ranked.priority[positions],
                  fitting=ranked.fitting, feasible=ranked.feasible)

