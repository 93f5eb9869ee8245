"""CSV exports that a spreadsheet opens as text, never as formulas.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (OWASP "CSV injection"); such a cell is written
with a leading apostrophe, which spreadsheets show as text. Numbers are left as they are.
"""
from __future__ import annotations

import csv
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, with an apostrophe in front when a spreadsheet would take it for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer` whose every text cell goes through `safe_cell`."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out, **options) -> SafeWriter:
    """The writer every CSV export uses (same options as `csv.writer`)."""
    return SafeWriter(out, **options)
