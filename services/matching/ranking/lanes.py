"""Lanes: each source of fitting postings, within one reach, sorted once for everyone who shares it.

A worker's fitting postings come from a few sources (the postings of each of its jobs, a word's text hits, the
public-welfare posts near home). A *lane* is one source's postings inside one reach (the half-hour circle of one
township, the League seen from one township, or the postings outside the League), sorted by the part of the score that
every worker of that township and intention shares — the source's tier of fit (TIER_STEP apart, so a higher tier
always sorts first), relevance, place, priority — plus the wage term at a reference expectation. A worker then reads only the heads of its lanes: its own terms (its wage expectation, heavy work) move
a posting by a bounded amount, and the bound says when no unseen posting can still enter its best `keep`.

The bound is exact, not a heuristic: it is the maximum over the postings not yet read of base + wage term at the
worker's own expectation (cached per lane, position and expectation; expectations come in steps of 100), computed
with the same float32 formula as the score (heavy work for limited capacity is in the base: such workers have
lanes of their own). A posting tied with the last one kept
may therefore stay unread: ties are broken by the order of reading, the same in the one-worker and batch paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from services.matching.ranking.constraints import HardConstraints
from services.matching.ranking.geo import distances_km
from services.matching.ranking.model import RankingSettings
from services.matching.ranking.relevance import (
    KIND_SHIFT,
    REL_WELFARE,
    TIER_LEADING,
    TIER_STEP,
    WELFARE,
    Profile,
    Source,
)
from services.matching.ranking.scoring import (
    NO_EXPECTATION,
    W_HEAVY,
    SoftFeatures,
    base_score,
    own_terms,
    place_score,
    wage_term,
)
from services.matching.ranking.seekers import Seeker

# Townships whose distances to every posting are kept (workers of one township share them); 90 in the League.
ORIGINS_CACHED = 512
# Coarse lanes kept (one per job or word, reach part, township and priority mode met); a batch over the League
# meets about ten thousand.
LANES_CACHED = 50_000
# How many of each lane's best postings a worker looks at first; more only when the bound says it must.
FIRST_LOOK = 32
# The expectation each kind of lane is ordered at: League workers ask about 3,500 a month, those going anywhere more.
REFERENCE_WAGE = {"league": 3500.0, "near": 3500.0, "elsewhere": 5500.0}
# The distance given to a place with no known point.
FAR_UNKNOWN_KM = 10_000.0
# The parts of each intention's reach; `near_home`, `none` and anything unknown: the half-hour circle.
PARTS = {"anywhere": ("league", "elsewhere"), "league": ("league",)}


def inverse_wage(expected: int | None) -> np.float32:
    """1 / expectation as the score uses it (0 when none is known)."""
    return np.float32(1.0 / expected) if expected and expected > 0 else np.float32(0.0)


@dataclass(frozen=True)
class Origin:
    """Seen from one township point: the distance to every posting, its place score, the half-hour circle."""

    distance: np.ndarray
    place: np.ndarray
    near: np.ndarray
    near_welfare: np.ndarray  # rows of the public-welfare posts inside the circle
    near_outside: bool  # whether any posting outside the League is inside the circle (then it has no shared lanes)
    welfare: Source | None  # the public-welfare posts inside the circle, as a source of fitting postings


@dataclass(frozen=True)
class Lane:
    """One source's postings in one reach, best first by base + wage term at the reference expectation."""

    rows: np.ndarray
    base: np.ndarray  # relevance, place and priority part of the score
    wage: np.ndarray  # middle of the posted wage range
    bounds: dict[tuple[int, float], float] = field(default_factory=dict, compare=False)

    def bound(self, position: int, inverse: np.float32) -> float:
        """The highest score a worker of this expectation (1 / expected, 0 for none) could give any posting from
        `position` on, by the same float32 formula as the score."""
        key = (position, float(inverse))
        found = self.bounds.get(key)
        if found is None:
            base = self.base[position:]
            if not len(base):
                found = -np.inf
            elif inverse > 0:
                found = float((base + wage_term(self.wage[position:], inverse)).max())
            else:  # a constant term: adding it after the max gives the same float32 as before it
                found = float(base.max() + NO_EXPECTATION)
            self.bounds[key] = found
        return found


@dataclass(frozen=True)
class Coarse:
    """A lane before the worker's class is applied: one source in one reach, sorted, with what views filter on."""

    lane: Lane
    age_min_for: tuple[np.ndarray, np.ndarray, np.ndarray]  # in lane order, as each gender code sees it
    age_max: np.ndarray
    certificates: np.ndarray  # required-certificate bitmask words, in lane order
    heavy: np.ndarray
    gendered: bool  # some posting is for one gender only
    cert_union: np.ndarray  # every certificate some posting asks for
    age_cuts: np.ndarray  # ages at which some posting's age rule changes
    any_heavy: bool
    # Views by worker class (gender, age band, certificates, capacity), and by what of it matters in this lane.
    views: dict[tuple, tuple[Lane, ...]] = field(default_factory=dict, compare=False)


class Lanes:
    """The caches of origins and lanes of one ranker index."""

    def __init__(self, *, hard: HardConstraints, soft: SoftFeatures, settings: RankingSettings) -> None:
        self.hard, self.soft, self.settings = hard, soft, settings
        self.welfare_rows = np.flatnonzero(soft.welfare).astype(np.int32)
        self.outside = ~soft.in_league
        self._origins: dict[tuple[float, float], Origin] = {}
        self._coarse: dict[tuple, Coarse] = {}
        # Every age at which some posting's age rule changes: workers of one band are alike to every posting.
        self.age_cuts = distinct(np.concatenate((hard.age_min, hard.age_max.astype(np.int16) + 1)))

    def origin(self, seeker: Seeker) -> Origin:
        """Distances and place scores from the worker's township to every posting, shared by its workers."""
        found = self._origins.get(seeker.origin)
        if found is None:
            if len(self._origins) >= ORIGINS_CACHED:
                self._origins.pop(next(iter(self._origins)))  # the oldest; batches come township by township
            distance = distances_km(self.hard.points, seeker.point).astype(np.float32)
            # A posting or township with no known point is taken to be far away: never "near home".
            distance = np.nan_to_num(distance, nan=FAR_UNKNOWN_KM)
            near = distance <= self.settings.near_home_km
            welfare = self.welfare_rows[near[self.welfare_rows]]
            found = self._origins[seeker.origin] = Origin(
                distance=distance,
                place=place_score(self.soft, distance, self.settings.near_home_km),
                near=near,
                near_welfare=welfare,
                near_outside=bool((near & self.outside).any()),
                welfare=Source(("welfare",), welfare, np.full(len(welfare), REL_WELFARE, dtype=np.float32),
                               TIER_LEADING) if len(welfare) else None,
            )
        return found

    def of(self, seeker: Seeker, profile: Profile, origin: Origin, held: np.ndarray) -> list[tuple[Lane, int]]:
        """The worker's non-empty lanes, each with the source code its postings fit by.

        Lanes hold only postings the worker may be offered: within reach, open to its gender and age, asking no
        certificate it lacks (`held`). So every posting of a lane is hard-feasible for the worker, and its head is
        not taken up by postings it may not have.
        """
        sources = list(zip(profile.sources, profile.codes))
        intention = seeker.intention
        mode = 2 if intention == "near_home" else 0
        parts = PARTS.get(intention, ("near",))
        band = int(np.searchsorted(self.age_cuts, seeker.worker.age, side="right"))
        worker_class = (seeker.gender, band, held.tobytes(), seeker.limited_capacity)
        out = self._views(seeker, origin, held, sources, parts, mode, worker_class)
        # Public-welfare posts near home lead, as fitting offers, for those who cannot take regular work; for anyone
        # with no fitting regular post in reach they lead the ladder instead (Ranker.relax); for everyone else they
        # rank by fit like any post (docs/domain.md, rule 4).
        if origin.welfare is not None and seeker.cannot_take_regular_work:
            out = self._views(seeker, origin, held, [(origin.welfare, WELFARE << KIND_SHIFT)], ("near",), mode,
                              worker_class) + out
        return out

    def _views(self, seeker: Seeker, origin: Origin, held: np.ndarray, sources: list[tuple[Source, int]],
               parts: tuple[str, ...], mode: int, worker_class: tuple) -> list[tuple[Lane, int]]:
        out: list[tuple[Lane, int]] = []
        for source, code in sources:
            for part in parts:
                coarse = self._coarse_lane(seeker, origin, source, part, mode)
                if len(coarse.lane.rows):
                    views = coarse.views.get(worker_class)
                    if views is None:
                        views = coarse.views[worker_class] = self._view(coarse, seeker, held)
                    out.extend((lane, code) for lane in views)
        return out

    def _coarse_lane(self, seeker: Seeker, origin: Origin, source: Source, part: str, mode: int) -> Coarse:
        # Postings outside the League are far from every League township alike, so their lane is one for all
        # (unless a township lies within the circle of one: then its own).
        shared = part == "elsewhere" and not origin.near_outside
        key = (source.key, part) if shared else (source.key, part, seeker.origin, mode)
        if (found := self._coarse.get(key)) is not None:
            return found
        rows, relevance = source.rows, source.relevance
        inside = origin.near[rows] if part == "near" else self.soft.in_league[rows] if part == "league" \
            else self.outside[rows]
        rows, relevance = rows[inside], relevance[inside]
        priority = np.zeros(len(rows), dtype=bool)
        if mode == 2 and not shared:
            # Employment workshops near home first among a `near_home` worker's fitting posts (docs/domain.md, 3).
            priority = self.soft.workshop[rows] & origin.near[rows]
        base = base_score(relevance, origin.place[rows], priority) + np.float32(TIER_STEP * source.tier)
        wage = self.soft.wage_mid[rows]
        order = np.lexsort((rows, -(base + wage_term(wage, np.float32(1.0 / REFERENCE_WAGE[part])))))
        rows, base, wage = rows[order], base[order], wage[order]
        hard = self.hard
        certificates = hard.certificates[rows]
        age_min_for = tuple(a[rows] for a in hard.age_min_for)
        age_max = hard.age_max[rows]
        heavy = self.soft.heavy[rows]
        if len(self._coarse) >= LANES_CACHED:
            self._coarse.pop(next(iter(self._coarse)))
        found = self._coarse[key] = Coarse(
            lane=Lane(rows, base, wage),
            age_min_for=age_min_for,
            age_max=age_max,
            certificates=certificates,
            heavy=heavy,
            gendered=bool(len(rows)) and bool((hard.gender[rows] != 0).any()),
            cert_union=np.bitwise_or.reduce(certificates, axis=0) if len(rows) else certificates.sum(axis=0),
            # Every age floor and ceiling of the lane, whatever gender the posting is for.
            age_cuts=distinct(np.concatenate((hard.age_min[rows], age_max.astype(np.int16) + 1))),
            any_heavy=bool(heavy.any()),
        )
        return found

    def _view(self, coarse: Coarse, seeker: Seeker, held: np.ndarray) -> tuple[Lane, ...]:
        """The coarse lane as the worker's class sees it: only what the worker may take, heavy work (for limited
        capacity) in a lane of its own, since its penalty would break the order. Keyed only by what matters in it."""
        age = seeker.worker.age
        gender = seeker.gender if coarse.gendered else 0
        relevant = held & coarse.cert_union
        limited = seeker.limited_capacity and coarse.any_heavy
        key = ("class", gender, int(np.searchsorted(coarse.age_cuts, age, side="right")), relevant.tobytes(), limited)
        if (views := coarse.views.get(key)) is not None:
            return views
        # Any age of the band gives the same answer: the band is cut at every age rule of the lane.
        ok = (coarse.age_min_for[seeker.gender] <= age) & (coarse.age_max >= age)
        if coarse.cert_union.any():
            ok &= ~(coarse.certificates & ~held).any(axis=1)
        lane = coarse.lane
        if limited:
            views = (_subset(lane, ok & ~coarse.heavy),
                     _subset(lane, ok & coarse.heavy, penalty=np.float32(W_HEAVY)))  # heavy for weak hands
        else:
            views = (lane if ok.all() else _subset(lane, ok),)
        views = coarse.views[key] = tuple(v for v in views if len(v.rows))
        return views

    def top(self, seeker: Seeker, lanes: list[tuple[Lane, int]], keep: int,
            look: int = FIRST_LOOK) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, bool]:
        """The worker's `keep` best fitting postings: (rows, scores with their tier, codes, distinct postings read,
        all read).

        Every posting of the lanes is hard-feasible for the worker (see `of`); only the order is the worker's own.
        """
        if not lanes:
            empty = np.zeros(0, dtype=np.int32)
            return empty, np.zeros(0, dtype=np.float32), empty, 0, True
        look = max(keep, look)
        inverse = inverse_wage(seeker.worker.expected_wage)
        codes_of = np.array([code for _, code in lanes], dtype=np.int32)
        while True:
            counts = [min(look, len(lane.rows)) for lane, _ in lanes]
            rows = np.concatenate([lane.rows[:n] for (lane, _), n in zip(lanes, counts)])
            base = np.concatenate([lane.base[:n] for (lane, _), n in zip(lanes, counts)])
            wage = np.concatenate([lane.wage[:n] for (lane, _), n in zip(lanes, counts)])
            scores = base + own_terms(wage, inverse)
            codes = np.repeat(codes_of, counts)
            order = np.argsort(order_key(scores, rows), kind="stable")
            order = order[first_of_each(rows[order], codes[order])[0]]  # a posting from two sources once, its best
            unseen = [lane.bound(n, inverse) for (lane, _), n in zip(lanes, counts) if n < len(lane.rows)]
            head = order[:keep]
            if not unseen or (len(head) == keep and scores[head[-1]] >= max(unseen)):
                return rows[head].astype(np.int32), scores[head], codes[head], len(order), not unseen
            look *= 4


def order_key(scores: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Best first, ties to the lower row; shared by the one-worker and batch paths, so they agree to the last tie."""
    return rows.astype(np.float64) * 1e-10 - scores.astype(np.float64)


def first_of_each(rows: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of each row's first (best) appearance, in order, and their codes: a posting from two sources once."""
    if len(rows) < 2:
        return np.arange(len(rows)), codes
    by_row = np.argsort(rows, kind="stable")  # stable: of two appearances the earlier (better) comes first
    repeated = np.zeros(len(rows), dtype=bool)
    repeated[by_row[1:][rows[by_row][1:] == rows[by_row][:-1]]] = True
    if not repeated.any():
        return np.arange(len(rows)), codes
    kept = np.flatnonzero(~repeated)
    return kept, codes[kept]


def _subset(lane: Lane, keep: np.ndarray, penalty: np.float32 | None = None) -> Lane:
    """The lane's postings where `keep`, in the lane's order (a constant penalty keeps that order)."""
    base = lane.base[keep]
    return Lane(lane.rows[keep], base - penalty if penalty is not None else base, lane.wage[keep])


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (np.unique hashes, which costs more on the short arrays met here)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]
