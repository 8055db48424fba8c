"""The resident ID-card number (GB 11643-1999): validation, and the birth date and gender it carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from shared.clock import SystemClock, local_today
from shared.pii import normalise

MIN_WORKING_AGE = 16
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


class IdCardError(ValueError):
    """An ID-card number that is not valid; the message says what is wrong, short enough for an error list, and
    `zh` says it in Chinese for staff."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


@dataclass(frozen=True)
class IdCard:
    number: str  # normalised: 18 characters, X upper-case
    region_code: str  # where the number was first issued, not necessarily where the worker lives now
    birth_date: date
    gender: Literal["male", "female"]


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise IdCardError("the first 17 characters must be digits", "身份证号码前17位应为数字")
    return _CHECK_CHARS[sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS)) % 11]


def parse_id_number(text: str, *, today: date | None = None) -> IdCard:
    """Validate a number and read what it carries; `today` (the local date) bounds the birth date."""
    # The same normalisation as sealing and hashing use, so the blind index of `number` finds the stored one.
    number = normalise(text, purpose="id_number")
    if len(number) != 18:
        raise IdCardError("must be 18 characters", "身份证号码应为18位")
    if not re.fullmatch(r"[0-9]{17}", number[:17]):
        raise IdCardError("the first 17 characters must be digits", "身份证号码前17位应为数字")
    if not re.fullmatch(r"[0-9X]", number[17]):
        raise IdCardError("the last character must be a digit or X", "身份证号码最后一位应为数字或X")
    # The checksum comes before the date: a wrong date in a number is nearly always a typing slip,
    # and the check digit is what reveals one.
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise IdCardError(f"check digit should be {expected}", f"校验位不对，应为{expected}，请核对号码")
    digits = number[6:14]
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdCardError(f"birth date {digits[:4]}-{digits[4:6]}-{digits[6:]} does not exist",
                          f"出生日期{digits[:4]}-{digits[4:6]}-{digits[6:]}不存在") from None
    if birth > (today or local_today(SystemClock())):
        raise IdCardError("birth date is in the future", "出生日期晚于今天")
    gender: Literal["male", "female"] = "male" if int(number[16]) % 2 else "female"
    return IdCard(number=number, region_code=number[:6], birth_date=birth, gender=gender)


def age_on(birth: date, day: date) -> int:
    """Age in whole years on a day (one born on 29 February turns a year older on 1 March in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def working_age_error(card: IdCard, today: date) -> str | None:
    """Why the worker may not be registered for work yet, or None; old age is the matching's concern, not ours."""
    age = age_on(card.birth_date, today)
    if age < MIN_WORKING_AGE:
        return f"the worker is {age}; the minimum working age is {MIN_WORKING_AGE}"
    return None


def make_id_number(region_code: str, birth: date, sequence: int, gender: str) -> str:
    """A valid number for demonstration and test data: `sequence` (0-99) fills digits 15-16, gender the 17th."""
    if not re.fullmatch(r"[0-9]{6}", region_code):
        raise ValueError(f"region_code must be 6 digits, not {region_code!r}")
    if not 0 <= sequence <= 99:
        raise ValueError(f"sequence must be 0-99, not {sequence}")
    if gender not in ("male", "female"):
        raise ValueError(f"gender must be male or female, not {gender!r}")
    birth_digits = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
    first17 = f"{region_code}{birth_digits}{sequence:02d}{1 if gender == 'male' else 0}"
    return first17 + check_digit(first17)
