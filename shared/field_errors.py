"""A 422's field errors as a person reads them: pydantic's messages in short plain Chinese, and no echo of the input.

Each entry keeps FastAPI's `loc`, `type` and `msg` (translated) and adds `field`, `code` and `message`. The input is
repeated only when it is a short scalar and not a personal number, and at most `MAX_ENTRIES` entries are listed: an
error answer is never larger than a few KB, whatever was sent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

MAX_ENTRIES = 50
_ECHO_CHARS = 60
_SECRET_FIELDS = {"id_number", "phone", "wechat_openid"}
_WHERE = {"body", "query", "path", "header", "cookie"}

# pydantic's error type -> the Chinese for it; {name} is filled from the error's ctx.
_ZH = {
    "missing": "必须填写",
    "extra_forbidden": "没有这一项，请删掉",
    "string_type": "应填文字",
    "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "最多 {max_length} 个字",
    "string_pattern_mismatch": "格式不对",
    "control_character": "含有看不见的控制字符或乱码，请删掉后重填",
    "int_type": "应填整数",
    "int_parsing": "应填整数",
    "int_from_float": "应填整数",
    "float_type": "应填数字",
    "float_parsing": "应填数字",
    "finite_number": "应填普通的数字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "bool_type": "应填“是”或“否”",
    "bool_parsing": "应填“是”或“否”",
    "literal_error": "只能填：{expected}",
    "enum": "只能填：{expected}",
    "date_type": "日期格式应为 2027-03-31",
    "date_parsing": "日期格式应为 2027-03-31",
    "date_from_datetime_parsing": "日期格式应为 2027-03-31",
    "date_from_datetime_inexact": "日期格式应为 2027-03-31",
    "datetime_type": "时间格式不对",
    "datetime_parsing": "时间格式不对",
    "datetime_from_date_parsing": "时间格式不对",
    "list_type": "应填一组值",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "model_type": "应为一个对象",
    "model_attributes_type": "应为一个对象",
    "dict_type": "应为一个对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "url_parsing": "网址格式不对",
    "uuid_parsing": "编号格式不对",
    "mobile_number": "应为 11 位手机号，以 13–19 开头",
    "unknown_region": "不认识这个地区代码",
    "null_not_allowed": "不能填空值，不改就不要填这一项",
    "period_order": "结束日期早于开始日期",
    "certificate_without_completion": "结业了才能登记取得证书",
    "value_error": "填写有误",
    "assertion_error": "填写有误",
}


def field_errors(errors: Sequence[Any], *, chinese: bool) -> list[dict]:
    """The entries of a 422 for pydantic's (or FastAPI's) errors."""
    entries = []
    for error in errors[:MAX_ENTRIES]:
        loc = [part if isinstance(part, (int, str)) else str(part) for part in error.get("loc", ())]
        kind = str(error.get("type", "value_error"))
        msg = _chinese(kind, error.get("ctx") or {}) if chinese else str(error.get("msg", ""))[:200]
        field = ".".join(str(part) for part in (loc[1:] if loc[:1] and loc[0] in _WHERE else loc))
        entry = {"type": kind, "loc": loc, "msg": msg, "field": field, "code": kind, "message": msg}
        if _echoable(error.get("input"), loc):
            entry["input"] = error["input"]
        entries.append(entry)
    if len(errors) > MAX_ENTRIES:
        more = len(errors) - MAX_ENTRIES
        msg = f"还有 {more} 处错误没有列出" if chinese else f"{more} more errors not listed"
        entries.append({"type": "too_many_errors", "loc": [], "msg": msg, "field": "", "code": "too_many_errors",
                        "message": msg})
    return entries


def in_chinese(error: Mapping[str, Any]) -> str:
    """One pydantic error's message in Chinese."""
    return _chinese(str(error.get("type", "value_error")), error.get("ctx") or {})


def more_zh(count: int) -> str:
    """What follows the first of `count` problems of one row."""
    return f"（另有 {count - 1} 处）" if count > 1 else ""


def _chinese(kind: str, ctx: dict) -> str:
    template = _ZH.get(kind, "填写有误")
    values = {name: _plain(value) for name, value in ctx.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template.split("{")[0].rstrip("：: ") or "填写有误"


def _plain(value: object) -> str:
    # literal_error's ctx lists choices as "'full', 'partial' or 'none'": keep the values, drop the quotes.
    return str(value).replace("'", "").replace(" or ", "、").replace(", ", "、")


def _echoable(value: object, loc: list) -> bool:
    if any(str(part) in _SECRET_FIELDS for part in loc):
        return False
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return abs(value) < 10**15
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and len(value) <= _ECHO_CHARS and value.isprintable()
