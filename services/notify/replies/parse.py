"""What a reply's words say: stop, an offer's number, none fits.

Pure: no I/O. Each vendor reads its own push into `SmsReply` (services/notify/vendors/); what the words mean is the
same whichever vendor carried them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

# What carriers and both vendors treat as "unsubscribe" in a reply (回T退订 asks for T; TD is the carriers' word).
_STOP_WORDS = {"T", "TD", "N", "回T", "回TD", "退订", "取消", "退定", "不要再发", "拒收"}
# "2", "回2", "回复2", "选2", then anything without another digit ("2 好的", "2号"); width and spaces aside.
_PICK = re.compile(r"(?:回复|回|选)?\s*(\d)\D*")


def is_opt_out(content: str) -> bool:
    """Does this reply ask to stop? Case, spaces and punctuation aside: T, TD, N, 退订, …"""
    word = re.sub(r"[\s\W_]+", "", content or "").upper()
    return word in _STOP_WORDS or word.startswith(("退订", "TD"))


class Answer(StrEnum):
    opt_out = "opt_out"  # stop SMS for good
    pick = "pick"  # the number of an offer (1..9; whether the message had that many is for the caller to say)
    none_fit = "none_fit"  # 0: none of the offers fits
    other = "other"  # anything else: kept for staff to read, never guessed at


@dataclass(frozen=True)
class Reading:
    answer: Answer
    number: int | None = None  # the digit of a pick (0 for none_fit)


def read_answer(content: str) -> Reading:
    """What a reply says. Tolerant of full-width digits, spaces, a leading 回 and words after the digit; a reply
    with two digits ("2和3", "12") or a digit after words ("好的2") is not guessed at."""
    text = unicodedata.normalize("NFKC", content or "").strip()
    if is_opt_out(text):
        return Reading(Answer.opt_out)
    match = _PICK.fullmatch(text)
    if match is None:
        return Reading(Answer.other)
    digit = int(match.group(1))
    return Reading(Answer.none_fit, 0) if digit == 0 else Reading(Answer.pick, digit)
