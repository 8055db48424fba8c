"""The fit of offers on data the project did not tune to: precision@3 and nDCG@10 per segment, against baselines.

`python -m bench.fit` ranks the held-out population of bench/heldout.py (workers who speak in phrases the project's
word lists never saw) with the ranker and the capacity step, as a batch run does, and scores the offers against the
truth of bench/heldout.py: a posting fits when its small group is that of a phrase the worker asked for. Beside it,
on the same feasible postings (bench/evaluation.py's own check of the hard constraints), two baselines that read
text only: a dense character 1–2-gram TF-IDF and rapidfuzz's token_set_ratio, each over the worker's words and the
posting's title, occupation and skills.

Figures, per segment (intention, labour capacity) and overall:
- precision@3: of the first three offers, the share that fit; mean over the seeking workers with at least three
  fitting feasible postings (where three fitting offers exist to be made); `p@3 (all)` averages over every seeking
  worker with at least one, scoring min(3, fitting feasible) as full marks;
- nDCG@10 over the same workers; coverage: guaranteed workers with three offers or more;
- offers per opening after the capacity step (max and p95); the gap in precision@3 between men and women and between
  the best and worst county.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from dataclasses import dataclass
from time import perf_counter

import numpy as np

from bench.evaluation import DenseTfidf, Feasibility, ndcg_at, rapidfuzz_top, violations
from bench.heldout import HeldOut, generate
from services.matching.ranking import Ranker, RankingSettings
from services.matching.ranking.model import WorkerView

GUARANTEED = ("near_home", "league", "anywhere")
REGULAR = ("full", "partial")  # labour capacities that can take regular work


@dataclass
class Judged:
    """For each seeking worker: feasible rows and the ids of the feasible postings that fit (strict and plan)."""

    strict: dict[str, set[str]]
    plan: dict[str, set[str]]
    feasible: dict[str, int]


def judge(population: HeldOut, reference: Feasibility) -> Judged:
    groups = np.array([population.posting_group[p.id] for p in population.postings])
    welfare = np.array([p.public_welfare for p in population.postings])
    strict, plan, feasible = {}, {}, {}
    for w in population.workers:
        ok, distance = reference.mask(w)
        fits = np.isin(groups, list(population.asked_groups[w.id])) & ok
        strict[w.id] = {population.postings[i].id for i in np.flatnonzero(fits)}
        if w.labor_capacity in ("weak", "none"):
            fits = fits | (ok & welfare & (distance <= population.near_home_km))
        plan[w.id] = {population.postings[i].id for i in np.flatnonzero(fits)}
        feasible[w.id] = int(ok.sum())
    return Judged(strict, plan, feasible)


def misses(population: HeldOut, lists: dict[str, list[str]], truth: dict[str, set[str]],
           workers: list[WorkerView], fits: dict[str, str]) -> dict[str, float]:
    """Where precision@3 is lost: each of the first three offers that does not fit, over the workers precision@3 is
    taken on, put down to the first of these that holds — the worker's asked-for words were all read as other
    trades, or not read at all; the offer is a welfare post leading for someone who cannot take regular work (the
    plan's rule 4); the posting is read as a trade the worker asked for though its own label is another; one of the
    worker's two asked-for words was misread or not read; else the order (the capacity step, or a skill's post ahead
    of a fitting one). Shares of all first-three slots."""
    from shared.reference.vocabulary import default

    vocabulary, by_id = default(), {p.id: p for p in population.postings}
    counts: defaultdict[str, int] = defaultdict(int)
    slots = 0
    for w in workers:
        relevant = truth[w.id]
        if len(relevant) < 3:
            continue
        slots += 3
        asked = population.asked_groups[w.id]
        readings = [vocabulary.read(t) for t in w.desired_occupations]
        for pid in lists.get(w.id, [])[:3]:
            if pid in relevant:
                continue
            posting = by_id[pid]
            read = posting.occupation_code or next(
                (r.code for t in (posting.occupation, posting.title) if t and (r := vocabulary.read(t))), None)
            if all(r is None for r in readings):
                counts["asked words not read"] += 1
            elif not any(r is not None and r.code in asked for r in readings):
                counts["asked words read as another trade"] += 1
            elif fits.get(w.id + pid) == "welfare":
                counts["welfare post leading (rule 4)"] += 1
            elif read in asked:
                counts["posting read as the asked trade, labelled another"] += 1
            elif not all(r is not None and r.code in asked for r in readings):
                counts["one of two asked words misread or not read"] += 1
            else:
                counts["order (capacity step, skills)"] += 1
        slots += 3 - min(3, len(lists.get(w.id, [])))  # an empty slot is a miss too
        counts["fewer than three offers"] += 3 - min(3, len(lists.get(w.id, [])))
    return {k: v / slots for k, v in sorted(counts.items(), key=lambda kv: -kv[1])} if slots else {}


def segment_of(w: WorkerView) -> str:
    capacity = "weak/none" if w.labor_capacity in ("weak", "none") else w.labor_capacity
    return f"{w.transfer_intention} × {capacity}"


def precision(lists: dict[str, list[str]], truth: dict[str, set[str]], workers: list[WorkerView]) -> dict:
    """Per worker: precision@3 where ≥3 fit, ceiling-relative p@3 and nDCG@10 where ≥1 fits."""
    out = {}
    for w in workers:
        relevant = truth[w.id]
        if not relevant:
            continue
        top = lists.get(w.id, [])
        hits = sum(1 for pid in top[:3] if pid in relevant)
        out[w.id] = (hits / 3 if len(relevant) >= 3 else None, hits / min(3, len(relevant)),
                     ndcg_at(top, relevant))
    return out


def summarise(scores: dict, workers: list[WorkerView]) -> tuple[float, float, float, int]:
    p3 = [scores[w.id][0] for w in workers if w.id in scores and scores[w.id][0] is not None]
    rel = [scores[w.id][1] for w in workers if w.id in scores]
    nd = [scores[w.id][2] for w in workers if w.id in scores]
    return _mean(p3), _mean(rel), _mean(nd), len(p3)


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else math.nan


@dataclass
class Row:
    segment: str
    workers: int
    ranker: float
    ranker_all: float
    ranker_ndcg: float
    tfidf: float
    tfidf_ndcg: float
    fuzz: float
    plan: float


def run_fit(*, workers: int = 2000, postings: int = 1200, split: str = "test") -> str:
    rows, notes = measure(workers=workers, postings=postings, split=split)
    lines = ["segment                          workers  | ranker p@3  p@3(all)  nDCG@10 | TF-IDF p@3  nDCG@10 | "
             "rapidfuzz p@3 | ranker p@3 plan truth"]
    lines += [f"{r.segment:32s} {r.workers:7d}  | {r.ranker:10.3f} {r.ranker_all:9.3f} {r.ranker_ndcg:8.3f} | "
              f"{r.tfidf:10.3f} {r.tfidf_ndcg:8.3f} | {r.fuzz:13.3f} | {r.plan:10.3f}" for r in rows]
    return "\n".join([*lines, "", *notes])


def measure(*, workers: int = 2000, postings: int = 1200, split: str = "test") -> tuple[list[Row], list[str]]:
    started = perf_counter()
    population = generate(workers=workers, postings=postings, split=split)
    settings = RankingSettings()
    reference = Feasibility(population.postings, today=population.today, near_home_km=settings.near_home_km)
    judged = judge(population, reference)
    ranker = Ranker(population.postings, today=population.today, settings=settings)
    allocation = ranker.recommend_many(population.workers, capacity=True)
    recs = allocation.recommendations
    lists = {w: [i.posting_id for i in r.items] for w, r in recs.items()}
    fit_of = {w + i.posting_id: i.fit for w, r in recs.items() for i in r.items}
    seeking = [w for w in population.workers if w.status == "seeking"]
    tfidf = DenseTfidf(population.postings).top(seeking, reference)
    fuzz = rapidfuzz_top(seeking, population.postings, reference)
    by_id = {p.id: p for p in population.postings}
    broken = sum(bool(violations(w, by_id[i.posting_id], today=population.today, near_home_km=settings.near_home_km))
                 for w in seeking for i in recs[w.id].items)
    false_short = sum(1 for w in seeking if w.transfer_intention in GUARANTEED and judged.feasible[w.id] >= 3
                      and recs[w.id].shortfall is not None)
    systems = {"ranker": lists, "TF-IDF": tfidf, "rapidfuzz": fuzz}
    segments: defaultdict[str, list[WorkerView]] = defaultdict(list)
    for w in seeking:
        segments[segment_of(w)].append(w)
        segments[f"{w.transfer_intention} (all capacities)"].append(w)
        if w.labor_capacity in REGULAR:
            # Those who can take regular work: no welfare post is put before their own trade (rule 4).
            segments[f"{w.transfer_intention} (full or partial)"].append(w)
            segments["all (full or partial)"].append(w)
    regular = sorted(k for k in segments if "(full or partial)" in k and not k.startswith("all"))
    order = ["all", *sorted(k for k in segments if "(all" in k), "all (full or partial)", *regular,
             *sorted(k for k in segments if "(" not in k)]
    segments["all"] = seeking
    rows: list[Row] = []
    scored = {name: (precision(lists_, judged.strict, seeking), precision(lists_, judged.plan, seeking))
              for name, lists_ in systems.items()}
    for name in order:
        ws = segments[name]
        r, r_all, r_nd, n = summarise(scored["ranker"][0], ws)
        t, _, t_nd, _ = summarise(scored["TF-IDF"][0], ws)
        f, _, _, _ = summarise(scored["rapidfuzz"][0], ws)
        plan, _, _, _ = summarise(scored["ranker"][1], ws)
        rows.append(Row(name, n, r, r_all, r_nd, t, t_nd, f, plan))
    guaranteed = [w for w in seeking if w.transfer_intention in GUARANTEED and judged.feasible[w.id] >= 3]
    coverage = np.mean([len(recs[w.id].items) >= 3 for w in guaranteed]) if guaranteed else math.nan
    per_opening = np.array([allocation.offers_per_posting.get(p.id, 0) / max(p.headcount, 1)
                            for p in population.postings])
    gaps = []
    for label, key in (("gender", lambda w: w.gender), ("county", lambda w: w.home_region_code[:6])):
        groups: defaultdict[str, list[WorkerView]] = defaultdict(list)
        for w in seeking:
            groups[key(w)].append(w)
        values = {g: summarise(scored["ranker"][0], ws)[0] for g, ws in groups.items()}
        values = {g: v for g, v in values.items() if not math.isnan(v)}
        gaps.append(f"{label}: " + ", ".join(f"{g} {v:.3f}" for g, v in sorted(values.items()))
                    + f" (gap {max(values.values()) - min(values.values()):.3f})")
    lost = misses(population, lists, judged.strict, seeking, fit_of)
    notes = [
        "precision@3 (strict) lost, by cause: " + ", ".join(f"{k} {v:.3f}" for k, v in lost.items()),
        f"hard-constraint violations: {broken}; false shortfalls (≥3 feasible, guaranteed, yet short): {false_short}",
        f"coverage (guaranteed workers with ≥3 feasible): {coverage:.1%}",
        f"offers per opening after the capacity step: max {per_opening.max():.1f}, "
        f"p95 {np.percentile(per_opening, 95):.1f}; postings over their cap: {len(allocation.over_cap)}",
        *gaps,
        f"population: {len(seeking):,} seeking workers, {len(population.postings):,} postings "
        f"(bench/heldout.py, the {split} half of bench/data/labourer_phrases.csv); took {perf_counter() - started:.0f} s",
    ]
    return rows, notes


async def run(report) -> None:
    """As `python -m bench` runs it: precision@3 per intention beside the TF-IDF baseline, the rest as notes."""
    import asyncio

    rows, notes = await asyncio.to_thread(measure)
    for row in rows:
        if row.segment == "all" or "(all" in row.segment or "(full or partial)" in row.segment:
            report.figure(f"held-out precision@3, {row.segment}", row.ranker, "", "dense TF-IDF", row.tfidf)
    for row in rows:
        if row.segment == "all" or "(all" in row.segment:
            report.figure(f"held-out precision@3 (plan truth), {row.segment}", row.plan, "", "strict truth",
                          row.ranker)
    report.note("segment: ranker p@3, p@3(all), nDCG@10 | TF-IDF p@3, nDCG@10 | rapidfuzz p@3 | plan truth")
    for row in rows:
        report.note(f"{row.segment} ({row.workers}): {row.ranker:.3f} {row.ranker_all:.3f} {row.ranker_ndcg:.3f} | "
                    f"{row.tfidf:.3f} {row.tfidf_ndcg:.3f} | {row.fuzz:.3f} | {row.plan:.3f}")
    for note in notes:
        report.note(note)


if __name__ == "__main__":
    # `python -m bench.fit [--dev] [workers postings]`: --dev scores the half that may be looked at when tuning.
    args = [a for a in sys.argv[1:] if a != "--dev"]
    sizes = {"workers": int(args[0]), "postings": int(args[1])} if len(args) > 1 else {}
    print(run_fit(**sizes, split="dev" if "--dev" in sys.argv else "test"))
