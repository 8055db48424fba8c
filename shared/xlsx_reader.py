"""The first worksheet of an XLSX workbook as numbered rows of cell values, read with the standard library's XML parser.

openpyxl's read-only reader builds a cell object, a coordinate and a style lookup for every cell; an import needs
only the values, and reading them here takes about a third of the CPU time (a 10,000-row ledger: ~0.5 s instead of
~1.5 s). The values are those openpyxl gives with data_only=True: shared and inline strings as text, numbers as int
(no decimal point or exponent: an 18-digit ID-card number stays exact) or float, dates styled as dates as datetime,
booleans as bool, a formula's cached value, an error as its text ("#N/A").

Every part is read through the archive it is given, so the caller's bounds (shared.xlsx_guard: bytes per part, token
length, time, no document type declaration) hold for each. The parser is ElementTree's expat, which expands no
external entity; the guard refuses any DOCTYPE before the parser sees it, so no entity is declared at all.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import cast
from xml.etree.ElementTree import Element, XMLPullParser

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _RUN = (f"{_MAIN}{tag}" for tag in ("row", "c", "v", "is", "t", "r"))
_SHARED_STRING, _SHEET_DATA = f"{_MAIN}si", f"{_MAIN}sheetData"
_OFFICE_DOCUMENT = "/officeDocument"
# Bytes fed to the parser at a time. Small on purpose: the elements of one chunk are all alive until its events are
# read, and at 64 KB (~3,600 cells' elements) they outlive the young generations, so the garbage collector promotes
# them and runs full collections over the whole heap, 14 in one 10,000-row ledger, more than doubling the read's
# CPU time; at 8 KB none run at all.
_CHUNK = 8 * 1024
MAX_COLUMNS = 16_384  # Excel's last column, XFD
_COLUMN = re.compile(r"[A-Z]{1,3}")

Value = str | int | float | bool | datetime | time | timedelta


class NotAWorkbook(ValueError):
    """The archive lacks what every workbook has (a workbook part, a first sheet)."""


def first_sheet(archive: zipfile.ZipFile) -> Iterator[tuple[int, dict[int, Value]]]:
    """(row number, {column index from 0: value}) for each row of the first worksheet that has a cell, in order."""
    workbook = _office_document(archive)
    parts = _relationships(archive, workbook)
    sheet_ids, epoch = _sheets_of(archive, workbook)
    # The first worksheet, as openpyxl's `worksheets[0]`: a chart sheet before it has no cells.
    sheet_id = next((sheet_id for sheet_id in sheet_ids if parts.get(sheet_id, ("", ""))[0].endswith("/worksheet")),
                    None)
    if sheet_id is None:
        raise NotAWorkbook("the workbook has no worksheet")
    strings_part = next((target for kind, target in parts.values() if kind.endswith("/sharedStrings")), None)
    styles_part = next((target for kind, target in parts.values() if kind.endswith("/styles")), None)
    strings = _shared_strings(archive, strings_part) if strings_part else []
    dates, durations = _date_styles(archive, styles_part) if styles_part else (frozenset(), frozenset())
    yield from _rows(archive, parts[sheet_id][1], strings, dates, durations, epoch)


def _elements(archive: zipfile.ZipFile, part: str, *, start: str | None = None) -> Iterator[tuple[str, Element]]:
    """The elements of a part as the parser finishes each ("end"), or begins `start` ones; fed a chunk at a time,
    so the archive's guard sees every chunk before the parser does."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end") if start else ("end",))
    try:
        source = archive.open(part)
    except KeyError:
        raise NotAWorkbook(f"the workbook has no part {part}") from None
    with source:
        while chunk := source.read(_CHUNK):
            parser.feed(chunk)
            yield from cast(Iterator[tuple[str, Element]], parser.read_events())  # start and end events only
    parser.close()
    yield from cast(Iterator[tuple[str, Element]], parser.read_events())


def _office_document(archive: zipfile.ZipFile) -> str:
    for _, element in _elements(archive, "_rels/.rels"):
        if element.tag == f"{_PACKAGE_REL}Relationship" and element.get("Type", "").endswith(_OFFICE_DOCUMENT):
            return _resolve("", element.get("Target", ""))
    raise NotAWorkbook("no workbook part is named in _rels/.rels")


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, part) of a part's relationships."""
    folder, name = posixpath.split(part)
    found = {}
    for _, element in _elements(archive, posixpath.join(folder, "_rels", f"{name}.rels")):
        if element.tag == f"{_PACKAGE_REL}Relationship" and element.get("TargetMode") != "External":
            found[element.get("Id", "")] = (element.get("Type", ""), _resolve(folder, element.get("Target", "")))
    return found


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a part name: absolute ("/xl/…") or relative to the source part's folder."""
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(path)


def _sheets_of(archive: zipfile.ZipFile, workbook: str) -> tuple[list[str], datetime]:
    """The relationship ids of the workbook's sheets in order, and its date epoch (1900, or 1904 on old Mac files)."""
    epoch, sheets = CALENDAR_WINDOWS_1900, []
    for _, element in _elements(archive, workbook):
        if element.tag == f"{_MAIN}workbookPr" and element.get("date1904", "").lower() in ("1", "true"):
            epoch = CALENDAR_MAC_1904
        elif element.tag == f"{_MAIN}sheet":
            sheets.append(element.get(f"{_REL}id", ""))
    return sheets, epoch


def _text(element: Element) -> str:
    """A string item's text as Excel shows it: its plain text and its runs' text, not the phonetic guide (rPh)."""
    if len(element) == 1 and element[0].tag == _TEXT:  # nearly every string: one plain run
        text = element[0].text or ""
    else:
        parts = [element.findtext(_TEXT) or ""] + [run.findtext(_TEXT) or "" for run in element.iterfind(_RUN)]
        text = "".join(parts)
    return text.replace("x005F_", "") if "x005F_" in text else text  # as openpyxl: Excel's escape of "_"


def _shared_strings(archive: zipfile.ZipFile, part: str) -> list[str]:
    strings = []
    for _, element in _elements(archive, part):
        if element.tag == _SHARED_STRING:
            strings.append(_text(element))
            element.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile, part: str) -> tuple[frozenset[int], frozenset[int]]:
    """The cell style indexes (cellXfs) whose number format shows a date or time, and those showing a duration."""
    custom: dict[int, str] = {}
    dates, durations = set(), set()
    for _, element in _elements(archive, part):
        if element.tag == f"{_MAIN}numFmt":
            custom[_int(element.get("numFmtId"))] = element.get("formatCode", "")
        elif element.tag == f"{_MAIN}cellXfs":
            for index, style in enumerate(element.iterfind(f"{_MAIN}xf")):
                number_format = _int(style.get("numFmtId"))
                code = custom.get(number_format) or BUILTIN_FORMATS.get(number_format) or ""
                if is_date_format(code):
                    dates.add(index)
                if is_timedelta_format(code):
                    durations.add(index)
    return frozenset(dates), frozenset(durations)


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return int(float(text or 0))


def _rows(archive: zipfile.ZipFile, part: str, strings: list[str], dates: frozenset[int],
          durations: frozenset[int], epoch: datetime) -> Iterator[tuple[int, dict[int, Value]]]:
    number = 0
    holder: Element | None = None  # sheetData: each row is taken off it once read, so the tree never grows
    columns: dict[str, int] = {}
    for event, element in _elements(archive, part, start=_SHEET_DATA):
        if event == "start":
            if element.tag == _SHEET_DATA:
                holder = element
            continue
        if element.tag != _ROW:
            continue
        number = _row_number(element.get("r"), number)
        cells: dict[int, Value] = {}
        column = -1
        for cell in element:
            if cell.tag != _CELL:
                continue
            reference = cell.get("r")
            column = _column(reference, columns) if reference else column + 1
            value = _value(cell, strings, dates, durations, epoch)
            if value is not None:
                cells[column] = value
        if holder is not None:
            holder.remove(element)
        if cells:
            yield number, cells


def _row_number(text: str | None, previous: int) -> int:
    if text is None:
        return previous + 1
    number = float(text)
    if not number.is_integer() or number < 1:
        raise ValueError(f"{text} is not a row number")
    return int(number)


def _column(reference: str, known: dict[str, int]) -> int:
    """The 0-based column of a cell reference ("B12" -> 1)."""
    letters = reference.rstrip("0123456789")
    if letters not in known:
        if not _COLUMN.fullmatch(letters):
            raise ValueError(f"{reference} is not a cell reference")
        index = 0
        for letter in letters:
            index = index * 26 + ord(letter) - 64
        if index > MAX_COLUMNS:
            raise ValueError(f"{reference} is past Excel's last column")
        known[letters] = index - 1
    return known[letters]


def _value(cell: Element, strings: list[str], dates: frozenset[int], durations: frozenset[int],
           epoch: datetime) -> Value | None:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(_INLINE)
        return None if inline is None else _text(inline)
    text = cell.findtext(_VALUE)
    if not text:
        return None
    if kind == "n":
        number: int | float = float(text) if "." in text or "e" in text or "E" in text else int(text)
        style = _int(cell.get("s"))
        if style in dates:
            try:
                return from_excel(number, epoch, timedelta=style in durations)
            except (OverflowError, ValueError):
                return "#VALUE!"  # as openpyxl: a serial outside the calendar reads as an error
        return number
    if kind == "s":
        return strings[int(text)]
    if kind == "b":
        return bool(int(text))
    if kind == "d":
        return from_ISO8601(text)
    return text  # "str" (a formula's text), "e" (an error such as #N/A)
