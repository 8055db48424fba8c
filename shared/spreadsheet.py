"""Rows for the workbooks the platform writes: every text cell is text, never a formula, whoever typed it.

Text in an export comes from other people (a skill typed by League staff lands in a Beijing office's workbook), so it
is treated as hostile: OWASP's advice for CSV and spreadsheet injection is followed, and characters XML cannot hold
are dropped rather than failing the whole export.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

# What makes Excel, LibreOffice or a CSV importer read a cell as a formula (tab and CR: OWASP, for CSV re-exports).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(text: str) -> str:
    """The text as a cell shows it, safe to open: a leading apostrophe before anything that starts a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """Append a row; each str value is neutralised and its cell typed as text (openpyxl would make "=…" a formula)."""
    sheet.append([neutral(value) if isinstance(value, str) else value for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
