"""The fit of offers on held-out words (bench/heldout.py): the ranker must beat reading text alone.

The workers of this population say what they want in phrases the project's word lists never saw (the test half of
bench/data/labourer_phrases.csv). A change to the ranker or the vocabulary that makes its first three offers fit
less often than a plain character TF-IDF over the same feasible postings fails here; `python -m bench.fit` prints
the whole table per segment.
"""

from __future__ import annotations

from bench.evaluation import DenseTfidf, Feasibility
from bench.fit import judge, precision, summarise
from bench.heldout import generate
from services.matching.ranking import Ranker, RankingSettings


def test_held_out_precision_at_three_beats_the_text_baseline():
    population = generate(workers=900, postings=700)
    settings = RankingSettings()
    reference = Feasibility(population.postings, today=population.today, near_home_km=settings.near_home_km)
    judged = judge(population, reference)
    seeking = [w for w in population.workers if w.status == "seeking"]
    allocation = Ranker(population.postings, today=population.today, settings=settings).recommend_many(seeking)
    ours = {w: [i.posting_id for i in r.items] for w, r in allocation.recommendations.items()}
    baseline = DenseTfidf(population.postings).top(seeking, reference)
    ours_p3, _, _, judged_workers = summarise(precision(ours, judged.strict, seeking), seeking)
    base_p3, *_ = summarise(precision(baseline, judged.strict, seeking), seeking)
    assert judged_workers > 300
    assert ours_p3 > base_p3, (ours_p3, base_p3)
