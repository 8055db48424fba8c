"""Field types for bodies that also arrive as spreadsheet rows: lists as text, yes/no in Chinese."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints

_SEPARATORS = re.compile(r"[、,，;；/|]+")
_TRUE = {"true", "1", "yes", "y", "是", "有", "包", "提供", "同意", "√"}
_FALSE = {"false", "0", "no", "n", "否", "无", "不", "不提供", "不同意", "×", ""}


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


Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
Tags = Annotated[list[Short], BeforeValidator(split_list), Field(max_length=30)]
YesNo = Annotated[bool, BeforeValidator(yes_no)]
