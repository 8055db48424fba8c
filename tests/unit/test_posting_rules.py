"""The posting rules as pure functions."""

from __future__ import annotations

from datetime import date

from services.jobs.postings import rules

TODAY = date(2026, 11, 28)


def posting(**changes) -> dict:
    fields = {"title": "电焊工", "occupation": "焊工", "occupation_code": None, "region_code": "152201",
              "wage_min": 4000, "wage_max": 6000, "age_min": 18, "age_max": 55, "valid_until": date(2027, 3, 31),
              "lon": None, "lat": None}
    return fields | changes


def test_a_fitting_posting_breaks_no_rule():
    assert rules.check(posting(), today=TODAY, new=True) == []


def test_every_broken_rule_is_listed():
    broken = rules.check(posting(wage_min=7000, region_code="999999", age_min=10, valid_until=date(2026, 1, 1)),
                         today=TODAY, new=True)
    assert {e.field for e in broken} == {"wage_min", "region_code", "age_min", "valid_until"}


def test_the_minimum_wage_follows_the_date():
    # 2000 CNY was above 乌兰浩特's 2021 floor (1910) but is below the one in force since 2025-12-01 (2310).
    assert rules.check(posting(wage_min=2000), today=date(2024, 6, 1), new=True) == []
    [error] = rules.check(posting(wage_min=2000), today=TODAY, new=True)
    assert error.field == "wage_min" and "2310" in error.message


def test_a_valid_until_in_the_past_matters_only_for_new_dates():
    old = posting(valid_until=date(2026, 11, 1))
    assert rules.check(old, today=TODAY, new=False) == []
    assert [e.field for e in rules.check(old, today=TODAY, new=True)] == ["valid_until"]


def test_completion_derives_the_occupation_code_and_the_place():
    done = rules.complete(posting(occupation="电焊"))
    assert done["occupation_code"] == "6-18-02"
    assert (round(done["lon"], 2), round(done["lat"], 2)) == (122.09, 46.07)
    by_code = rules.complete(posting(occupation=None, occupation_code="4-10-01"))
    assert by_code["occupation"] == "生活照料服务人员"
