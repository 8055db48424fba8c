"""Which language an Accept-Language header asks for."""

from __future__ import annotations

import pytest

from shared.field_errors import field_errors
from shared.language import prefers_chinese


@pytest.mark.parametrize(("header", "chinese"), [
    ("zh-CN", True), ("zh-CN,zh;q=0.9,en;q=0.8", True), ("zh-Hant-TW", True), ("en;q=0.5,zh;q=0.9", True),
    ("en-US,en;q=0.9,zh;q=0.8", False), ("", False), (None, False), ("zhx", False), ("*", False),
    ("en;q=abc,zh", True),
])
def test_prefers_chinese(header, chinese):
    assert prefers_chinese(header) is chinese


def test_pydantic_messages_in_chinese_fill_in_the_limits():
    errors = [{"type": "string_too_long", "loc": ("body", "title"), "msg": "String should have at most 100 characters",
               "ctx": {"max_length": 100}, "input": "x" * 101},
              {"type": "literal_error", "loc": ("body", "labor_capacity"), "msg": "Input should be ...",
               "ctx": {"expected": "'full', 'partial', 'weak' or 'none'"}, "input": "很好"},
              {"type": "some_new_type", "loc": ("query", "page"), "msg": "?", "input": 1}]

    entries = field_errors(errors, chinese=True)

    assert [e["msg"] for e in entries] == ["最多 100 个字", "只能填：full、partial、weak、none", "填写有误"]
    assert [e["field"] for e in entries] == ["title", "labor_capacity", "page"]
    assert "input" not in entries[0] and entries[1]["input"] == "很好"
