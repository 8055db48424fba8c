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


def lead_order(rungs: np.ndarray, kinds: np.ndarray, tiers: np.ndarray, *, welfare: int, lead: int
               ) -> np.ndarray | None:
    """The order of a list in which at most `lead` leading public-welfare posts (`kinds == welfare` among the fitting,
    rung 0) come first, then what the worker asked for, then the other welfare posts, then its skills' posts, then
    the relaxed; None when the list already keeps it (no welfare post beyond `lead` before a fitting post of the
    worker's own). Each group keeps its order."""
    fitting = rungs == 0
    leading = fitting & (kinds == welfare)
    own = fitting & ~leading
    if leading.sum() <= lead or not own.any():
        return None
    first_own = int(np.flatnonzero(own)[0])
    if leading[:first_own].sum() <= lead:
        return None
    welfare_at = np.flatnonzero(leading)
    groups = (welfare_at[:lead], np.flatnonzero(own & (tiers > 0)), welfare_at[lead:], np.flatnonzero(own & (tiers <= 0)),
              np.flatnonzero(~fitting))
    return np.concatenate(groups).astype(np.int64)


def take(ranked: Ranked, positions: np.ndarray) -> Ranked:
    return Ranked(ranked.rows[positions], ranked.scores[positions], ranked.rungs[positions],
                  ranked.distance[positions], ranked.source[positions], ranked.priority[positions],
                  fitting=ranked.fitting, feasible=ranked.feasible)

