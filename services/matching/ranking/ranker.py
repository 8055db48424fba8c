"""The ranker: an index over the offered postings, and one worker's recommendations, feasible list or candidates.

For one worker: the postings that fit (relevance.py) come from lanes (lanes.py) — each source of fitting postings
within the worker's reach, pre-sorted for everyone of the same township — so a worker reads a few dozen postings, not
all; the hard constraints (constraints.py) are checked on those over numpy arrays, the survivors scored (scoring.py)
and the best kept. Only when fewer than `guaranteed` fitting postings pass is every posting checked, for the
relaxation ladder and the shortfall:

  rung 0  fitting (relevance.py's definition)                          -> not relaxed
  rung 1  related: same middle occupation group, a skill the posting   -> relaxed ("occupation",)
          asks for names one of the worker's jobs, or its text is like
          what the worker asked for
  rung 2  any other posting the worker's labour capacity suits          -> relaxed ("occupation",)
          (no heavy work for partial or weak capacity)
  rung 3  any other feasible posting                                    -> relaxed ("occupation", "labor_capacity")

The ladder fills only up to `guaranteed` items; every rung is made of hard-feasible postings, so a relaxed item never
breaks a hard constraint. Rung 1 puts first the posts written most like what the worker asked for (character TF-IDF
cosine at least relevance.NEAR_TEXT), so a phrase no table reads still lands near its trade. A worker with intention
`none` gets fitting offers inside the circle and at most related ones (rung 1): the plan promises them nothing, and
an unrelated post near home is no offer to someone who did not ask to move.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

import numpy as np

from services.matching.ranking import reasons as say
from services.matching.ranking.batch import collector_paused, rank_many
from services.matching.ranking.capacity import Allocation, assign_flat, caps_for
from services.matching.ranking.constraints import HardConstraints, is_offered
from services.matching.ranking.lanes import FAR_UNKNOWN_KM, Lanes, Origin, distinct
from services.matching.ranking.model import (
    Candidate,
    Item,
    PostingView,
    RankingSettings,
    Recommendation,
    Shortfall,
    WorkerView,
)
from services.matching.ranking.ranked import Ranked, lead_order, take
from services.matching.ranking.relevance import (
    KIND_SHIFT,
    REL_WELFARE,
    TIER_ASKED,
    TIER_STEP,
    WELFARE,
    PostingJobs,
    Profile,
    Readings,
    Relevance,
    TextIndex,
    fit_name,
    guessed_rows,
    related_mask,
    related_rows,
    tier_of_code,
    tiers_of,
)
from services.matching.ranking.scoring import SoftFeatures, score
from services.matching.ranking.seekers import Seeker, seeker_of
from shared.reference.regions import EARTH_RADIUS_KM
from shared.reference.vocabulary import Vocabulary, default as default_vocabulary

# Relevance given to a related posting (rung 1) in its score, so the closest relatives come first among them, and
# what its text's likeness to the worker's desired words adds (cosine × REL_NEAR_TEXT).
REL_RELATED = 0.3
REL_NEAR_TEXT = 0.7
# The likeness counted for posts of the small group nearest to an unread word (Vocabulary.nearest_group): as close as
# a posting whose own text is half like the word.
GUESSED_LIKENESS = 0.5
# Extra fitting candidates kept beyond `limit` so that diversity can reach past a crowded employer.
DIVERSITY_SLACK = 8


class Ranker:
    """Recommendations over one set of postings on one day; build once, ask many times (its caches are not locked:
    one ranker per thread)."""

    def __init__(self, postings: Sequence[PostingView], *, today: date,
                 settings: RankingSettings = RankingSettings(), vocabulary: Vocabulary | None = None) -> None:
        self.today = today
        self.settings = settings
        floors: dict[str, int] = {}
        self.postings: tuple[PostingView, ...] = tuple(p for p in postings if is_offered(p, today, floors))
        self.row_of = {p.id: i for i, p in enumerate(self.postings)}
        listed = list(self.postings)
        self.hard = HardConstraints.build(listed, near_home_km=settings.near_home_km)
        readings = Readings(vocabulary or default_vocabulary())
        self.jobs = PostingJobs.build(listed, readings)
        self.text = TextIndex(listed)
        self.relevance = Relevance(self.jobs, self.text, readings)
        self.soft = SoftFeatures.build(listed, self.jobs.small_codes)
        self.lanes = Lanes(hard=self.hard, soft=self.soft, settings=settings)
        # What every item of a posting says whoever it goes to, made once.
        self._ids = [p.id for p in listed]
        self._board = [(b,) if (b := say.board_reason(p.meals, p.lodging)) else () for p in listed]
        self._wage_text = [say.wage_text(p.wage_min, p.wage_max) for p in listed]

    # --- the API -------------------------------------------------------------------------------------------------

    def recommend(self, worker: WorkerView, *, limit: int = 10) -> Recommendation:
        """The worker's offers, best first: at least `guaranteed` when they exist, else an explicit shortfall."""
        if worker.status != "seeking":
            return Recommendation(worker.id, (), Shortfall(0, say.PLACED))
        seeker = seeker_of(worker)
        ranked = self.rank(seeker, limit=limit, fill_to=min(self.settings.guaranteed, limit))
        items = self._items(seeker, ranked)
        return Recommendation(worker.id, items, self._shortfall(seeker, len(items)))

    def feasible(self, worker: WorkerView, *, limit: int = 50, fill_to: int | None = None) -> list[Item]:
        """The worker's hard-feasible postings scored, best first, for the capacity step: the fitting ones (up to
        `limit`), then relaxed ones, flagged, rung by rung until the list holds `fill_to` (default: the guarantee —
        the capacity step uses relaxed items only to reach it; pass `limit` to see every rung)."""
        if worker.status != "seeking":
            return []
        seeker = seeker_of(worker)
        fill = min(limit, self.settings.guaranteed if fill_to is None else fill_to)
        return list(self._items(seeker, self.rank(seeker, limit=limit, fill_to=fill)))

    def shortfall(self, worker: WorkerView, found: int) -> Shortfall | None:
        """The shortfall of a worker offered `found` postings (None from `guaranteed` on), in the words staff read:
        for `allocate(…, shortfalls=…)`, since the capacity step never takes a worker below its feasible floor."""
        if worker.status != "seeking":
            return Shortfall(0, say.PLACED)
        return self._shortfall(seeker_of(worker), found)

    def rank_workers(self, posting_id: str, workers: Sequence[WorkerView], *, limit: int = 200) -> list[Candidate]:
        """Seeking workers for one posting, best first: those it fits, then those of related jobs; hard rules kept."""
        row = self.row_of.get(posting_id)
        if row is None:
            return []
        rows = np.array([row], dtype=np.int32)
        welfare = bool(self.soft.welfare[row])
        found: list[tuple[int, int, float, str, Candidate]] = []
        for worker in workers:
            if worker.status != "seeking":
                continue
            seeker = seeker_of(worker)
            origin = self.lanes.origin(seeker)
            if not len(self.hard.passing(seeker, rows, origin.near, self.hard.held_mask(seeker))):
                continue
            profile = self.relevance.profile(seeker.desired, seeker.skills)
            rel, source = self._fit_of_row(seeker, profile, row, origin)
            rung = 0
            if rel == 0.0:
                if not related_mask(self.jobs, profile)[row]:
                    continue  # an employer wants people who can do the job, not everyone who may apply
                rung, rel = 1, REL_RELATED
            sources = np.array([source], dtype=np.int32)
            priority = self._priority(seeker, rows, origin, sources)
            value = self._score(seeker, rows, np.array([rel], dtype=np.float32), origin, priority)
            if rung == 0:
                value = value + np.float32(TIER_STEP * tier_of_code(source))
            ranked = Ranked(rows, value, np.array([rung], dtype=np.int8), origin.distance[rows], sources,
                            priority, fitting=1 - rung, feasible=None)
            item = self._items(seeker, ranked)[0]
            # A public-welfare post goes first to registered labourers who cannot leave home (docs/domain.md, 4).
            first = 0 if not welfare or seeker.stays_home else 1
            found.append((rung, first, -item.score, worker.id,
                          Candidate(worker.id, item.score, item.distance_km, item.reasons)))
        found.sort(key=lambda t: t[:4])
        return [candidate for *_, candidate in found[:limit]]

    @collector_paused()
    def recommend_many(self, workers: Sequence[WorkerView], *, limit: int = 10, capacity: bool = True,
                       depth: int | None = None) -> Allocation:
        """A batch: every worker's offers, with the capacity step across the batch (capacity.py) unless told not to.

        Each worker's list is ranked `depth` deep (default 2 × limit, at least 20) so that the capacity step has
        alternatives; without it, each worker gets exactly what `recommend` would give.
        """
        g = self.settings.guaranteed
        depth = (depth or max(2 * limit, 20)) if capacity else limit + DIVERSITY_SLACK
        seeking = [w for w in workers if w.status == "seeking"]
        # Workers of one township one after another: they share distances and lanes (caches stay warm).
        seeking.sort(key=lambda w: (w.home_region_code, w.transfer_intention))
        seekers = [seeker_of(w) for w in seeking]
        lists = rank_many(self, seekers, keep=depth,
                          fill_to=[min(g, limit)] * len(seekers))
        caps = caps_for(np.array([p.headcount for p in self.postings], dtype=np.int64), self.settings.capacity_factor)
        over_cap: dict[str, int] = {}
        if capacity and len(lists.rows):
            taken, load = assign_flat(offsets=lists.offsets, post=lists.rows.astype(np.int64),
                                      value=lists.scores.astype(np.float64), fits=lists.rungs == 0, caps=caps,
                                      guaranteed=g, limit=limit, asked=tiers_of(lists.codes) >= TIER_ASKED)
            over_cap = {self.postings[p].id: int(load[p] - caps[p]) for p in np.flatnonzero(load > caps).tolist()}
        else:
            taken = np.ones(len(lists.rows), dtype=bool)  # the whole head; diversity picks from it, then cut
        owner_all = np.repeat(np.arange(len(seekers)), np.diff(lists.offsets))
        kept = np.zeros(len(seekers) + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner_all[taken], minlength=len(seekers)), out=kept[1:])
        rows, rungs, codes, scores = lists.rows[taken], lists.rungs[taken], lists.codes[taken], lists.scores[taken]
        owner = owner_all[taken]
        # Distances and priorities of the kept pairs, all at once.
        points = np.stack([s.point for s in seekers]) if seekers else np.zeros((0, 3))
        chord = np.maximum(2.0 - 2.0 * np.einsum("ij,ij->i", self.hard.points[rows], points[owner]), 0.0)
        distance = (2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(np.sqrt(chord) / 2.0, 1.0))).astype(np.float32)
        distance = np.nan_to_num(distance, nan=FAR_UNKNOWN_KM)
        near = distance <= self.settings.near_home_km
        near_home = np.array([s.intention == "near_home" for s in seekers], dtype=bool)[owner]
        leading = (rungs == 0) & (codes >> KIND_SHIFT == WELFARE)
        # Welfare posts that lead the ladder of a worker with nothing fitting in reach (Ranker.relax).
        maybe = (rungs == 1) & self.soft.welfare[rows] & near & (lists.fitting[owner] == 0)
        if maybe.any():
            read = {w: bool((p := self.relevance.profile(seekers[w].desired, seekers[w].skills)).job_ids
                            or p.small_ids) for w in np.unique(owner[maybe]).tolist()}
            leading |= maybe & np.array([read.get(w, False) for w in owner.tolist()], dtype=bool)
        priority = leading | (near_home & near & self.soft.workshop[rows] & (rungs == 0))
        expected = np.array([s.worker.expected_wage or 0 for s in seekers], dtype=np.float32)[owner]
        parts = self._item_parts(rows, scores, rungs, distance, codes, priority, expected)
        employers = self.soft.employer[rows].tolist()
        fitting_all = (rungs == 0).tolist()
        recommendations: dict[str, Recommendation] = {
            w.id: Recommendation(w.id, (), Shortfall(0, say.PLACED)) for w in workers if w.status != "seeking"}
        per_posting: Counter[str] = Counter()
        bounds = kept.tolist()
        for w, seeker in enumerate(seekers):
            lo, hi = bounds[w], bounds[w + 1]
            mine = [part[lo:hi] for part in parts]
            profile = self.relevance.profile(seeker.desired, seeker.skills)
            if seeker.cannot_take_regular_work and \
                    (lead := self._lead(rungs[lo:hi], codes[lo:hi], rows[lo:hi], profile)) is not None:
                mine = [[part[i] for i in lead] for part in mine]
                employers[lo:hi] = [employers[lo:hi][i] for i in lead]
                fitting_all[lo:hi] = [fitting_all[lo:hi][i] for i in lead]
            order = self._diversify_lists(employers[lo:hi], fitting_all[lo:hi])
            if order is not None:
                mine = [[part[i] for i in order] for part in mine]
            if hi - lo > limit:
                mine = [part[:limit] for part in mine]
            items = self._make_items(profile, *mine)
            per_posting.update(item.posting_id for item in items)
            recommendations[seeker.worker.id] = Recommendation(seeker.worker.id, items,
                                                               self._shortfall(seeker, len(items)))
        return Allocation(recommendations={w.id: recommendations[w.id] for w in workers},
                          offers_per_posting=dict(per_posting), over_cap=over_cap)

    # --- ranking -------------------------------------------------------------------------------------------------

    def rank(self, seeker: Seeker, *, limit: int, fill_to: int, diversify: bool = True) -> Ranked:
        """One worker's best `limit` postings as arrays: fitting ones, then the ladder up to `fill_to`."""
        profile = self.relevance.profile(seeker.desired, seeker.skills)
        origin = self.lanes.origin(seeker)
        held = self.hard.held_mask(seeker)
        keep = max(limit + (DIVERSITY_SLACK if diversify else 0), fill_to)
        rows, scores, codes, found, complete = self.lanes.top(
            seeker, self.lanes.of(seeker, profile, origin, held), keep)
        priority = self._priority(seeker, rows, origin, codes)
        ranked = Ranked(rows, scores, np.zeros(len(rows), dtype=np.int8), origin.distance[rows], codes, priority,
                        fitting=found, feasible=None)
        if complete and found < fill_to:
            ranked = self.relax(seeker, profile, origin, ranked, held, need=fill_to - found)
        if seeker.cannot_take_regular_work and \
                (order := self._lead(ranked.rungs, ranked.source, ranked.rows, profile)) is not None:
            ranked = take(ranked, order)
        if diversify and (order := self._diversify(ranked)) is not None:
            ranked = take(ranked, order)
        if len(ranked.rows) > limit:
            ranked = take(ranked, np.arange(limit))
        return ranked

    def relax(self, seeker: Seeker, profile: Profile, origin: Origin, ranked: Ranked, held: np.ndarray, *,
              need: int) -> Ranked:
        """Fill with the best hard-feasible postings that do not fit, rung by rung.

        The related ones (rung 1) come from the group indexes; only when they are too few is every posting checked,
        which also counts the feasible ones exactly (`feasible`, else None: at least what the list holds).
        """
        if need <= 0:
            return ranked
        near_rows, near_sims = self.relevance.near_text(profile, len(seeker.desired))
        related = related_rows(self.jobs, profile)
        if len(near_rows):
            related = distinct(np.concatenate((related, near_rows))).astype(np.int32)
        guessed = guessed_rows(self.jobs, profile)
        if len(guessed):
            related = distinct(np.concatenate((related, guessed))).astype(np.int32)
        # Nothing fitting in reach although the worker's words were read as trades: public-welfare posts near home
        # lead the ladder (docs/domain.md, rule 4). An unread phrase says nothing fits because nothing was understood:
        # there the posts written most like it lead instead. Either way they are relaxed items, so the capacity step
        # spreads them like any other and a welfare post is not offered to everyone of a township.
        welfare = np.zeros(0, dtype=np.int32)
        if ranked.fitting == 0 and (profile.job_ids or profile.small_ids):
            welfare = origin.near_welfare
            related = distinct(np.concatenate((related, welfare))).astype(np.int32)
        related = related[~np.isin(related, ranked.rows)]
        rows = related[self.hard.passing(seeker, related, origin.near, held)].astype(np.int32)
        feasible = None
        if len(rows) >= need:
            rungs = np.ones(len(rows), dtype=np.int8)
        else:
            rows = self.hard.passing(seeker, None, origin.near, held).astype(np.int32)
            feasible = len(rows)
            rows = rows[~np.isin(rows, ranked.rows)]  # the fitting ones are in already
            suits = ~(self.soft.heavy[rows] & seeker.limited_capacity)
            rungs = np.where(np.isin(rows, related), 1, np.where(suits, 2, 3)).astype(np.int8)
            if not seeker.guaranteed:
                # The plan promises those who will not move nothing: only posts related to what they asked for.
                rows, rungs = rows[rungs == 1], rungs[rungs == 1]
        # Among related posts, those written most like what the worker asked for come first (a phrase no table
        # reads still lands near its trade this way).
        sims = np.zeros(len(rows), dtype=np.float32)
        if len(near_rows):
            at = np.clip(np.searchsorted(near_rows, rows), 0, len(near_rows) - 1)
            sims = np.where(near_rows[at] == rows, near_sims[at], 0.0).astype(np.float32)
        if len(guessed):
            # Posts of the group whose text is nearest to a word no step reads count as written like it.
            sims = np.where(np.isin(rows, guessed), np.maximum(sims, GUESSED_LIKENESS), sims).astype(np.float32)
        rel = np.where(rungs == 1, REL_RELATED + REL_NEAR_TEXT * sims, 0.0).astype(np.float32)
        scores = self._score(seeker, rows, rel, origin, None)
        leading = np.isin(rows, welfare)
        order = np.lexsort((rows, -scores, -np.round(sims, 1), ~leading, rungs))[:need]
        picked = rows[order]
        return Ranked(
            np.concatenate((ranked.rows, picked)),
            np.concatenate((ranked.scores, scores[order])),
            np.concatenate((ranked.rungs, rungs[order])),
            np.concatenate((ranked.distance, origin.distance[picked])),
            np.concatenate((ranked.source, np.zeros(len(order), dtype=np.int32))),
            np.concatenate((ranked.priority, leading[order])),
            fitting=ranked.fitting,
            feasible=feasible,
        )

    def _priority(self, seeker: Seeker, rows: np.ndarray, origin: Origin, source: np.ndarray) -> np.ndarray:
        """Posts the plan puts first: public welfare near home where it leads (its tier says so), and workshops near
        home among a `near_home` worker's fitting posts."""
        priority = source >> KIND_SHIFT == WELFARE
        if seeker.intention == "near_home":
            priority |= self.soft.workshop[rows] & origin.near[rows] & (source > 0)
        return priority

    def _score(self, seeker: Seeker, rows: np.ndarray, rel: np.ndarray, origin: Origin,
               priority: np.ndarray | None) -> np.ndarray:
        return score(self.soft, rows, rel, origin.place[rows], priority=priority,
                     expected=seeker.worker.expected_wage, limited_capacity=seeker.limited_capacity)

    def _lead(self, rungs: np.ndarray, codes: np.ndarray, rows: np.ndarray, profile: Profile) -> np.ndarray | None:
        """For a worker who cannot take regular work: at most `welfare_lead` welfare posts before its own trade, a
        welfare post of the trade it asked for (a 保洁员 post for one who asked for cleaning) first among them."""
        asked = profile.asked_small_ids
        preferred = np.isin(self.jobs.small[rows], list(asked)) if asked else None
        return lead_order(rungs, codes >> KIND_SHIFT, tiers_of(codes), welfare=WELFARE,
                          lead=self.settings.welfare_lead, preferred=preferred)

    def _diversify(self, ranked: Ranked) -> np.ndarray | None:
        """At most `per_employer_in_top` of one employer among the first `guaranteed`, never at the cost of fit;
        None when the order already keeps the rule."""
        if len(ranked.rows) <= self.settings.per_employer_in_top:
            return None
        order = self._diversify_lists(self.soft.employer[ranked.rows].tolist(), (ranked.rungs == 0).tolist())
        return None if order is None else np.array(order, dtype=np.int64)

    def _diversify_lists(self, employers: list[int], fitting: list[bool]) -> list[int] | None:
        top, per = self.settings.guaranteed, self.settings.per_employer_in_top
        head = employers[:top]
        if len(set(head)) == len(head) or max(Counter(head).values()) <= per:
            return None
        remaining = list(range(len(employers)))
        out: list[int] = []
        counts: Counter[int] = Counter()
        for _ in range(min(top, len(employers))):
            pick = 0
            for j, i in enumerate(remaining):
                # An item is only passed over for another as fitting as itself (fitting vs relaxed).
                if fitting[i] != fitting[remaining[0]]:
                    break
                if counts[employers[i]] < per:
                    pick = j
                    break
            i = remaining.pop(pick)
            out.append(i)
            counts[employers[i]] += 1
        return out + remaining

    def _fit_of_row(self, seeker: Seeker, profile: Profile, row: int, origin: Origin) -> tuple[float, int]:
        """(relevance, source) of one posting for a worker; (0, 0) when it does not fit."""
        rows, relevance, sources = profile.merged
        at = int(np.searchsorted(rows, row))
        rel, source = 0.0, 0
        if at < len(rows) and rows[at] == row:
            rel, source = float(relevance[at]), int(sources[at])
        if seeker.stays_home and self.soft.welfare[row] and origin.near[row] and rel == 0.0:
            # For a welfare post's candidate list: near home, it suits anyone who cannot leave home.
            rel, source = REL_WELFARE, WELFARE << KIND_SHIFT
        return rel, source

    # --- answers -------------------------------------------------------------------------------------------------

    def _items(self, seeker: Seeker, ranked: Ranked) -> tuple[Item, ...]:
        if not len(ranked.rows):
            return ()
        expected = np.full(len(ranked.rows), seeker.worker.expected_wage or 0, dtype=np.float32)
        parts = self._item_parts(ranked.rows, ranked.scores, ranked.rungs, ranked.distance, ranked.source,
                                 ranked.priority, expected)
        return self._make_items(self.relevance.profile(seeker.desired, seeker.skills), *parts)

    def _item_parts(self, rows: np.ndarray, scores: np.ndarray, rungs: np.ndarray, distance: np.ndarray,
                    source: np.ndarray, priority: np.ndarray, expected: np.ndarray) -> tuple[list, ...]:
        """What items are made of, as lists, for many pairs at once (one worker's, or a whole batch's)."""
        low, high = self.soft.wage_min[rows], self.soft.wage_max[rows]
        # 0 above the expectation, 1 at it, 2 reachable within the range, 3 below; 4 when none was named.
        verdict = np.where(expected <= 0, 4, np.where(low > expected, 0, np.where(
            low == expected, 1, np.where(high >= expected, 2, 3))))
        # What comes first: why it fits (its source code) or what was relaxed (minus the rung); then a priority.
        lead = np.where(rungs > 0, -rungs.astype(np.int32), source)
        more = np.where(priority & self.soft.welfare[rows], 1, np.where(priority & self.soft.workshop[rows], 2, 0))
        # A fitting item's score carries its tier of fit (relevance.TIER_STEP apart); the item says it in [0, 1].
        tiers = np.where(rungs > 0, 0, tiers_of(source))
        scores = np.clip(scores - np.float32(TIER_STEP) * tiers, 0.0, 1.0)
        return (rows.tolist(), np.round(scores.astype(np.float64), 3).tolist(),
                np.round(distance.astype(np.float64), 1).tolist(), lead.tolist(), more.tolist(), verdict.tolist())

    def _make_items(self, profile: Profile, rows: list, scores: list, distances: list, leads: list, mores: list,
                    verdicts: list) -> tuple[Item, ...]:
        ids, board, wage_text, verdict_words = self._ids, self._board, self._wage_text, say.WAGE_VERDICTS
        heads = profile.heads
        items = []
        for row, value, dist, lead, more, verdict in zip(rows, scores, distances, leads, mores, verdicts):
            head = heads.get((lead, more))
            if head is None:
                head = heads[(lead, more)] = (self._head(profile, lead, more),
                                              "welfare" if lead < 0 and more == 1 else fit_name(lead))
            items.append(Item(ids[row], value, dist,
                              head[0] + board[row] + (say.distance_reason(dist), wage_text[row] + verdict_words[verdict]),
                              say.RELAXED[-lead][0] if lead < 0 else (), head[1]))
        return tuple(items)

    def _head(self, profile: Profile, lead: int, more: int) -> tuple[str, ...]:
        """The first reasons: why it fits (source code) or what was relaxed (minus the rung), then a priority."""
        out: list[str] = []
        if lead < 0 and more == 1:
            return (say.WELFARE_NO_FIT,)
        if lead < 0:
            out.append(say.RELAXED[-lead][1])
        elif lead >> KIND_SHIFT != WELFARE:
            word = lead & ((1 << KIND_SHIFT) - 1)
            out.append(say.fit_reason(lead >> KIND_SHIFT, profile.words[word], profile.jobs[word]))
        if more:
            out.append(say.WELFARE_FIRST if more == 1 else say.WORKSHOP_NEAR)
        return tuple(out)

    def _shortfall(self, seeker: Seeker, found: int) -> Shortfall | None:
        if found >= self.settings.guaranteed:
            return None
        blocker = self._blocker(seeker) if seeker.guaranteed else None
        return Shortfall(found, say.shortfall_reason(found=found, intention=seeker.intention,
                                                     near_home_km=self.settings.near_home_km, blocker=blocker))

    def _blocker(self, seeker: Seeker) -> str | None:
        """What most often keeps the worker's own jobs out, within reach first: what staff might change."""
        profile = self.relevance.profile(seeker.desired, seeker.skills)
        rows, relevance, _ = profile.merged
        rows = rows[relevance >= 0.8]  # the worker's own jobs, not mere text likeness
        if not len(rows):
            return None
        failed = self.hard.failures(seeker, rows, self.lanes.origin(seeker).near)
        within = Counter(f for f in failed if f and f != "reach")
        if within:
            name, count = within.most_common(1)[0]
        elif "reach" in failed:
            name, count = "reach", failed.count("reach")
        else:
            return None
        detail = None
        if name == "certificate":
            missing = Counter(key for row, f in zip(rows.tolist(), failed) if f == "certificate"
                              for key in self.hard.missing_certificates(seeker, row))
            detail = "、".join(key for key, _ in missing.most_common(2)) or None
        return say.blocker_reason(name, count, detail)
