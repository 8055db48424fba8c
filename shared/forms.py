"""Field types for bodies that also arrive as spreadsheet rows: clean text, lists as text, yes/no in Chinese."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

# Characters no person types: C0 and C1 controls, DEL, halves of a UTF-16 pair alone (a JSON "\ud800"), and the two
# non-characters. They break the XML of an export and PostgreSQL's text (NUL), and hide text from whoever reads it.
_NOT_TEXT = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_NOT_IN_LINE = re.compile(f"[\t\n{_NOT_TEXT}]")
_NOT_IN_TEXT = re.compile(f"[{_NOT_TEXT}]")
_SEPARATORS = re.compile(r"[、,，;；/|]+")
_TRUE = {"true", "1", "yes", "y", "是", "有", "包", "提供", "同意", "√"}
_FALSE = {"false", "0", "no", "n", "否", "无", "不", "不提供", "不同意", "×", ""}


def _refuse(pattern: re.Pattern[str]):
    def check(value: str) -> str:
        found = pattern.search(value)
        if found:
            raise PydanticCustomError(
                "control_character", "must not contain control characters or broken text (U+{code} at {position})",
                {"code": f"{ord(found.group()):04X}", "position": found.start() + 1})
        return value

    return AfterValidator(check)


def clean(text: str, *, multiline: bool = False) -> str:
    """The text without what Line (or Text, when multiline) refuses: for data stored before they refused it."""
    text = text.replace("\r\n", "\n") if multiline else text
    return (_NOT_IN_TEXT if multiline else _NOT_IN_LINE).sub("", text)


def _crlf(value: object) -> object:
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


# One line of text a person typed (a name, a title, a skill): no control characters at all.
Line = Annotated[str, _refuse(_NOT_IN_LINE)]
# Text that may run over lines (a description): tab and newline allowed, CRLF read as a newline.
Text = Annotated[str, BeforeValidator(_crlf), _refuse(_NOT_IN_TEXT)]


def split_list(value: object) -> object:
    """List fields also arrive as text separated by 、 or commas (spreadsheet rows)."""
    if isinstance(value, str):
        return [part.strip() for part in _SEPARATORS.split(value) if part.strip()]
    return value


def yes_no(value: object) -> object:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return value


# The highest page and offset a listing accepts: far past any real listing, far below where databases overflow.
PAGE_MAX = 1_000_000
OFFSET_MAX = 100_000_000

Short = Annotated[Line, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
Tags = Annotated[list[Short], BeforeValidator(split_list), Field(max_length=30)]
YesNo = Annotated[bool, BeforeValidator(yes_no)]
