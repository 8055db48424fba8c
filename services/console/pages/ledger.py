"""A ledger upload's report as a CSV the clerk downloads to fix the bad rows: pure."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote


def errors_csv(report: dict) -> str:
    """A `data:` link to the bad rows (row, column, problem) as CSV with a BOM, so that Excel reads the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行", "栏目", "问题"])
    for error in report.get("errors") or []:
        writer.writerow([error.get("row"), error.get("field"), error.get("message")])
    return "data:text/csv;charset=utf-8," + quote("\ufeff" + out.getvalue())
