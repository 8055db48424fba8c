"""A held-out population for the ranker: workers speak in phrases the project's word lists never saw.

The words come from `bench/data/` (bench/data/README.md): labourers' phrases and employers' vacancy titles, each
labelled with the 大典 small group an employment officer would file it under, written apart from the synonym table
and never added to it. Only the `test` halves of the phrases and of the titles are used here (bench/vocabulary.py
says how the halves are cut); the places, wages, reach and hard constraints are drawn as in bench/population.py.

The truth is the one of the plan's "targeted offer": a posting fits a worker when its small group is the small group
of one of the phrases the worker *asked for* (desired occupations; skills do not count). `plan` truth adds, for a
worker who cannot take regular work (weak or no labour capacity), the public-welfare posts of the half-hour circle,
which the plan puts first for them (docs/domain.md, rule 4); the strict truth does not.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from bench.population import DECORATIONS, NEAR_HOME_KM, TODAY, _homes, _jitter
from bench.vocabulary import DATA, half_of, labourer_phrases
from services.matching.ranking.model import PostingView, WorkerView
from shared.reference.regions import Region, regions_under
from shared.reference.wages import minimum_wage

SEED = 20181351
# Small groups whose posts the League also funds as public-welfare posts (road and village cleaning, patrols,
# grassland and forest care, greening, elderly care).
WELFARE_GROUPS = ("4-09-08", "4-07-05", "4-09-05", "5-02-03", "4-09-09", "4-10-01", "4-09-01")
# Small groups of factory work that employment workshops near home take on.
WORKSHOP_GROUPS = ("6-05-01", "6-05-02", "6-01-03", "6-02-01", "6-31-99", "6-09-03", "6-31-03")
INTENTIONS = {"none": 15, "near_home": 35, "league": 25, "anywhere": 25}
CAPACITIES = {"full": 75, "partial": 15, "weak": 7, "none": 3}


@dataclass
class HeldOut:
    today: date
    postings: list[PostingView]
    workers: list[WorkerView]
    posting_group: dict[str, str]
    asked_groups: dict[str, frozenset[str]]
    near_home_km: float = NEAR_HOME_KM


def employer_titles(split: str = "test") -> dict[str, list[str]]:
    """The employer titles of one half (cut by hash like the phrases), by small group."""
    by_group: defaultdict[str, list[str]] = defaultdict(list)
    with (DATA / "employer_titles.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if ("dev" if half_of("split:" + row["title"]) else "test") == split:
                by_group[row["small_code"]].append(row["title"])
    return dict(by_group)


def generate(*, workers: int = 2000, postings: int = 1200, seed: int = SEED, today: date = TODAY,
             split: str = "test") -> HeldOut:
    """The population of one half: `test` is what is reported; `dev` is the half that may be looked at."""
    rng = random.Random(seed)
    titles = employer_titles(split)
    phrases: defaultdict[str, list[str]] = defaultdict(list)
    for phrase in labourer_phrases():
        if phrase.split == split and phrase.code in titles:
            phrases[phrase.code].append(phrase.text)
    groups = sorted(phrases)
    homes, home_weights = _homes()
    districts = [r for r in regions_under("1101") if r.level == "county"]
    out_postings, posting_group = _postings(rng, postings, groups, titles, homes, home_weights, districts, today)
    out_workers, asked = _workers(rng, workers, groups, phrases, homes, home_weights)
    return HeldOut(today, out_postings, out_workers, posting_group, asked)


def _postings(rng: random.Random, count: int, groups: list[str], titles: dict[str, list[str]],
              homes: tuple[Region, ...], home_weights: tuple[float, ...], districts: list[Region],
              today: date) -> tuple[list[PostingView], dict[str, str]]:
    out: list[PostingView] = []
    truth: dict[str, str] = {}
    employer = 0
    while len(out) < count:
        employer += 1
        in_beijing = rng.random() < 0.4
        place = rng.choice(districts) if in_beijing else rng.choices(homes, weights=home_weights)[0]
        group = rng.choice(groups)
        welfare = not in_beijing and group in WELFARE_GROUPS and rng.random() < 0.5
        workshop = not in_beijing and not welfare and group in WORKSHOP_GROUPS and rng.random() < 0.5
        low = rng.randrange(4500, 7000, 100) if in_beijing else rng.randrange(2600, 4200, 100)
        floor = minimum_wage(place.code, today)
        wage_min = max(low, floor.monthly_cny if floor else 0)
        for _ in range(min(rng.choice((1, 1, 2, 3, 5)), count - len(out))):
            pid = f"h{len(out):06d}"
            title = rng.choice(titles[group])
            decoration = rng.choice(DECORATIONS)
            title = f"{decoration}{title}" if decoration in ("急招", "诚聘", "高薪", "【急】") else f"{title}{decoration}"
            if welfare:
                title += "（公益性岗位）"
            roll = rng.random()
            occupation, code = (rng.choice(titles[group]), None) if roll < 0.5 else \
                ("", group) if roll < 0.7 else ("", None)
            lon, lat = _jitter(rng, place.lon, place.lat, 8.0 if in_beijing else 4.0)
            board = rng.random() < (0.7 if in_beijing else 0.15)
            out.append(PostingView(
                id=pid, employer_id=f"he{employer:05d}", employer_name=f"{place.short_name}用人单位{employer}",
                title=title, occupation=occupation, occupation_code=code, region_code=place.code, lon=lon, lat=lat,
                wage_min=wage_min, wage_max=wage_min + rng.randrange(300, 2500, 100), headcount=rng.randint(1, 6),
                valid_until=today + timedelta(days=rng.randint(20, 200)), description="",
                age_min=18, age_max=rng.choice((50, 55, 60, 60)), meals=board, lodging=board,
                public_welfare=welfare, workshop=workshop,
                supply_list_id="bj-heldout" if in_beijing else None))
            truth[pid] = group
    return out, truth


def _workers(rng: random.Random, count: int, groups: list[str], phrases: dict[str, list[str]],
             homes: tuple[Region, ...], home_weights: tuple[float, ...]
             ) -> tuple[list[WorkerView], dict[str, frozenset[str]]]:
    out: list[WorkerView] = []
    asked: dict[str, frozenset[str]] = {}
    for n, home in enumerate(rng.choices(homes, weights=home_weights, k=count)):
        wanted = rng.sample(groups, k=rng.choice((1, 1, 1, 2)))
        others = [g for g in rng.sample(groups, k=3) if g not in wanted][:rng.choice((0, 1, 1, 2))]
        intention = rng.choices(list(INTENTIONS), weights=list(INTENTIONS.values()))[0]
        capacity = rng.choices(list(CAPACITIES), weights=list(CAPACITIES.values()))[0]
        worker = WorkerView(
            id=f"hw{n:06d}", age=rng.randint(18, 58), gender=rng.choice(("male", "female")),
            home_region_code=home.code, lon=home.lon, lat=home.lat, transfer_intention=intention,
            labor_capacity=capacity, desired_occupations=tuple(rng.choice(phrases[g]) for g in wanted),
            skills=tuple(rng.choice(phrases[g]) for g in others),
            expected_wage=rng.randrange(2500, 6000, 100) if rng.random() < 0.9 else None)
        out.append(worker)
        asked[worker.id] = frozenset(wanted)
    return out, asked
