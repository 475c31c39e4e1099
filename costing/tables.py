"""Reading a table from a CSV file or an XLSX workbook's first sheet, all or nothing.

Shared by every spreadsheet import (a model's cohorts, a practice profile): one
parser, one size limit, and every problem reported with its row and column so
the user can find it in their own file. Pure: no Django.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook

from costing import limits

MAX_IMPORT_ROWS = limits.MAX_COHORTS_PER_SIDE * 2


@dataclass(frozen=True)
class CellError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


class SheetError(ValueError):
    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


# Of a sheet, the rows and columns read: a cohort sheet has a few columns and at
# most MAX_IMPORT_ROWS rows (blank rows between them allowed). A workbook can
# declare a sheet of 1,048,576 rows by 16,384 columns in a few bytes; openpyxl
# would pad every missing row and cell of it (issue 15: 2.7 GB for a 4.9 KB file).
MAX_IMPORT_COLUMNS = 26
MAX_SCANNED_ROWS = MAX_IMPORT_ROWS * 5


def read_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """The rows of a CSV or the first sheet of an XLSX, as dicts keyed by lower-case header."""
    if len(data) > limits.MAX_MODEL_FILE_BYTES:
        raise SheetError([CellError(0, "file", f"larger than {limits.MAX_MODEL_FILE_BYTES // 1024 // 1024} MB")])
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.endswith(".csv"):
        rows = _csv_rows(data)
    else:
        raise SheetError([CellError(0, "file", "choose a .csv or .xlsx file")])
    if not rows:
        raise SheetError([CellError(0, "file", "the file is empty")])
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise SheetError([CellError(0, "file", f"more than {MAX_IMPORT_ROWS} rows")])
    header = [h.lower() for h in rows[0]]
    return [
        dict(zip(header, r + [""] * (len(header) - len(r)), strict=False)) | {"#": str(i)}
        for i, r in enumerate(rows[1:], start=2)
    ]


def _too_many_rows() -> SheetError:
    return SheetError([CellError(0, "file", f"more than {MAX_IMPORT_ROWS} rows")])


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """The non-blank rows of the first sheet, read lazily within MAX_SCANNED_ROWS x MAX_IMPORT_COLUMNS."""
    unreadable = SheetError([CellError(0, "file", "not a readable .xlsx workbook")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise unreadable from None
    if unpacked > limits.MAX_UNPACKED_WORKBOOK_BYTES:
        mb = limits.MAX_UNPACKED_WORKBOOK_BYTES // 1024 // 1024
        raise SheetError([CellError(0, "file", f"the workbook unpacks to more than {mb} MB")])
    rows: list[list[str]] = []
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            ws.reset_dimensions()  # the sheet's declared size is not trusted: read what is there
            for number, row in enumerate(
                ws.iter_rows(min_row=1, max_col=MAX_IMPORT_COLUMNS, values_only=True), start=1
            ):
                if number > MAX_SCANNED_ROWS:
                    raise _too_many_rows()
                cells = ["" if v is None else str(v).strip() for v in row]
                if any(cells):
                    rows.append(cells)
                    if len(rows) - 1 > MAX_IMPORT_ROWS:
                        raise _too_many_rows()
        finally:
            wb.close()
    except SheetError:
        raise
    except Exception:  # openpyxl (and defusedxml, for a DTD) raise many kinds for a file that is not a workbook
        raise unreadable from None
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError([CellError(0, "file", "not UTF-8 text: save the CSV as UTF-8")]) from None
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            cells = [v.strip() for v in row[:MAX_IMPORT_COLUMNS]]
            if any(cells):
                rows.append(cells)
                if len(rows) - 1 > MAX_IMPORT_ROWS:
                    raise _too_many_rows()
    except csv.Error as exc:
        # A field longer than the csv module reads (131,072 characters), a NUL, a stray quote.
        raise SheetError([CellError(reader.line_num, "file", f"not a readable CSV file ({exc})")]) from None
    return rows


def whole_number(
    text: str,
    row: int,
    errors: list[CellError],
    *,
    column: str = "patients",
    minimum: int = 0,
    maximum: int = limits.MAX_COHORT_PATIENTS,
) -> int:
    """``text`` as a whole number from ``minimum`` to ``maximum``; otherwise a CellError and ``minimum``."""
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        errors.append(CellError(row, column, f"{text[:20]!r} is not a number"))
        return minimum
    if not value.is_finite() or value != value.to_integral_value():
        errors.append(CellError(row, column, f"{text[:20]} is not a whole number"))
        return minimum
    if value < minimum:
        errors.append(CellError(row, column, "must not be negative" if minimum == 0 else f"less than {minimum}"))
        return minimum
    if value > maximum:
        errors.append(CellError(row, column, f"more than the maximum of {maximum:,}"))
        return minimum
    return int(value)
