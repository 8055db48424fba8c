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


def take(ranked: Ranked, positions: np.ndarray) -> Ranked:
    return Ranked(ranked.rows[positions], ranked.scores[positions], ranked.rungs[positions],
                  ranked.distance[positions], ranked.source[positions], ranked.priority[positions],
                  fitting=ranked.fitting, feasible=ranked.feasible)

