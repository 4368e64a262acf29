"""Spreadsheets (CSV or XLSX) read row by row, in bounded memory, for bulk imports
(services/common/imports.py), and the checks every import makes of their header and cells."""
from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl

Row = tuple[int, dict[str, object]]  # the spreadsheet's row number (header = 1), cells by column


def kind_of(path: Path) -> str:
    """"xlsx" for a zip container (as every XLSX file is), else "csv"."""
    with open(path, "rb") as f:
        return "xlsx" if f.read(4) == b"PK\x03\x04" else "csv"


class SheetError(ValueError):
    """The file cannot be read as a spreadsheet (not CSV/XLSX, not UTF-8, damaged)."""


class Sheet:
    """Rows of the first sheet of a CSV (UTF-8, `,` or `;`) or XLSX file, read lazily; the
    header's names are trimmed and lower-cased, empty cells are None, blank rows are skipped."""

    def __init__(self, path: Path, kind: str):
        self._path, self._kind = path, kind
        try:
            self._cells = self._open_xlsx(path) if kind == "xlsx" else self._open_csv(path)
            first = next(self._cells, None)
        except (OSError, UnicodeDecodeError, csv.Error, zipfile.BadZipFile, KeyError, ValueError) as exc:
            if hasattr(self, "_close"):
                self._close()
            raise SheetError(f"the file cannot be read as {kind.upper()}: {exc}") from None
        if not first or not any(_cell(c) for c in first):
            self._close()
            raise SheetError("the file has no header row")
        self.columns = [str(_cell(c) or "").strip().lower() for c in first]

    def expected_rows(self) -> int | None:
        """Data rows, for the progress: counted in a CSV, the sheet's dimension in an XLSX."""
        if self._kind == "xlsx":
            return max(0, self._sheet.max_row - 1) if self._sheet.max_row else None
        with open(self._path, newline="", encoding="utf-8-sig", errors="replace") as handle:
            return max(0, sum(1 for cells in csv.reader(handle, delimiter=self._delimiter) if any(cells)) - 1)

    def _open_csv(self, path: Path) -> Iterator[list]:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed by close()
        self._close = handle.close
        head = handle.readline()
        handle.seek(0)
        self._delimiter = ";" if head.count(";") > head.count(",") else ","
        return csv.reader(handle, delimiter=self._delimiter)

    def _open_xlsx(self, path: Path) -> Iterator[tuple]:
        handle = open(path, "rb")  # noqa: SIM115 - a file object: openpyxl judges names by extension
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except BaseException:
            handle.close()
            raise
        self._sheet = book.worksheets[0]
        self._close = lambda: (book.close(), handle.close())
        return self._sheet.iter_rows(values_only=True)

    def rows(self) -> Iterator[Row]:
        number = 1
        try:
            for number, cells in enumerate(self._cells, start=2):
                values = [_cell(c) for c in cells]
                if any(v is not None for v in values):
                    yield number, {name: v for name, v in zip(self.columns, values) if name}
        except (UnicodeDecodeError, csv.Error) as exc:
            raise SheetError(f"the file is damaged after row {number - 1}: {exc}") from None

    def close(self) -> None:
        self._close()


def _cell(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value


def header_problems(columns: list[str], known: tuple[str, ...], required: tuple[str, ...]) -> list[dict]:
    """The header's unknown, repeated or missing columns, as error fields `{field, reason, code}`."""
    fields = [{"field": c or "(empty)", "reason": f"is not a known column; use {', '.join(known)}", "code": "unknown_column"}
              for c in columns if c and c not in known]
    fields += [{"field": c, "reason": "appears twice", "code": "repeated_column"}
               for c in sorted({c for c in columns if columns.count(c) > 1})]
    return fields + [{"field": c, "reason": "is a required column", "code": "required_column"}
                     for c in required if c not in columns]


def as_text(value: object) -> object:
    """Spreadsheet numbers as the text they show (ids, unit codes, phone numbers)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value
