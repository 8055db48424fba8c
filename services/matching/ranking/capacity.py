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
  than to what they got. The greedy is a ½-approximation of the maximum-weight b-matching in the worst case.
- A stable assignment can leave a worker short of its floor while the seats it needs are held by workers who have
  alternatives. So before any cap gives way, augmenting paths — a maximum flow over the residual graph (scipy's
  Dinic, in C) — move such holders to postings of their own lists that have room. What the flow cannot serve, no
  assignment within the caps could (max-flow/min-cut): only then does a cap give way, by as many offers as the
  worker lacks; the least overloaded of its postings takes each (so a crowd is spread, not piled on the most
  attractive posting); the excess is reported (`over_cap`). Phase 3 never exceeds a cap.
- Measured against the exact optimum of the same problem as a linear programme (HiGHS; tests/unit/
  test_ranking_capacity.py): the offers beyond caps are the optimum's to within a few per cent of the floors, and
  the total score 93–99 % of the optimum's — the difference is mostly the spreading, which the linear optimum,
  charging every excess offer alike wherever it goes, does not do.
scipy has no min-cost-flow solver, and `linprog` over the 2–3 million edges of a 100,000-worker batch takes minutes;
the exact solution is not worth that when this is so close (measured, not assumed). The whole step takes about 3 s
for 100,000 workers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from services.matching.ranking.model import Item, RankingSettings, Recommendation, Shortfall
from services.matching.ranking.relevance import FIT_TIERS, TIER_ASKED, TIER_STEP


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
           caps: np.ndarray, guaranteed: int, limit: int, asked: Sequence[np.ndarray] | None = None
           ) -> tuple[list[np.ndarray], np.ndarray]:
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
                              fits=np.concatenate(fitting).astype(bool), caps=caps, guaranteed=guaranteed, limit=limit,
                              asked=None if asked is None else np.concatenate(asked).astype(bool))
    return [np.flatnonzero(taken[s:e]) for s, e in zip(offsets[:-1].tolist(), offsets[1:].tolist())], load


def assign_flat(*, offsets: np.ndarray, post: np.ndarray, value: np.ndarray, fits: np.ndarray, caps: np.ndarray,
                guaranteed: int, limit: int, asked: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The same over flat arrays: worker w's list is [offsets[w], offsets[w+1]). Returns (taken mask, load).

    `asked` marks the fitting edges of what the worker asked for (and welfare posts that lead), a prefix of its
    fitting edges. When given, the floor is first filled from them within the caps (holders with alternatives move
    to make room), so that a worker with few posts of its own trade keeps them rather than being handed a skill's
    post while another worker, who has more of them, holds its seat.
    """
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

    def phase(lo: np.ndarray, hi: np.ndarray, need: np.ndarray, *, floor: bool, exceed: bool) -> None:
        room = np.maximum(caps - load, 0)
        held = _defer(lo, hi, need, worker, post, value, room, taken)
        taken[held] = True
        load[:] += np.bincount(post[held], minlength=len(caps))
        short = need - np.bincount(worker[held], minlength=n_workers)
        if floor and (short > 0).any():
            _make_room(np.flatnonzero(short > 0), short, lo, hi, held, worker, post, value, caps, load, taken,
                       exceed=exceed)

    def count() -> np.ndarray:
        return np.bincount(worker[taken], minlength=n_workers)

    if asked is not None:  # the floor from what was asked for, within the caps
        n_asked = np.bincount(worker[asked & fits], minlength=n_workers).astype(np.int64)
        phase(start, start + n_asked, np.minimum(floor_fit, n_asked), floor=True, exceed=False)
    phase(start, fit_end, floor_fit - count(), floor=True, exceed=True)  # the floor of fitting offers
    phase(fit_end, end, np.maximum(floor_all - floor_fit, 0), floor=True, exceed=True)  # the relaxed floor
    phase(start, fit_end, limit - count(), floor=False, exceed=False)  # the optional rest
    return taken, load


def _make_room(needy: np.ndarray, short: np.ndarray, lo: np.ndarray, hi: np.ndarray, held: np.ndarray,
               worker: np.ndarray, post: np.ndarray, value: np.ndarray, caps: np.ndarray, load: np.ndarray,
               taken: np.ndarray, *, exceed: bool = True) -> None:
    """Give each worker still short of its floor its missing offers, exceeding a cap only where nothing else can.

    First by augmenting paths: the worker takes a full posting whose holder moves to another posting of its own list
    that has room (or whose holder does, and so on). All at once, as a maximum flow (scipy's Dinic, in C) over the
    residual graph of the assignment so far: source → short worker (what it lacks), worker → posting it does not
    hold, posting → the worker holding it (a seat that may move), posting → sink (its room left). What the flow
    cannot serve, no assignment within the caps could: only then (and only if `exceed`) does a cap give way, on the
    least overloaded of
    the worker's postings (the best-scored among equals; in rounds, one offer per short worker a round), so that
    a crowd is spread rather than piled on one.
    """
    n_workers, n_posts = len(lo), len(caps)
    # The edges of this phase's range of every worker that holds or needs a seat.
    involved = np.zeros(n_workers, dtype=bool)
    involved[worker[held]] = True
    involved[needy] = True
    edge = np.arange(len(post))
    phase = np.flatnonzero(involved[worker] & (edge >= lo[worker]) & (edge < hi[worker]))
    is_held = np.zeros(len(post), dtype=bool)
    is_held[held] = True
    free = phase[~taken[phase]]
    kept = phase[is_held[phase]]
    source, sink = n_workers + n_posts, n_workers + n_posts + 1
    room = np.maximum(caps - load, 0)
    rooms = np.flatnonzero(room > 0)
    tails = np.concatenate((np.full(len(needy), source), worker[free], n_workers + post[kept], n_workers + rooms))
    heads = np.concatenate((needy, n_workers + post[free], worker[kept], np.full(len(rooms), sink)))
    capacity = np.concatenate((short[needy], np.ones(len(free) + len(kept), dtype=np.int64), room[rooms]))
    graph = csr_array((capacity.astype(np.int32), (tails, heads)), shape=(sink + 1, sink + 1))
    graph.sum_duplicates()
    flow = maximum_flow(graph, source, sink, method="dinic").flow
    moved = np.asarray(flow[worker[phase], n_workers + post[phase]]).ravel()
    gained, released = phase[moved > 0], phase[moved < 0]
    taken[gained] = True
    taken[released] = False
    np.add.at(load, post[gained], 1)
    np.subtract.at(load, post[released], 1)
    still = short - np.bincount(worker[gained], minlength=n_workers) + np.bincount(worker[released],
                                                                                 minlength=n_workers)
    # In rounds, every worker still short at once: each takes its least overloaded spare posting.
    while exceed and (still > 0).any():
        needing = np.flatnonzero(still > 0)
        wanting = np.zeros(n_workers, dtype=bool)
        wanting[needing] = True
        edges = np.flatnonzero(wanting[worker] & (edge >= lo[worker]) & (edge < hi[worker]) & ~taken)
        if not len(edges):
            break
        ratio = load[post[edges]] / caps[post[edges]]
        order = edges[np.lexsort((-value[edges], ratio, worker[edges]))]
        first = np.ones(len(order), dtype=bool)
        first[1:] = worker[order][1:] != worker[order][:-1]
        chosen = order[first]
        taken[chosen] = True
        np.add.at(load, post[chosen], 1)
        served = np.zeros(n_workers, dtype=bool)
        served[worker[chosen]] = True
        still[worker[chosen]] -= 1
        still[needing[~served[needing]]] = 0  # nothing spare left on their lists


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
    """The capacity step for a batch of feasible lists (Ranker.feasible), each best first, relaxed items last.

    A worker left with fewer than `guaranteed` items gets `shortfalls[worker_id]` (Ranker.shortfall says why in
    staff's words) when that counts what the worker got, else a plain count. The floor means a list shorter than
    `guaranteed` (and than `limit`) is kept whole, caps or not: a shortfall said for the list holds for the offers.
    """
    ids = list(dict.fromkeys(item.posting_id for items in feasible.values() for item in items))
    index = {posting_id: i for i, posting_id in enumerate(ids)}
    lists = [list(items) for items in feasible.values()]
    caps = caps_for(np.array([openings.get(pid, 0) for pid in ids], dtype=np.int64), settings.capacity_factor)
    kept, load = assign(
        rows=[np.array([index[i.posting_id] for i in items], dtype=np.int64) for items in lists],
        # The order of fit first (what the worker asked for before what it can merely do), as the ranker ranks.
        scores=[np.array([i.score + TIER_STEP * FIT_TIERS.get(i.fit, 0) for i in items], dtype=np.float64)
                for items in lists],
        fitting=[np.array([not i.relaxed for i in items], dtype=bool) for items in lists],
        asked=[np.array([not i.relaxed and FIT_TIERS.get(i.fit, 0) >= TIER_ASKED for i in items], dtype=bool)
               for items in lists],
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
        if shortfall is not None and shortfall.found != len(chosen):
            shortfall = None  # said of another count: it would not be true of these offers
        if shortfall is None and len(chosen) < settings.guaranteed:
            shortfall = Shortfall(len(chosen), _plain_reason(len(chosen), len(items)))
        recommendations[worker_id] = Recommendation(worker_id, chosen, shortfall)
    over = {ids[p]: int(load[p] - caps[p]) for p in np.flatnonzero(load > caps)}
    return Allocation(recommendations=recommendations, offers_per_posting=dict(offers), over_cap=over)


def _plain_reason(got: int, listed: int) -> str:
    # Fewer offers than the list held can only be `limit`'s doing (the floor is kept past any cap).
    if got < listed:
        return f"符合条件的岗位有{listed}个，本次推荐{got}个"
    return f"符合条件的岗位仅有{got}个" if got else "符合条件的岗位暂无"
