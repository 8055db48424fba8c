"""The course rules as pure functions: subsidised hours, the household-service age rule, seats and dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.workers.courses.rules import (
    CourseTerms,
    Trainee,
    age_limit,
    assess,
    certificate_key,
    is_household_service,
    occupation_name,
    open_for_enrolment,
)

START = date(2027, 3, 1)


def course(**changes) -> CourseTerms:
    return replace(CourseTerms(hours=56, start_on=START, end_on=date(2027, 3, 20), seats=10, taken=0,
                               household_service=True), **changes)


def aged(years: int, gender: str = "female", *, day_after: bool = False) -> Trainee:
    """A trainee who turns `years` on the course's first day (or, with day_after, the day after it)."""
    return Trainee(gender=gender, birth_date=date(START.year - years, START.month, START.day + (1 if day_after else 0)))


@pytest.mark.parametrize(("hours", "subsidised"), [(55, False), (56, True), (1, False), (400, True)])
def test_56_class_hours_make_a_seat_subsidised_training(hours, subsidised):
    verdict = assess(course(hours=hours), aged(30), today=date(2027, 2, 1))
    assert verdict.allowed and verdict.subsidised is subsidised
    assert bool(verdict.notes) is not subsidised


@pytest.mark.parametrize(("gender", "household", "age", "allowed"), [
    ("female", True, 55, True), ("female", True, 56, False), ("female", True, 50, True),
    ("female", False, 50, True), ("female", False, 51, False), ("female", False, 55, False),
    ("male", True, 56, True), ("male", True, 60, True), ("male", True, 61, False), ("male", False, 60, True),
])
def test_the_subsidys_age_limit_at_the_start_of_the_course(gender, household, age, allowed):
    verdict = assess(course(household_service=household), aged(age, gender), today=date(2027, 2, 1))
    assert verdict.allowed is allowed and verdict.subsidised is allowed


def test_age_is_counted_on_the_first_day_of_the_course():
    assert assess(course(), aged(55), today=date(2027, 2, 1)).allowed  # turns 55 on the first day
    assert not assess(course(), aged(56), today=date(2027, 2, 1)).allowed  # turns 56 on the first day
    assert assess(course(), aged(56, day_after=True), today=date(2027, 2, 1)).allowed  # 56 only the day after


def test_the_age_limits_do_not_apply_to_a_course_that_is_not_subsidised():
    verdict = assess(course(hours=40), aged(70), today=date(2027, 2, 1))
    assert verdict.allowed and not verdict.subsidised


def test_limits_by_gender_and_trade():
    assert (age_limit("female", household_service=True), age_limit("female", household_service=False),
            age_limit("male", household_service=True), age_limit("male", household_service=False)) == (55, 50, 60, 60)


def test_seats_and_dates_refuse_with_their_reasons():
    young = aged(30)
    assert assess(course(taken=10), young, today=date(2027, 2, 1)).refusals == ("名额已满（共10个）",)
    assert assess(course(), young, today=date(2027, 2, 28)).allowed
    assert assess(course(), young, today=START).refusals == ("课程已于2027-03-01开课，不能再报名",)
    assert assess(course(), young, today=date(2027, 3, 21)).refusals == ("课程已于2027-03-20结束，不能再报名",)
    both = assess(course(taken=10), aged(56), today=START)
    assert len(both.refusals) == 3 and not both.subsidised
    assert open_for_enrolment(course(), date(2027, 2, 28)) and not open_for_enrolment(course(), START)
    assert not open_for_enrolment(course(taken=10), date(2027, 2, 1))


@pytest.mark.parametrize(("code", "household"), [
    ("4-10-01", True), ("4-10-01-06", True), ("4-10-01-05", True), ("4-14-01-02", True),
    ("4-14-01", False), ("4-14-01-04", False), ("4-10-02", False), ("4-09-08-01", False), ("6-18-02", False),
    ("4-10-011", False),
])
def test_household_service_trades(code, household):
    assert is_household_service(code) is household


def test_occupations_are_small_groups_or_detailed_occupations():
    assert occupation_name("4-10-01") == "生活照料服务人员"
    assert occupation_name("4-10-01-06") == "家政服务员"
    assert occupation_name("41001") is None  # the 5-digit form is not how courses are coded
    assert occupation_name("4-10") is None  # a middle group is too broad for a course
    assert occupation_name("4-10-01-99") is None


@pytest.mark.parametrize(("written", "key"), [
    ("育婴员证", "育婴员证"), ("育婴员证（初级）", "育婴员证"), (" 育婴员证 (三级)", "育婴员证"), ("育婴员证【高级】", "育婴员证"),
    ("驾驶证(B2)", "驾驶证b2"), ("特种作业操作证（焊接与热切割）", "特种作业操作证焊接与热切割"), ("焊工 证", "焊工证"),
])
def test_certificate_names_are_read_lightly(written, key):
    assert certificate_key(written) == key
