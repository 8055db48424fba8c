"""When follow-up visits fall due."""

from __future__ import annotations

from datetime import date

import pytest

from services.workers.followups.rules import due_dates, parse_months
from shared.clock import add_months


@pytest.mark.parametrize(("start", "months", "due"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 15), 6, date(2027, 6, 15)),
    (date(2026, 7, 1), 12, date(2027, 7, 1)),
])
def test_a_visit_falls_on_the_same_day_months_later_or_the_last_of_a_shorter_month(start, months, due):
    assert add_months(start, months) == due


def test_the_visits_of_a_placement_come_in_order_once_each():
    assert due_dates(date(2026, 12, 1), (6, 1, 3, 3)) == [(1, date(2027, 1, 1)), (3, date(2027, 3, 1)),
                                                          (6, date(2027, 6, 1))]


@pytest.mark.parametrize("text", ["", "0,3", "1,x", "61"])
def test_a_bad_setting_of_months_is_refused(text):
    with pytest.raises(ValueError):
        parse_months(text)


def test_months_may_be_written_with_a_chinese_comma():
    assert parse_months("1，3，6") == (1, 3, 6)
