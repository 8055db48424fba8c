"""Hostile workbooks: refused in moments, whatever the parser would make of them, and a long read can be cancelled."""

from __future__ import annotations

import asyncio
import time

import pytest

from shared import uploads
from shared.uploads import UploadError, read_table, read_upload
from shared.xlsx_guard import Budget, WorkbookTooSlow
from tests.unit.hostile_files import before_sheet_data, comment_bomb, filler, long_workbook, ratio, with_part, workbook

ALIASES = {"title": ["title", "岗位名称"]}


def read(data: bytes, **options):
    return read_table(data, filename="list.xlsx", aliases=ALIASES, max_bytes=5 << 20, **options)


def timed_refusal(data: bytes, match: str) -> float:
    started = time.monotonic()
    with pytest.raises(UploadError, match=match):
        read(data)
    return time.monotonic() - started


def test_a_16_mb_comment_under_the_ratio_guard_is_refused_at_once():
    # Before the guard this took about 30 s to parse (the cost grows with the square of the comment's length).
    data = comment_bomb(16 << 20)
    assert len(data) < 300_000 and ratio(data) < 100

    assert timed_refusal(data, "hidden text") < 5


def test_a_comment_with_markup_inside_is_still_one_long_token():
    payload = b"<!--" + b"".join(filler(1000, seed=n) + b"<c>" for n in range(400)) + b"-->"

    assert timed_refusal(before_sheet_data(workbook(["title"], ["cook"]), payload), "hidden text") < 5


def test_a_tag_whose_attribute_is_long_and_full_of_closing_brackets():
    payload = b'<sheetPr codeName="' + filler(1 << 20).replace(b"a", b">") + b'"/>'

    assert timed_refusal(before_sheet_data(workbook(["title"], ["cook"]), payload), "hidden text") < 5


def test_a_document_type_declaration_is_refused():
    def doctype(sheet: bytes) -> bytes:
        return b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + sheet

    data = with_part(workbook(["title"], ["cook"]), "xl/worksheets/sheet1.xml", doctype)

    timed_refusal(data, "document type declaration")


def test_a_part_in_utf16_is_refused():
    def utf16(sheet: bytes) -> bytes:
        return sheet.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")

    data = with_part(workbook(["title"], ["cook"]), "xl/worksheets/sheet1.xml", utf16)

    timed_refusal(data, "encoding")


def test_a_part_that_inflates_past_the_limit_is_refused_while_it_inflates(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PART_BYTES", 256 << 10)

    assert len(read(long_workbook(2_000)).rows) == 0
    with pytest.raises(UploadError, match=r"\(xl/worksheets/sheet1.xml\) unpacks to more than"):
        read(long_workbook(20_000))


def test_a_read_past_its_budget_stops_with_a_message():
    with pytest.raises(WorkbookTooSlow, match="more than 0.01 seconds"):
        read(long_workbook(400_000), max_rows=10**6, budget=Budget(0.01))


def test_an_ordinary_workbook_reads_as_before():
    table = read(workbook(["说明：本表为示例"], ["岗位名称"], ["保洁员"]))

    assert [row.values for row in table.rows] == [{"title": "保洁员"}]


async def test_cancelling_a_long_read_stops_its_thread_within_moments():
    data = long_workbook(1_000_000)  # about 10 s to read whole on this machine
    task = asyncio.create_task(read_upload(data, filename="list.xlsx", aliases=ALIASES, max_bytes=10 << 20,
                                           max_rows=10**6))
    await asyncio.sleep(0.5)
    assert not task.done()

    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # read_upload returns only once its thread has stopped, so nothing reads on after the cancel.
    assert time.monotonic() - started < 3
