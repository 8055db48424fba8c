"""Hostile uploads built by the tests themselves: workbooks with a payload hidden in a part, under the ratio guard."""

from __future__ import annotations

import io
import random
import zipfile

from openpyxl import Workbook

_LETTERS = b"abcdefghijklmnopqrstuvwxyz0123456789"


def workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filler(size: int, *, seed: int = 16) -> bytes:
    """`size` bytes that deflate about 80–90:1, under the 100:1 zip-bomb guard: a random 30 KB block repeated, each copy
    followed by a little fresh noise (a plain repetition would compress far better and be refused as a bomb)."""
    rng = random.Random(seed)
    block = bytes(rng.choice(_LETTERS) for _ in range(30_000))
    parts, total = [], 0
    while total < size:
        noise = bytes(rng.choice(_LETTERS) for _ in range(160))
        parts += [block, noise]
        total += len(block) + len(noise)
    return b"".join(parts)[:size]


def with_part(data: bytes, part: str, change) -> bytes:
    """The workbook with one part's bytes replaced by change(old bytes), deflated at the highest level."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                      compresslevel=9) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


def before_sheet_data(data: bytes, payload: bytes) -> bytes:
    """The workbook with `payload` placed in its first sheet just before the cells."""
    def insert(sheet: bytes) -> bytes:
        at = sheet.index(b"<sheetData")
        return sheet[:at] + payload + sheet[at:]

    return with_part(data, "xl/worksheets/sheet1.xml", insert)


def comment_bomb(size: int) -> bytes:
    """A small valid workbook whose first sheet holds an XML comment of `size` bytes."""
    return before_sheet_data(workbook(["title"], ["cook"]), b"<!--" + filler(size) + b"-->")


def ratio(data: bytes) -> float:
    """The largest inflate ratio of any part (what the zip-bomb guard looks at)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return max(info.file_size / max(info.compress_size, 1) for info in archive.infolist())


def long_workbook(rows: int, header: str = "title") -> bytes:
    """A valid workbook with a header and `rows` rows of one blank text cell: slow to read, nothing to import."""
    def cells(sheet: bytes) -> bytes:
        start, end = sheet.index(b"<sheetData>") + len(b"<sheetData>"), sheet.index(b"</sheetData>")
        first = b'<row r="1"><c r="A1" t="inlineStr"><is><t>%s</t></is></c></row>' % header.encode()
        body = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t> </t></is></c></row>' % (n, n)
                        for n in range(2, rows + 2))
        return sheet[:start] + first + body + sheet[end:]

    return with_part(workbook(["title"]), "xl/worksheets/sheet1.xml", cells)
