"""Offline evaluation of the ranker on the labelled population: rules kept, fit found, crowds spread.

`python -m bench.evaluation` prints one table: hard-constraint violations (must be 0), guarantee coverage, false
shortfalls (must be 0: a shortfall although three feasible postings existed), precision@3 and nDCG@10 of fitting
postings, and congestion (most offers per opening, Gini of offers per opening) — for the ranker without and with the
capacity step, and for two brute-force baselines given the same hard-constraint filter (rapidfuzz token_set_ratio
over every pair; dense character TF-IDF over every pair).

The hard constraints are checked here by a reference of their own — plain Python on each (worker, posting) pair for
the items offered, plain numpy over all postings for the counts — written from docs/domain.md (rule 1), not from the
ranker.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from datetime import date
from time import perf_counter

import numpy as np

from bench.population import Population, generate
from services.matching.ranking import Ranker, RankingSettings, Recommendation
from services.matching.ranking.certificates import certificate_key, held_keys
from services.matching.ranking.model import PostingView, WorkerView
from shared.reference.regions import get_region, haversine_km
from shared.reference.vocabulary import read as read_occupation
from shared.reference.wages import minimum_wage

GUARANTEED = ("near_home", "league", "anywhere")
WORKERS, POSTINGS = 8000, 2500


# --- the reference of the hard constraints ---------------------------------------------------------------------------

def _point(region_code: str, lon: float | None, lat: float | None) -> tuple[float, float]:
    if lon is not None and lat is not None:
        return lon, lat
    region = get_region(region_code) or get_region(region_code[:6])
    if region is None:
        raise ValueError(f"no point for {region_code}: not in the region table")
    return region.lon, region.lat


def violations(worker: WorkerView, posting: PostingView, *, today: date, near_home_km: float) -> list[str]:
    """Every hard constraint of docs/domain.md (rule 1) the pair breaks, one pair at a time."""
    broken = []
    if posting.status != "open" or posting.headcount <= 0:
        broken.append("not open")
    if posting.valid_until < today:
        broken.append("expired")
    floor = minimum_wage(posting.region_code, today)
    if floor is not None and posting.wage_min < floor.monthly_cny:
        broken.append("below the minimum wage")
    if not (posting.age_min <= worker.age <= posting.age_max):
        broken.append("age")
    if posting.gender and posting.gender != worker.gender:
        broken.append("gender")
    held = held_keys(worker.certificates)
    if any(certificate_key(c) not in held for c in posting.certificates):
        broken.append("certificate")
    distance = haversine_km(*_point(worker.home_region_code, worker.lon, worker.lat),
                            *_point(posting.region_code, posting.lon, posting.lat))
    if worker.transfer_intention == "league":
        if not posting.region_code.startswith("1522"):
            broken.append("reach")
    elif worker.transfer_intention != "anywhere" and distance > near_home_km:
        broken.append("reach")
    if worker.status != "seeking":
        broken.append("placed")
    return broken


class Feasibility:
    """The same rules over all postings at once, for counting: which postings each worker may be offered."""

    def __init__(self, postings: list[PostingView], *, today: date, near_home_km: float) -> None:
        self.postings = postings
        self.near_home_km = near_home_km
        floors = {}
        for p in postings:
            if p.region_code not in floors:
                floor = minimum_wage(p.region_code, today)
                floors[p.region_code] = floor.monthly_cny if floor else 0
        self.open = np.array([p.status == "open" and p.headcount > 0 and p.valid_until >= today
                              and p.wage_min >= floors[p.region_code] for p in postings])
        self.age_min = np.array([p.age_min for p in postings])
        self.age_max = np.array([p.age_max for p in postings])
        self.gender = np.array([p.gender or "" for p in postings])
        self.league = np.array([p.region_code.startswith("1522") for p in postings])
        points = np.array([_point(p.region_code, p.lon, p.lat) for p in postings])
        self.lon, self.lat = np.radians(points[:, 0]), np.radians(points[:, 1])
        self.required = [frozenset(certificate_key(c) for c in p.certificates) for p in postings]
        self.requirement_sets: dict[frozenset[str], list[int]] = {}
        for i, need in enumerate(self.required):
            self.requirement_sets.setdefault(need, []).append(i)

    def distances(self, worker: WorkerView) -> np.ndarray:
        lon, lat = (math.radians(v) for v in _point(worker.home_region_code, worker.lon, worker.lat))
        a = (np.sin((self.lat - lat) / 2) ** 2
             + math.cos(lat) * np.cos(self.lat) * np.sin((self.lon - lon) / 2) ** 2)
        return 2 * 6371.0088 * np.arcsin(np.sqrt(a))

    def mask(self, worker: WorkerView) -> tuple[np.ndarray, np.ndarray]:
        """(feasible, distance) over every posting."""
        distance = self.distances(worker)
        ok = self.open & (self.age_min <= worker.age) & (self.age_max >= worker.age)
        ok &= (self.gender == "") | (self.gender == worker.gender)
        held = held_keys(worker.certificates)
        for need, rows in self.requirement_sets.items():
            if not need <= held:
                ok[rows] = False
        if worker.transfer_intention == "league":
            ok &= self.league
        elif worker.transfer_intention != "anywhere":
            ok &= distance <= self.near_home_km
        if worker.status != "seeking":
            ok[:] = False
        return ok, distance


# --- the truth: which feasible postings fit each worker --------------------------------------------------------------

@dataclass
class Truth:
    feasible: dict[str, np.ndarray]  # worker id -> rows of feasible postings
    relevant: dict[str, set[str]]  # worker id -> ids of feasible postings that fit
    by_group: dict[str, set[str]]  # the same where a posting fits when its job's small group is one of the worker's


def truth(population: Population, reference: Feasibility) -> Truth:
    jobs = np.array([population.posting_job[p.id] for p in population.postings])
    welfare = np.array([p.public_welfare for p in population.postings])
    feasible, relevant, by_group = {}, {}, {}
    groups = np.array([_small_group(population.posting_job[p.id]) for p in population.postings])
    for w in population.workers:
        ok, distance = reference.mask(w)
        feasible[w.id] = np.flatnonzero(ok)
        fits = np.isin(jobs, list(population.worker_jobs[w.id]))
        if w.labor_capacity in ("weak", "none"):  # those who cannot take regular work: welfare posts lead
            fits |= welfare & (distance <= population.near_home_km)
        relevant[w.id] = {population.postings[i].id for i in np.flatnonzero(ok & fits)}
        wanted = [_small_group(job) for job in population.worker_jobs[w.id]]
        fits_group = fits | np.isin(groups, wanted)
        by_group[w.id] = {population.postings[i].id for i in np.flatnonzero(ok & fits_group)}
    return Truth(feasible, relevant, by_group)


def _small_group(job: str) -> str:
    reading = read_occupation(job)
    return reading.code if reading else job


# --- the baselines ---------------------------------------------------------------------------------------------------

def worker_words(w: WorkerView) -> str:
    return " ".join((*w.desired_occupations, *w.skills))


def posting_words(p: PostingView) -> str:
    return " ".join((p.title, p.occupation or "", *p.skills))


def rapidfuzz_top(workers: list[WorkerView], postings: list[PostingView], reference: Feasibility, *,
                  k: int = 10, block: int = 200) -> dict[str, list[str]]:
    """Brute force: token_set_ratio of every (worker, posting) pair (one cdist call per block of workers, one
    thread, as the ranker has), the hard-constraint filter, the best k."""
    from rapidfuzz import fuzz, process

    texts = [posting_words(p) for p in postings]
    out = {}
    for start in range(0, len(workers), block):
        chunk = workers[start:start + block]
        scores = process.cdist([worker_words(w) for w in chunk], texts, scorer=fuzz.token_set_ratio,
                               dtype=np.float32)
        for w, row in zip(chunk, scores):
            ok, _ = reference.mask(w)
            out[w.id] = _best(row, ok, postings, k)
    return out


class DenseTfidf:
    """Brute force: character 1–2-gram TF-IDF as dense matrices, every pair scored by one matrix product."""

    def __init__(self, postings: list[PostingView]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.postings = postings
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), dtype=np.float32)
        self.matrix = self.vectorizer.fit_transform([posting_words(p) for p in postings]).toarray()

    def top(self, workers: list[WorkerView], reference: Feasibility, *, k: int = 10,
            block: int = 200) -> dict[str, list[str]]:
        out = {}
        for start in range(0, len(workers), block):
            chunk = workers[start:start + block]
            queries = self.vectorizer.transform([worker_words(w) for w in chunk]).toarray()
            scores = queries @ self.matrix.T
            for w, row in zip(chunk, scores):
                ok, _ = reference.mask(w)
                out[w.id] = _best(row, ok, self.postings, k)
        return out


def _best(scores: np.ndarray, ok: np.ndarray, postings: list[PostingView], k: int) -> list[str]:
    scores = np.where(ok, scores, -np.inf)
    top = np.argsort(-scores, kind="stable")[:k]
    return [postings[i].id for i in top if np.isfinite(scores[i])]


# --- metrics ---------------------------------------------------------------------------------------------------------

def precision_at(ranked: list[str], relevant: set[str], k: int = 3) -> float:
    return sum(1 for pid in ranked[:k] if pid in relevant) / k


def ndcg_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    if not relevant:
        return 0.0
    dcg = sum(1 / math.log2(i + 2) for i, pid in enumerate(ranked[:k]) if pid in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal


def gini(values: np.ndarray) -> float:
    values = np.sort(values.astype(np.float64))
    if not len(values) or values.sum() == 0:
        return 0.0
    n = len(values)
    return float((2 * np.arange(1, n + 1) - n - 1) @ values / (n * values.sum()))


@dataclass
class Scores:
    """One system's figures on the population."""

    violations: int | None = None
    coverage: float | None = None  # guaranteed workers with at least three items
    coverage_possible: float | None = None  # the same among those with at least three feasible postings
    false_shortfalls: int | None = None
    precision3: float = 0.0
    precision3_group: float = 0.0
    ndcg10: float = 0.0
    relaxed_share: float | None = None
    most_per_opening: float | None = None
    gini_per_opening: float | None = None
    over_cap: int | None = None
    items_per_worker: float | None = None


def score_lists(population: Population, the_truth: Truth, lists: dict[str, list[str]]) -> tuple[float, float, float]:
    """Mean precision@3 and nDCG@10 over the seeking workers with at least one fitting feasible posting, and
    precision@3 where fitting means the same small group."""
    judged = [w for w in population.workers if w.status == "seeking" and the_truth.relevant[w.id]]
    p3 = float(np.mean([precision_at(lists.get(w.id, []), the_truth.relevant[w.id]) for w in judged]))
    nd = float(np.mean([ndcg_at(lists.get(w.id, []), the_truth.relevant[w.id]) for w in judged]))
    p3_group = float(np.mean([precision_at(lists.get(w.id, []), the_truth.by_group[w.id]) for w in judged]))
    return p3, nd, p3_group


def congestion(population: Population, offers: dict[str, int], settings: RankingSettings,
               today: date) -> tuple[float, float, int]:
    """(most offers per opening, Gini of offers per opening, postings over their cap) over the offerable postings."""
    reference = [p for p in population.postings if p.id not in population.refused]
    per_opening = np.array([offers.get(p.id, 0) / p.headcount for p in reference])
    over = sum(1 for p in reference if offers.get(p.id, 0) > max(1, math.floor(settings.capacity_factor * p.headcount)))
    return float(per_opening.max()), gini(per_opening), over


def score_ranker(population: Population, the_truth: Truth, recommendations: dict[str, Recommendation],
                 offers: dict[str, int], settings: RankingSettings) -> Scores:
    by_id = {p.id: p for p in population.postings}
    broken = 0
    for w in population.workers:
        for item in recommendations[w.id].items:
            broken += bool(violations(w, by_id[item.posting_id], today=population.today,
                                      near_home_km=settings.near_home_km))
    guaranteed = [w for w in population.workers if w.status == "seeking" and w.transfer_intention in GUARANTEED]
    covered = [len(recommendations[w.id].items) >= settings.guaranteed for w in guaranteed]
    possible = [w for w in guaranteed if len(the_truth.feasible[w.id]) >= settings.guaranteed]
    false_shortfalls = sum(1 for w in possible if recommendations[w.id].shortfall is not None)
    items = [i for r in recommendations.values() for i in r.items]
    p3, nd, p3_group = score_lists(population, the_truth,
                                   {w: [i.posting_id for i in r.items] for w, r in recommendations.items()})
    most, spread, over = congestion(population, offers, settings, population.today)
    return Scores(
        violations=broken,
        coverage=float(np.mean(covered)),
        coverage_possible=float(np.mean([len(recommendations[w.id].items) >= settings.guaranteed for w in possible])),
        false_shortfalls=false_shortfalls,
        precision3=p3,
        precision3_group=p3_group,
        ndcg10=nd,
        relaxed_share=sum(1 for i in items if i.relaxed) / max(len(items), 1),
        most_per_opening=most,
        gini_per_opening=spread,
        over_cap=over,
        items_per_worker=len(items) / max(sum(w.status == "seeking" for w in population.workers), 1),
    )


def score_baseline(population: Population, the_truth: Truth, lists: dict[str, list[str]],
                   settings: RankingSettings, *, scale: float) -> Scores:
    """A baseline ranked a sample: its offers are scaled up by `scale` to compare crowds with the whole batch."""
    p3, nd, p3_group = score_lists(population, the_truth, lists)
    offers: dict[str, int] = {}
    for ids in lists.values():
        for pid in ids:
            offers[pid] = offers.get(pid, 0) + 1
    most, spread, over = congestion(population, {pid: round(n * scale) for pid, n in offers.items()}, settings,
                                    population.today)
    return Scores(precision3=p3, precision3_group=p3_group, ndcg10=nd, most_per_opening=most, gini_per_opening=spread, over_cap=over,
                  items_per_worker=sum(len(ids) for ids in lists.values()) / max(len(lists), 1))


# --- the table -------------------------------------------------------------------------------------------------------

ROWS = (
    ("hard-constraint violations (must be 0)", "violations", "{:d}"),
    ("guarantee coverage: ≥3 items, guaranteed intentions", "coverage", "{:.1%}"),
    ("  among those with ≥3 feasible postings", "coverage_possible", "{:.1%}"),
    ("false shortfalls (must be 0)", "false_shortfalls", "{:d}"),
    ("precision@3 of fitting postings (same job)", "precision3", "{:.3f}"),
    ("precision@3, fitting = same small group", "precision3_group", "{:.3f}"),
    ("nDCG@10 of fitting postings", "ndcg10", "{:.3f}"),
    ("share of items relaxed (ladder)", "relaxed_share", "{:.1%}"),
    ("congestion: most offers per opening", "most_per_opening", "{:.1f}"),
    ("congestion: Gini of offers per opening", "gini_per_opening", "{:.3f}"),
    ("postings offered beyond 5× their openings", "over_cap", "{:d}"),
    ("items per seeking worker", "items_per_worker", "{:.1f}"),
)


def render(columns: list[tuple[str, Scores]], notes: list[str]) -> str:
    header = ["figure", *[name for name, _ in columns]]
    rows = [header]
    for label, attr, fmt in ROWS:
        rows.append([label, *["—" if getattr(s, attr) is None else fmt.format(getattr(s, attr)) for _, s in columns]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([*lines, "", *notes])


def evaluate(*, workers: int = WORKERS, postings: int = POSTINGS, baseline_sample: int = 2000) -> str:
    """The table of every figure, as `python -m bench.evaluation` prints it."""
    return render(*_columns(workers=workers, postings=postings, baseline_sample=baseline_sample))


async def run(report) -> None:
    """The headline figures beside their baselines, as `python -m bench` runs it (the full table: this module)."""
    import asyncio

    columns, notes = await asyncio.to_thread(_columns, workers=WORKERS, postings=POSTINGS, baseline_sample=2000)
    plain, capped, fuzz, tfidf = (s for _, s in columns)
    assert capped.coverage_possible is not None, "the capped ranker's column counts coverage"
    report.figure("hard-constraint violations (must be 0)", capped.violations, "")
    report.figure("false shortfalls (must be 0)", capped.false_shortfalls, "")
    report.figure("guarantee coverage where ≥3 feasible", 100 * capped.coverage_possible, "%")
    report.figure("precision@3 of fitting postings", plain.precision3, "", "rapidfuzz brute force", fuzz.precision3)
    report.figure("precision@3 of fitting postings", plain.precision3, "", "dense TF-IDF brute force",
                  tfidf.precision3)
    report.figure("nDCG@10 of fitting postings", plain.ndcg10, "", "dense TF-IDF brute force", tfidf.ndcg10)
    report.figure("most offers per opening", capped.most_per_opening, "", "without the capacity step",
                  plain.most_per_opening)
    report.figure("Gini of offers per opening", capped.gini_per_opening, "", "without the capacity step",
                  plain.gini_per_opening)
    for note in notes:
        report.note(note)


def _columns(*, workers: int, postings: int, baseline_sample: int) -> tuple[list[tuple[str, Scores]], list[str]]:
    started = perf_counter()
    population = generate(workers=workers, postings=postings)
    settings = RankingSettings()
    reference = Feasibility(population.postings, today=population.today, near_home_km=settings.near_home_km)
    the_truth = truth(population, reference)
    ranker = Ranker(population.postings, today=population.today, settings=settings)
    plain = ranker.recommend_many(population.workers, capacity=False)
    capped = ranker.recommend_many(population.workers, capacity=True)
    columns = [
        ("ranker", score_ranker(population, the_truth, plain.recommendations, plain.offers_per_posting, settings)),
        ("ranker + capacity", score_ranker(population, the_truth, capped.recommendations,
                                           capped.offers_per_posting, settings)),
    ]
    # The baselines are slow: they rank a sample, and their congestion is that of the sample scaled up.
    rng = np.random.default_rng(0)
    sample = [population.workers[i] for i in sorted(rng.choice(len(population.workers),
                                                                min(baseline_sample, workers), replace=False))]
    sampled = Population(population.today, population.postings, sample, population.posting_job,
                         population.worker_jobs, population.refused, population.near_home_km)
    fuzz_lists = rapidfuzz_top(sample, population.postings, reference)
    tfidf_lists = DenseTfidf(population.postings).top(sample, reference)
    seeking = [w for w in population.workers if w.status == "seeking"]
    scale = len(seeking) / max(sum(w.status == "seeking" for w in sample), 1)
    columns.append(("rapidfuzz brute force", score_baseline(sampled, the_truth, fuzz_lists, settings, scale=scale)))
    columns.append(("dense TF-IDF brute force", score_baseline(sampled, the_truth, tfidf_lists, settings,
                                                               scale=scale)))
    notes = [
        f"population: {workers:,} workers ({len(seeking):,} seeking) across "
        f"{len({w.home_region_code for w in seeking})} townships; {postings:,} postings "
        f"({sum(p.region_code.startswith('1522') for p in population.postings):,} in the League, "
        f"{sum(p.region_code.startswith('11') for p in population.postings):,} on the Beijing supply list, "
        f"{len(population.refused):,} that must never be offered); generated by bench/population.py",
        "precision@3 and nDCG@10: mean over seeking workers with at least one fitting feasible posting; a fitting "
        "posting is one of the worker's jobs by construction, or public welfare near home for one who cannot take "
        "regular work (weak or no labour capacity)",
        f"precision@3 ceiling (min(3, fitting feasible)/3): "
        f"{np.mean([min(3, len(the_truth.relevant[w.id])) / 3 for w in seeking if the_truth.relevant[w.id]]):.3f}",
        f"baselines rank a sample of {len(sample):,} workers with the same hard-constraint filter and offer each "
        f"its top 10; their congestion is the sample's offers scaled ×{scale:.1f} to the whole population",
        "the capacity step trades depth for spread: optional offers (4th to 10th) go only where a posting has room, "
        "so nDCG@10 falls while the first three (precision@3) stay",
        f"took {perf_counter() - started:.0f} s",
    ]
    return columns, notes


if __name__ == "__main__":
    print(evaluate(**({"workers": int(sys.argv[1]), "postings": int(sys.argv[2])} if len(sys.argv) > 2 else {})))
