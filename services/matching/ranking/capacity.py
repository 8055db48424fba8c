"""The capacity step of a batch: spread offers so no posting is sent to far more workers than it can take.

The problem is a transportation problem (a min-cost flow): each worker w takes at most `limit` of the postings on
its own list (its ranked feasible postings, scores s_wp), each posting p at most cap_p = capacity_factor × openings
workers, maximising the total score — under a hard floor: every worker keeps min(guaranteed, fitting on its list)
fitting offers, and relaxed ones up to min(guaranteed, list length) (the plan's three), even where that needs a cap
exceeded.

How it is solved, in three phases over flat numpy arrays of (worker, posting, score) edges:
  1. the floor of fitting offers, 2. the floor of relaxed offers (only workers with fewer than three fitting),
  3. the optional rest up to `limit`, only where there is room;
each phase by **deferred acceptance** (Gale–Shapley, worker-proposing): every worker short of its need proposes to
its next best postings, each posting holds the best-scored proposals up to its remaining room and rejects the rest,
rejected workers propose further, until no one is short with postings left to try. Proposals are made in rounds, all
workers at once, so a round is a few numpy sorts (a batch of 100,000 workers takes a few dozen rounds).

Why this is the right answer and how close to the optimum it is:
- Both sides rank an edge by the same score (a worker's preference for a posting is the pair's score, and the
  posting's for a worker too). With such aligned preferences the stable assignment is unique and is exactly what a
  greedy over edges in descending score gives — no worker and posting would both rather be matched to each other
  than to what they got. The greedy is a ½-approximation of the maximum-weight b-matching in the worst case, and in
  practice within a few per cent of it: bench/evaluation.py compares it with the linear-programming optimum (HiGHS)
  of the same capped problem on a sample, and with the uncapped total.
- A cap is exceeded only in phase 1 or 2, only for a worker every one of whose listed postings of that kind is full
  of workers with higher scores, and only by as many offers as that worker lacks for its floor; the excess is counted
  (`over_cap`). Phase 3 never exceeds a cap.
scipy has no min-cost-flow solver, and `linprog`/`milp` over the 3 million edges of a 100,000-worker batch take
minutes; the flow's exact solution is not worth that when the greedy is this close (measured, not assumed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from services.matching.ranking.model import Item, RankingSettings, Recommendation, Shortfall


@dataclass(frozen=True)
class Allocation:
    """A batch's recommendations after the capacity step, and how many workers each posting was offered to."""

    recommendations: dict[str, Recommendation]
    offers_per_posting: dict[str, int]
    over_cap: dict[str, int] = field(default_factory=dict)  # postings offered beyond their cap, by how many


def caps_for(openings: np.ndarray, factor: float) -> np.ndarray:
    """How many workers each posting may be offered to: factor × openings, at least one."""
    return np.maximum(np.floor(openings.astype(np.float64) * factor), 1).astype(np.int64)


def assign(*, rows: Sequence[np.ndarray], scores: Sequence[np.ndarray], fitting: Sequence[np.ndarray],
           caps: np.ndarray, guaranteed: int, limit: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Positions kept from each worker's list, and each posting's load, after the capacity step.

    Each list is ordered best first with its fitting postings before its relaxed ones (as the ranker gives them).
    """
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] == 0:
        return [np.zeros(0, dtype=np.int64) for _ in rows], np.zeros(len(caps), dtype=np.int64)
    taken, load = assign_flat(offsets=offsets, post=np.concatenate(rows).astype(np.int64),
                              value=np.concatenate(scores).astype(np.float64),
                              fits=np.concatenate(fitting).astype(bool), caps=caps, guaranteed=guaranteed, limit=limit)
    return [np.flatnonzero(taken[s:e]) for s, e in zip(offsets[:-1].tolist(), offsets[1:].tolist())], load


def assign_flat(*, offsets: np.ndarray, post: np.ndarray, value: np.ndarray, fits: np.ndarray, caps: np.ndarray,
                guaranteed: int, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The same over flat arrays: worker w's list is [offsets[w], offsets[w+1]). Returns (taken mask, load)."""
    n_workers = len(offsets) - 1
    start, end = offsets[:-1], offsets[1:]
    lengths = end - start
    worker = np.repeat(np.arange(n_workers), lengths)
    n_fit = np.bincount(worker[fits], minlength=n_workers).astype(np.int64)
    fit_end = start + n_fit
    taken = np.zeros(len(post), dtype=bool)
    load = np.zeros(len(caps), dtype=np.int64)
    floor_fit = np.minimum(np.minimum(guaranteed, n_fit), limit)
    floor_all = np.minimum(np.minimum(guaranteed, lengths), limit)
    phases = (
        (start, fit_end, floor_fit, True),  # the floor of fitting offers
        (fit_end, end, np.maximum(floor_all - floor_fit, 0), True),  # the relaxed floor
        (start, fit_end, None, False),  # the optional rest
    )
    for lo, hi, need, floor in phases:
        if need is None:
            need = limit - np.bincount(worker[taken], minlength=n_workers)
        room = np.maximum(caps - load, 0)
        held = _defer(lo, hi, need, worker, post, value, room, taken)
        taken[held] = True
        load += np.bincount(post[held], minlength=len(caps))
        if floor:
            short = need - np.bincount(worker[held], minlength=n_workers)
            for w in np.flatnonzero(short > 0).tolist():
                # Every posting left on this worker's list is full of better-scored workers: the cap gives way.
                spare = [e for e in range(lo[w], hi[w]) if not taken[e]][: short[w]]
                taken[spare] = True
                np.add.at(load, post[spare], 1)
    return taken, load


def _defer(lo: np.ndarray, hi: np.ndarray, need: np.ndarray, worker: np.ndarray, post: np.ndarray,
           value: np.ndarray, room: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Worker-proposing deferred acceptance over edges [lo_w, hi_w) of each worker; the edges held at the end."""
    n_workers = len(lo)
    pointer = lo.copy()
    held = np.zeros(0, dtype=np.int64)
    held_count = np.zeros(n_workers, dtype=np.int64)
    touched = np.zeros(len(room), dtype=bool)
    while True:
        want = np.minimum(need - held_count, hi - pointer)
        active = np.flatnonzero(want > 0)
        if not len(active):
            return held
        k = want[active]
        offsets = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
        proposals = np.repeat(pointer[active], k) + offsets
        pointer[active] += k
        proposals = proposals[~taken[proposals] & (room[post[proposals]] > 0)]
        if not len(proposals):
            continue
        # Only postings that received proposals can change what they hold.
        touched[:] = False
        touched[post[proposals]] = True
        contested = touched[post[held]]
        contest = np.concatenate((held[contested], proposals))
        p = post[contest]
        order = np.lexsort((contest, -value[contest], p))
        contest, p = contest[order], p[order]
        rank = np.arange(len(p)) - np.searchsorted(p, p, side="left")
        winners = contest[rank < room[p]]
        held = np.concatenate((held[~contested], winners))
        held_count = np.bincount(worker[held], minlength=n_workers)


def allocate(feasible: Mapping[str, Sequence[Item]], openings: Mapping[str, int], *,
             settings: RankingSettings = RankingSettings(), limit: int = 10,
             shortfalls: Mapping[str, Shortfall | None] | None = None) -> Allocation:
    """The capacity step for a batch of feasible lists (Ranker.feasible), each best first, relaxed items last."""
    ids = list(dict.fromkeys(item.posting_id for items in feasible.values() for item in items))
    index = {posting_id: i for i, posting_id in enumerate(ids)}
    lists = [list(items) for items in feasible.values()]
    caps = caps_for(np.array([openings.get(pid, 0) for pid in ids], dtype=np.int64), settings.capacity_factor)
    kept, load = assign(
        rows=[np.array([index[i.posting_id] for i in items], dtype=np.int64) for items in lists],
        scores=[np.array([i.score for i in items], dtype=np.float64) for items in lists],
        fitting=[np.array([not i.relaxed for i in items], dtype=bool) for items in lists],
        caps=caps,
        guaranteed=settings.guaranteed,
        limit=limit,
    )
    recommendations: dict[str, Recommendation] = {}
    offers: Counter[str] = Counter()
    for (worker_id, _), items, positions in zip(feasible.items(), lists, kept):
        chosen = tuple(items[i] for i in positions.tolist())
        offers.update(item.posting_id for item in chosen)
        shortfall = (shortfalls or {}).get(worker_id)
        if shortfall is None and len(chosen) < settings.guaranteed:
            shortfall = Shortfall(len(chosen), f"符合条件的岗位仅有{len(chosen)}个" if chosen else "符合条件的岗位暂无")
        recommendations[worker_id] = Recommendation(worker_id, chosen, shortfall)
    over = {ids[p]: int(load[p] - caps[p]) for p in np.flatnonzero(load > caps)}
    return Allocation(recommendations=recommendations, offers_per_posting=dict(offers), over_cap=over)
