"""Reading an uploaded CSV or XLSX file into rows keyed by canonical field names, before any validation."""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain, islice
from typing import NamedTuple

from fastapi import UploadFile

from shared import xlsx_reader
from shared.errors import UploadError, UploadTooLarge
from shared.xlsx_guard import Budget, GuardedArchive

__all__ = ["Row", "Table", "UploadError", "UploadTooLarge", "read_table", "read_upload", "receive"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # old .xls, and also password-protected .xlsx (both are OLE containers)
_DELIMITERS = (",", "\t", ";")
_SNIFF_BYTES = 64 * 1024
_HEADER_SEARCH_ROWS = 10  # templates often put a title row, or a note, above the header
_EXCEL_MAX_ROWS = 1_048_576  # a higher row number means a damaged or hostile file, not a spreadsheet
_MAX_INFLATE_RATIO = 100  # zip-bomb guard, as in Apache POI: real workbook parts compress far less
_INFLATE_GRACE = 1 << 20
# 50,000 rows of a 12-column ledger as Excel writes them make a 36 MB sheet part; real parts stay far below this.
MAX_PART_BYTES = 128 << 20
# The longest XML token (tag, comment, run of text) read: a cell holds at most 32,767 characters (<= ~200 KB).
MAX_TOKEN_BYTES = 256 << 10
READ_SECONDS = 60.0  # the default budget of one read
_CHECK_EVERY_ROWS = 500
_PARENTHESISED = re.compile(r"\([^)]*\)")


# The multipart envelope around the file adds a little; a body much larger than the limit is refused unread.
_ENVELOPE_ALLOWANCE = 64 * 1024


async def receive(file: UploadFile, *, declared_length: int, limit: int) -> bytes:
    """The bytes of an uploaded file part, at most one over the limit (so read_table can tell it is too large)."""
    if declared_length > limit + _ENVELOPE_ALLOWANCE:
        raise UploadTooLarge(f"the file is larger than the limit of {limit} bytes", limit=limit)
    return await file.read(limit + 1)


@dataclass(frozen=True)
class Row:
    """One data row, numbered as in the spreadsheet (header row 1, first data row 2); absent columns are absent keys."""

    number: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    rows: list[Row]
    unknown_headers: list[str]


class _Header(NamedTuple):
    number: int
    columns: list[tuple[int, str]]  # (cell index, canonical field)
    unknown: list[str]
    width: int  # cells past the last header are ignored


def read_table(
    data: bytes,
    *,
    filename: str | None,
    aliases: Mapping[str, Iterable[str]],
    max_bytes: int,
    max_rows: int = 50_000,
    budget: Budget | None = None,
) -> Table:
    """Read the first table of an uploaded CSV or XLSX file.

    aliases: canonical field name -> accepted headers, e.g.
    {"title": ["title", "岗位名称", "岗位"], "wage_min": ["wage_min", "最低月薪", "月薪下限"]}.
    The content decides the format; `filename` only names the file in messages. `budget` bounds the time (60 s by
    default) and lets another thread cancel the read.
    """
    budget = budget or Budget(READ_SECONDS)
    name = _called(filename)
    if len(data) > max_bytes:
        raise UploadTooLarge(f"{name} is larger than the {_size(max_bytes)} limit", limit=max_bytes)
    if not data:
        raise UploadError(f"{name} is empty", zh="文件是空的")
    fields = _field_index(aliases)
    if data.startswith(_OLE):
        raise UploadError(f"{name} is an old .xls or a password-protected workbook; save it as .xlsx or .csv",
                          zh="这是旧版 .xls 或加了密码的表格，请在 Excel 中另存为 .xlsx 或 .csv")
    if data.startswith(_ZIP):
        return _read_xlsx(data, name, fields, max_rows, budget)
    return _read_csv(data, name, fields, max_rows, budget)


async def read_upload(data: bytes, *, seconds: float = READ_SECONDS, **options) -> Table:
    """read_table in a worker thread, so the event loop serves other requests meanwhile.

    Cancelling the awaiting task (the client went away, the server is stopping) stops the read at its next chunk and
    waits for the thread, so a shutdown is never held up by a read nobody waits for.
    """
    budget = Budget(seconds)
    work = asyncio.get_running_loop().run_in_executor(None, functools.partial(read_table, data, budget=budget,
                                                                              **options))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        budget.stop.set()
        await asyncio.wait([work])
        raise


def _read_xlsx(data: bytes, name: str, fields: dict[str, str], max_rows: int, budget: Budget) -> Table:
    not_a_workbook = f"{name} is a ZIP file but not an Excel workbook; save it as .xlsx or .csv"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UploadError(not_a_workbook) from error
    # Checked before any part is read: the shared strings are read whole before the first row.
    if any(p.file_size > _INFLATE_GRACE and p.file_size > _MAX_INFLATE_RATIO * p.compress_size for p in parts):
        raise UploadError(f"{name} unpacks to far more data than a workbook holds; save it again in Excel",
                          zh="文件解压后大得不正常，请在 Excel 中重新保存后上传")
    # Every part read, the workbook's own and the sheet's, goes through the guard.
    with GuardedArchive(io.BytesIO(data), part_limit=MAX_PART_BYTES, token_limit=MAX_TOKEN_BYTES,
                        budget=budget) as archive:
        rows = xlsx_reader.first_sheet(archive)
        try:
            first = next(rows, None)
        except UploadError:
            raise
        except Exception as error:  # a part missing, or XML that does not parse, before any row
            raise UploadError(not_a_workbook) from error
        try:
            numbered = _xlsx_rows(chain([first] if first else [], rows))
            head_rows = []
            for number, cells in numbered:
                head_rows.append((number, cells))
                if number >= _HEADER_SEARCH_ROWS:
                    break
            head = [(number, cells) for number, cells in head_rows if number <= _HEADER_SEARCH_ROWS]
            header = _find_header(list(_dense(head)), fields, empty=f"the first worksheet of {name} is empty")
            # Bounded to the header's width, so one stray far-right cell cannot widen every row.
            rest = chain((row for row in head_rows if row[0] > header.number), numbered)
            return Table(_collect(_dense(rest, width=header.width), header, max_rows, budget), header.unknown)
        except UploadError:
            raise
        except Exception as error:  # a part that is truncated or corrupt only fails once it is read
            raise UploadError(f"{name} is a damaged workbook; save it again as .xlsx or .csv") from error


def _xlsx_rows(rows: Iterable[tuple[int, dict[int, xlsx_reader.Value]]]) -> Iterator[tuple[int, dict[int, str]]]:
    for number, values in rows:
        yield number, {column: _cell_text(value) for column, value in values.items()}


def _dense(rows: Iterable[tuple[int, dict[int, str]]], *,
           width: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """Each row as a list of its cells' text, "" where a cell is missing: up to `width` cells, or its last cell."""
    for number, cells in rows:
        size = width if width is not None else max(cells, default=-1) + 1
        yield number, [cells.get(index, "") for index in range(size)]


def _cell_text(value: object) -> str:
    """The cell as a person reads it in Excel."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Excel stores every number as a float and shows 15 significant digits.
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def _read_csv(data: bytes, name: str, fields: dict[str, str], max_rows: int, budget: Budget) -> Table:
    # Excel's "Unicode text" export is UTF-16 with a BOM, so its NUL bytes are not a sign of binary data.
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in data:
        raise UploadError(f"{name} is not a spreadsheet (it holds binary data); save it as .xlsx or .csv",
                          zh="这不是表格文件，请另存为 .xlsx 或 .csv")
    # Chinese Excel saves "CSV" in GBK, which GB18030 extends; UTF-8 goes first as GBK text is rarely valid UTF-8.
    encodings = ("utf-16",) if utf16 else ("utf-8-sig", "gb18030")
    head = data[:_SNIFF_BYTES].decode(encodings[0], errors="replace")
    if head.lstrip().startswith("<"):  # systems that "export to Excel" often write an HTML or XML page
        raise UploadError(f"{name} is a web page or XML file; open it in Excel and save it as .xlsx or .csv",
                          zh="这是网页文件，请用 Excel 打开后另存为 .xlsx 或 .csv")
    delimiter = _sniff_delimiter(head)
    for encoding in encodings:
        text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
        try:
            reader = csv.reader(text, delimiter=delimiter)
            numbered = ((number, [cell.strip() for cell in cells]) for number, cells in enumerate(reader, 1))
            head_rows = list(islice(numbered, _HEADER_SEARCH_ROWS))
            header = _find_header(head_rows, fields, empty=f"{name} is empty")
            rest = chain((row for row in head_rows if row[0] > header.number), numbered)
            return Table(_collect(rest, header, max_rows, budget), header.unknown)
        except UnicodeDecodeError:
            continue
        except csv.Error as error:
            raise UploadError(f"{name} is not a readable CSV file ({error})") from error
    raise UploadError(f"{name} is neither UTF-8 nor GB18030 text; save it as .xlsx or .csv")


def _sniff_delimiter(head: str) -> str:
    """The delimiter of the first line that has one; csv.Sniffer guesses wrong on short Chinese lines."""
    for line in head.splitlines():
        counts = {delimiter: line.count(delimiter) for delimiter in _DELIMITERS}
        best = max(counts, key=counts.__getitem__)
        if counts[best]:
            return best
    return ","


def _find_header(head: list[tuple[int, list[str]]], fields: dict[str, str], *, empty: str) -> _Header:
    for number, cells in head:
        columns, unknown = [], []
        seen: dict[str, str] = {}  # field -> the header that named it
        for index, text in enumerate(cells):
            field = fields.get(_normalise(text))
            if field in seen:
                raise UploadError(f'columns "{seen[field]}" and "{text}" are both {field}; keep one',
                                  zh=f"“{seen[field]}”和“{text}”是同一列，请只保留一列")
            if field:
                seen[field] = text
                columns.append((index, field))
            elif text:
                unknown.append(text)
        if columns:
            width = max(index for index, text in enumerate(cells) if text) + 1
            return _Header(number, columns, unknown, width)
    if not any(any(cells) for _, cells in head):
        raise UploadError(empty)
    raise UploadError(f"no known column headers; expected e.g. {_examples(fields)}",
                      zh=f"找不到认识的表头，表头应像这样：{_examples(fields)}")


def _collect(rows: Iterable[tuple[int, list[str]]], header: _Header, max_rows: int, budget: Budget) -> list[Row]:
    collected: list[Row] = []
    for number, cells in rows:
        if number % _CHECK_EVERY_ROWS == 0:
            budget.check()
        if number > _EXCEL_MAX_ROWS:
            raise UploadError(f"the file has more than {_EXCEL_MAX_ROWS:,} rows")
        cells = cells[: header.width]
        if not any(cells):
            continue  # skipped, yet counted: the numbers must stay those the person sees
        if len(collected) == max_rows:
            raise UploadError(f"the file has more than {max_rows:,} data rows; split it into smaller files",
                              zh=f"数据超过 {max_rows} 行，请分成几个文件上传")
        values = {field: cells[index] if index < len(cells) else "" for index, field in header.columns}
        collected.append(Row(number, values))
    return collected


def _field_index(aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Normalised header -> canonical field."""
    index: dict[str, str] = {}
    for field, names in aliases.items():
        for alias in names:
            key = _normalise(alias)
            if key and index.setdefault(key, field) != field:
                raise ValueError(f"header {alias!r} is an alias of both {index[key]!r} and {field!r}")
    return index


def _normalise(header: str) -> str:
    """The matching key: '最低月薪（元）*' and ' 最低 月薪 ' become '最低月薪', 'ＷＡＧＥ＿ＭＩＮ' becomes 'wage_min'."""
    text = _PARENTHESISED.sub("", unicodedata.normalize("NFKC", header))
    return "".join(text.split()).strip("*").lower()


def _examples(fields: dict[str, str]) -> str:
    names: dict[str, list[str]] = {}
    for key, field in fields.items():
        names.setdefault(field, []).append(key)
    return ", ".join("/".join(keys[:2]) for keys in list(names.values())[:4])


def _called(filename: str | None) -> str:
    base = re.split(r"[\\/]", filename or "")[-1]  # browsers on Windows have sent full paths
    return f'"{base}"' if base else "the file"


def _size(limit: int) -> str:
    unit, scale = ("MB", 1 << 20) if limit >= 1 << 20 else ("KB", 1 << 10)
    return f"{limit / scale:.1f}".removesuffix(".0") + " " + unit
