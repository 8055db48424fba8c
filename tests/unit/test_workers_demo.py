"""The demonstration labourers: valid, unique, deterministic and distributed like a real ledger, and the placed ones
placed in postings of the demonstration data that can take them (no I/O)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from jobbridge.demo import jobs
from jobbridge.demo.workers import COUNT, assign_postings, labourers
from services.workers.profiles.idcard import age_on, parse_id_number, working_age_error
from services.workers.profiles.schemas import ProfileIn
from shared.reference.regions import get_region
from shared.reference.vocabulary import common_jobs
from shared.reference.wages import minimum_wage

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def data():
    return labourers()


def test_the_data_set_is_the_same_on_every_call(data):
    assert len(data) == COUNT
    assert labourers() == data


def test_every_labourer_is_a_valid_registration(data):
    for labourer in data:
        # Fields a labourer leaves out (the pension, recorded later by staff) keep their defaults.
        assert ProfileIn.model_validate(labourer.fields).model_dump(exclude_unset=True) == labourer.fields


def test_id_numbers_parse_are_unique_and_carry_the_home_county(data):
    cards = [parse_id_number(labourer.fields["id_number"], today=TODAY) for labourer in data]
    assert len({card.number for card in cards}) == COUNT
    assert all(working_age_error(card, TODAY) is None for card in cards)
    assert {card.birth_date.year for card in cards} <= set(range(1962, 2007))
    for labourer, card in zip(data, cards):
        assert card.region_code == labourer.fields["home_region_code"][:6]


def test_phones_are_unique_mainland_mobiles_and_openids_look_like_wechat_ones(data):
    phones = [labourer.fields["phone"] for labourer in data]
    assert len(set(phones)) == COUNT and all(re.fullmatch(r"1[3-9]\d{9}", phone) for phone in phones)
    openids = [labourer.fields["wechat_openid"] for labourer in data if labourer.fields["wechat_openid"]]
    assert openids and all(re.fullmatch(r"o[A-Za-z0-9_-]{27}", openid) for openid in openids)


def test_homes_are_league_townships_and_jobs_are_canonical(data):
    jobs = set(common_jobs())
    for labourer in data:
        home = get_region(labourer.fields["home_region_code"])
        assert home is not None and home.level == "township"
        assert "监狱" not in home.name and "戒毒" not in home.name
        assert labourer.fields["desired_occupations"] and set(labourer.fields["desired_occupations"]) <= jobs
        assert labourer.fields["skills"] and labourer.fields["name"]


def test_shares_are_those_of_a_real_ledger(data):
    def share(predicate) -> float:
        return sum(1 for labourer in data if predicate(labourer.fields)) / COUNT

    intentions = Counter(labourer.fields["transfer_intention"] for labourer in data)
    for intention, expected in {"none": 0.15, "near_home": 0.35, "league": 0.25, "anywhere": 0.25}.items():
        assert abs(intentions[intention] / COUNT - expected) < 0.04, intention
    assert 0.7 < share(lambda f: f["labor_capacity"] == "full") < 0.9
    assert 0.65 < share(lambda f: f["education"] in ("primary", "junior")) < 0.85
    assert 0.35 < share(lambda f: f["wants_training"]) < 0.45
    assert 0.07 < share(lambda f: f["wants_entrepreneurship"]) < 0.13
    assert share(lambda f: f["consent"]["sms"]) > 0.85 and share(lambda f: f["consent"]["share_with_partners"]) > 0.7
    assert all(2500 <= f["expected_wage"] <= 7000 for f in (labourer.fields for labourer in data) if f["expected_wage"])
    placed = [labourer for labourer in data if labourer.job]
    assert 0.06 < len(placed) / COUNT < 0.10
    assert all(labourer.fields["transfer_intention"] != "none" for labourer in placed)
    counties = Counter(labourer.fields["home_region_code"][:6] for labourer in data)
    assert counties.most_common(1)[0][0] == "152222" and set(counties) == {"152201", "152202", "152221", "152222",
                                                                          "152223", "152224"}


@pytest.fixture(scope="module")
def openings() -> list[jobs.Opening]:
    """The demonstration postings as jobs creates them, each with an id of its own."""
    return [jobs.Opening.of(f"posting-{n}", fields) for n, (_, fields, _) in enumerate(jobs.data_set(TODAY).postings)]


def test_every_placement_names_a_demonstration_posting_that_can_take_the_labourer(data, openings):
    planned = assign_postings(data, openings, today=TODAY)
    by_id = {opening.id: opening for opening in openings}
    taken: Counter[str] = Counter()
    for labourer, placement in zip(data, planned):
        if placement is None:
            continue
        assert labourer.job is not None, "only the labourers the data set places are placed"
        posting = by_id[placement["posting_id"]]
        taken[posting.id] += 1
        assert placement["work_region_code"] == posting.region_code
        area = labourer.job.destination.area
        assert posting.region_code.startswith(area) or (area.startswith("1522") and posting.region_code.startswith("1522"))
        floor = minimum_wage(posting.region_code, placement["start_date"])
        assert floor is not None and placement["monthly_wage"] >= floor.monthly_cny
        assert posting.wage_min <= placement["monthly_wage"] <= posting.wage_max
        assert placement["contract_months"] == posting.contract_months and placement["contract_months"] > 0
        assert placement["start_date"] == TODAY - timedelta(days=labourer.job.days_ago)
        card = parse_id_number(labourer.fields["id_number"], today=TODAY)
        assert posting.gender in (None, card.gender)
        assert posting.age_min <= age_on(card.birth_date, placement["start_date"]) <= posting.age_max
    assert all(count <= by_id[posting_id].headcount for posting_id, count in taken.items())
    assert sum(taken.values()) >= 0.98 * sum(1 for labourer in data if labourer.job)  # a few too old for any posting
    assert assign_postings(data, list(reversed(openings)), today=TODAY) == planned  # the same, whatever the order


def test_placements_take_the_trades_and_places_the_labourers_went_for(data, openings):
    planned = assign_postings(data, openings, today=TODAY)
    by_id = {opening.id: opening for opening in openings}
    pairs = [(labourer.job, by_id[placement["posting_id"]]) for labourer, placement in zip(data, planned)
             if placement is not None and labourer.job is not None]
    assert sum(posting.region_code.startswith(job.destination.area) for job, posting in pairs) >= 0.95 * len(pairs)
    assert sum(posting.occupation in job.destination.trades for job, posting in pairs) >= 0.6 * len(pairs)
    assert {posting.region_code[:4] for _, posting in pairs} == {"1101", "1522"}


def test_no_posting_is_placed_past_its_headcount_even_when_few_are_left(data, openings):
    scarce = [dataclasses.replace(opening, headcount=1) for opening in openings[::4]]
    planned = assign_postings(data, scarce, today=TODAY)
    taken = Counter(placement["posting_id"] for placement in planned if placement is not None)
    assert taken and max(taken.values()) == 1
