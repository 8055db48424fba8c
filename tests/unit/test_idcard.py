"""ID-card numbers: the GB 11643 checksum, the birth date and gender they carry, and the minimum working age."""

import random
from datetime import date, timedelta

import pytest

from services.workers.profiles.idcard import (
    MIN_WORKING_AGE,
    IdCardError,
    age_on,
    check_digit,
    make_id_number,
    parse_id_number,
    working_age_error,
)

TODAY = date(2027, 3, 1)
EXAMPLE = "152222198311036001"  # the contract's worker 张秀英: valid, check digit 1


def _with_check_digit(first17):
    return first17 + check_digit(first17)


def test_the_contract_example_is_valid_and_carries_birth_date_and_gender():
    card = parse_id_number(EXAMPLE, today=TODAY)
    assert card.number == EXAMPLE
    assert card.region_code == "152222"
    assert card.birth_date == date(1983, 11, 3)
    assert card.gender == "female"  # 17th digit 0 is even


def test_the_check_digit_follows_the_standard_weights():
    assert check_digit(EXAMPLE[:17]) == "1"
    # The standard's own worked example (GB 11643-1999, appendix): 11010519491231002X.
    assert check_digit("11010519491231002") == "X"


def test_an_odd_17th_digit_is_a_man():
    number = _with_check_digit("15222219830514001")
    assert parse_id_number(number, today=TODAY).gender == "male"


def test_a_lower_case_x_full_width_digits_and_spaces_are_accepted_and_normalised():
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in EXAMPLE)
    assert parse_id_number(f" {full_width} ", today=TODAY).number == EXAMPLE
    assert parse_id_number("152222 19831103 6001", today=TODAY).number == EXAMPLE


@pytest.mark.parametrize("text, message", [
    ("15222219831103600", "must be 18 characters"),
    ("1522221983110360011", "must be 18 characters"),
    ("", "must be 18 characters"),
    ("15222219831A036001", "the first 17 characters must be digits"),
    ("15222219831103600A", "the last character must be a digit or X"),
    ("152222198311036002", "check digit should be 1"),
    (_with_check_digit("15222219830230600"), "birth date 1983-02-30 does not exist"),
    (_with_check_digit("15222219831303600"), "birth date 1983-13-03 does not exist"),
    (_with_check_digit("15222220270302600"), "birth date is in the future"),
])
def test_each_fault_is_named(text, message):
    with pytest.raises(IdCardError) as raised:
        parse_id_number(text, today=TODAY)
    assert str(raised.value) == message


def test_a_slip_of_one_digit_is_caught_by_the_check_digit():
    for position in range(17):
        for digit in "0123456789":
            if digit == EXAMPLE[position]:
                continue
            with pytest.raises(IdCardError, match="check digit should be"):
                parse_id_number(EXAMPLE[:position] + digit + EXAMPLE[position + 1:], today=TODAY)


def test_born_today_is_not_in_the_future():
    assert parse_id_number(make_id_number("152222", TODAY, 1, "male"), today=TODAY).birth_date == TODAY


def test_age_counts_whole_years():
    assert age_on(date(1983, 11, 3), date(2027, 11, 2)) == 43
    assert age_on(date(1983, 11, 3), date(2027, 11, 3)) == 44
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_under_sixteen_may_not_be_registered_for_work():
    sixteenth_birthday = date(TODAY.year - MIN_WORKING_AGE, TODAY.month, TODAY.day)
    child = parse_id_number(make_id_number("152221", sixteenth_birthday + timedelta(days=1), 7, "male"), today=TODAY)
    assert working_age_error(child, TODAY) == "the worker is 15; the minimum working age is 16"
    youth = parse_id_number(make_id_number("152221", sixteenth_birthday, 7, "male"), today=TODAY)
    assert working_age_error(youth, TODAY) is None


def test_old_workers_are_not_rejected():
    elder = parse_id_number(make_id_number("152223", date(1941, 5, 1), 3, "female"), today=TODAY)
    assert working_age_error(elder, TODAY) is None


def test_the_generator_reproduces_the_contract_example():
    assert make_id_number("152222", date(1983, 11, 3), 60, "female") == EXAMPLE


def test_generated_numbers_parse_back_to_their_birth_date_and_gender():
    rng = random.Random(11643)
    regions = ["152201", "152202", "152221", "152222", "152223", "152224", "110106"]
    for _ in range(5000):
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange((TODAY - date(1940, 1, 1)).days + 1))
        gender = rng.choice(["male", "female"])
        sequence = rng.randrange(100)
        number = make_id_number(rng.choice(regions), birth, sequence, gender)
        card = parse_id_number(number, today=TODAY)
        assert (card.birth_date, card.gender, card.number[14:16]) == (birth, gender, f"{sequence:02d}")


@pytest.mark.parametrize("args", [
    ("15222", date(1983, 11, 3), 1, "male"),
    ("152222", date(1983, 11, 3), 100, "male"),
    ("152222", date(1983, 11, 3), -1, "male"),
    ("152222", date(1983, 11, 3), 1, "男"),
])
def test_the_generator_refuses_what_cannot_be_a_number(args):
    with pytest.raises(ValueError):
        make_id_number(*args)
