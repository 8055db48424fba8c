"""The batch path: thousands of workers ranked at once over flat arrays of (worker, posting) pairs.

One worker at a time costs a few dozen numpy calls of a few microseconds each, whatever the sizes; a batch of
100,000 cannot afford that. Here every worker's lane heads (lanes.py) are laid end to end, the hard constraints and
the worker's own score terms are computed for all pairs in a handful of array operations, and one sort gives every
worker its best. The answer is the same as Ranker.rank's (the same formulas, order and bound; a test holds them
equal): a worker whose bound the heads do not meet (a lane may still hide a better posting), or who needs the
relaxation ladder, is finished by the one-worker path.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from services.matching.ranking.lanes import inverse_wage, order_key
from services.matching.ranking.ranked import Ranked
from services.matching.ranking.scoring import own_terms
from services.matching.ranking.seekers import Seeker

# Lane heads a worker is given in the batch; the one-worker path takes over where they are not enough.
BATCH_LOOK = 32
# Workers ranked together: bounds the memory of the pair arrays (about 60 bytes a pair, ~150 pairs a worker).
CHUNK = 20_000


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a batch runs (a context, or a decorator).

    A batch of 100,000 workers makes about a million small objects (offers and their reasons) that form no
    reference cycles; each counts toward the collector's next pass, and its full passes walk every live object, the
    ranker's indexes included: a quarter of the batch's time, measured. Reference counting still frees whatever the
    batch drops; the collector is on again afterwards, as it was before.
    """
    was_on, settled = gc.isenabled(), gc.get_freeze_count() > 0
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            # What the batch made and keeps (its answer) goes out of the young generations as it is: re-enabled
            # with a million young objects, the collector's next young pass would walk them all at once (0.7 s).
            # In a process that settled its heap (shared.heap) it joins what is frozen (it holds no reference
            # cycles, so reference counting frees it when dropped): unfreezing would hand the whole settled heap
            # back to the collector's full passes. Elsewhere it goes to the oldest generation.
            gc.freeze()
            if not settled:
                gc.unfreeze()
            gc.enable()


@dataclass(frozen=True)
class Lists:
    """Every worker's ranked list, flat: worker w's is [offsets[w], offsets[w + 1]), fitting first, best first."""

    offsets: np.ndarray
    rows: np.ndarray
    scores: np.ndarray  # with the tier of fit of fitting items (relevance.TIER_STEP apart)
    rungs: np.ndarray
    codes: np.ndarray
    fitting: np.ndarray  # fitting postings found per worker (exact when below the list depth)


def rank_many(ranker, seekers: list[Seeker], *, keep: int, fill_to: list[int]) -> Lists:
    """Every seeker's best `keep` fitting postings, with relaxed ones up to its `fill_to` where too few fit."""
    parts = [_rank_chunk(ranker, seekers[i:i + CHUNK], keep=keep, fill_to=fill_to[i:i + CHUNK])
             for i in range(0, len(seekers), CHUNK)]
    if not parts:
        empty = np.zeros(0, dtype=np.int32)
        return Lists(np.zeros(1, dtype=np.int64), empty, np.zeros(0, np.float32), np.zeros(0, np.int8), empty,
                     np.zeros(0, dtype=np.int64))
    offsets = [parts[0].offsets]
    for part in parts[1:]:
        offsets.append(part.offsets[1:] + offsets[-1][-1])
    return Lists(
        offsets=np.concatenate(offsets),
        rows=np.concatenate([p.rows for p in parts]),
        scores=np.concatenate([p.scores for p in parts]),
        rungs=np.concatenate([p.rungs for p in parts]),
        codes=np.concatenate([p.codes for p in parts]),
        fitting=np.concatenate([p.fitting for p in parts]),
    )


def _rank_chunk(ranker, seekers: list[Seeker], *, keep: int, fill_to: list[int]) -> Lists:
    n_workers = len(seekers)
    helds = []
    head_rows, head_base, head_wage, lane_code, lane_count = [], [], [], [], []
    lane_worker, lane_bound = [], []
    pairs_per_worker = np.zeros(n_workers, dtype=np.int64)
    inverses = np.zeros(n_workers, dtype=np.float32)
    look = max(keep, BATCH_LOOK)
    for w, seeker in enumerate(seekers):
        profile = ranker.relevance.profile(seeker.desired, seeker.skills)
        held = ranker.hard.held_mask(seeker)
        helds.append(held)
        inverse = inverses[w] = inverse_wage(seeker.worker.expected_wage)
        total = 0
        for lane, code in ranker.lanes.of(seeker, profile, ranker.lanes.origin(seeker), held):
            n = min(look, len(lane.rows))
            head_rows.append(lane.rows[:n])
            head_base.append(lane.base[:n])
            head_wage.append(lane.wage[:n])
            lane_code.append(code)
            lane_count.append(n)
            total += n
            if n < len(lane.rows):
                lane_worker.append(w)
                lane_bound.append(lane.bound(n, inverse))
        pairs_per_worker[w] = total
    if head_rows:
        rows = np.concatenate(head_rows).astype(np.int64)
        base, wage = np.concatenate(head_base), np.concatenate(head_wage)
    else:
        rows, base, wage = np.zeros(0, dtype=np.int64), np.zeros(0, np.float32), np.zeros(0, np.float32)
    codes = np.repeat(np.array(lane_code, dtype=np.int32), lane_count)
    worker = np.repeat(np.arange(n_workers), pairs_per_worker)

    # Every pair is hard-feasible (the lanes hold only what each worker may be offered): only the order is left.
    scores = base + own_terms(wage, inverses[worker])
    # Scores lie in [-0.2, 1.6] plus their tier (at most 2 × TIER_STEP): 8 apart keeps workers apart.
    order = np.argsort(order_key(scores, rows) + worker * 8.0, kind="stable")
    # A posting reached by two of a worker's sources appears twice: keep its best (first) appearance, before the
    # cut at `keep`, as the one-worker path does.
    pair = worker[order] * len(ranker.postings) + rows[order]
    by_pair = np.argsort(pair, kind="stable")  # stable: of two equal pairs the better-ranked comes first
    repeated = np.zeros(len(order), dtype=bool)
    repeated[by_pair[1:][pair[by_pair][1:] == pair[by_pair][:-1]]] = True
    order = order[~repeated]
    found = np.bincount(worker[order], minlength=n_workers).astype(np.int64)  # distinct postings read
    start = np.zeros(n_workers + 1, dtype=np.int64)
    np.cumsum(found, out=start[1:])
    rank = np.arange(len(order)) - start[worker[order]]
    kth = np.full(n_workers, -np.inf)  # a worker with fewer than `keep` read is settled only once complete
    full = np.flatnonzero(found >= keep)
    kth[full] = scores[order[start[full] + keep - 1]]
    bound = np.full(n_workers, -np.inf)
    if lane_worker:
        np.maximum.at(bound, np.array(lane_worker, dtype=np.int64), np.array(lane_bound, dtype=np.float64))
    complete = np.isneginf(bound)
    settled = complete | (kth >= bound)

    chosen = order[(rank < keep) & settled[worker[order]]]
    out_worker, out_rows = [worker[chosen]], [rows[chosen]]
    out_scores, out_rungs, out_codes = [scores[chosen]], [np.zeros(len(chosen), dtype=np.int8)], [codes[chosen]]
    fitting = found.astype(np.int64)
    short = complete & (found < np.asarray(fill_to, dtype=np.int64))
    for w in np.flatnonzero(~settled | short).tolist():
        seeker = seekers[w]
        if not settled[w]:
            # The heads hid a better posting: the one-worker path reads deeper.
            ranked = ranker.rank(seeker, limit=keep, fill_to=fill_to[w], diversify=False)
            fitting[w] = ranked.fitting
            extra = np.ones(len(ranked.rows), dtype=bool)
        else:
            mine = order[start[w]:start[w] + found[w]]
            profile = ranker.relevance.profile(seeker.desired, seeker.skills)
            origin = ranker.lanes.origin(seeker)
            head = Ranked(rows[mine].astype(np.int32), scores[mine], np.zeros(len(mine), np.int8),
                          origin.distance[rows[mine]], codes[mine], np.zeros(len(mine), dtype=bool),
                          fitting=int(found[w]), feasible=None)
            ranked = ranker.relax(seeker, profile, origin, head, helds[w], need=fill_to[w] - int(found[w]))
            extra = ranked.rungs > 0  # its fitting part is among the chosen already
        out_worker.append(np.full(int(extra.sum()), w, dtype=np.int64))
        out_rows.append(ranked.rows[extra].astype(np.int64))
        out_scores.append(ranked.scores[extra].astype(np.float32))
        out_rungs.append(ranked.rungs[extra])
        out_codes.append(ranked.source[extra])
    all_worker = np.concatenate(out_worker)
    # Stable by worker: each worker's pieces keep their order (its fitting ones first, best first, then relaxed).
    by_worker = np.argsort(all_worker, kind="stable")
    offsets = np.zeros(n_workers + 1, dtype=np.int64)
    np.cumsum(np.bincount(all_worker, minlength=n_workers), out=offsets[1:])
    return Lists(
        offsets=offsets,
        rows=np.concatenate(out_rows)[by_worker].astype(np.int32),
        scores=np.concatenate(out_scores)[by_worker].astype(np.float32),
        rungs=np.concatenate(out_rungs)[by_worker].astype(np.int8),
        codes=np.concatenate(out_codes)[by_worker].astype(np.int32),
        fitting=fitting,
    )
