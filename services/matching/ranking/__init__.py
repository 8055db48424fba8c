"""The ranker: pure code (no I/O, no clock) that turns open postings and one worker, or a batch, into offers.

`Ranker(postings, today=…)` builds the index once; `recommend`, `feasible`, `rank_workers` and `recommend_many` answer
from it; `allocate` is the capacity step over feasible lists. See ranker.py for the ladder, relevance.py for what
"fitting" means, capacity.py for the capacity step.
"""

from services.matching.ranking.capacity import Allocation, allocate
from services.matching.ranking.model import (
    Candidate,
    Item,
    PostingView,
    RankingSettings,
    Recommendation,
    Shortfall,
    WorkerView,
)
from services.matching.ranking.ranker import Ranker

__all__ = [
    "Allocation",
    "Candidate",
    "Item",
    "PostingView",
    "RankingSettings",
    "Ranker",
    "Recommendation",
    "Shortfall",
    "WorkerView",
    "allocate",
]
