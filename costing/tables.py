"""Reading a table from a CSV file or an XLSX workbook's first sheet, all or nothing.

Shared by every spreadsheet import (a model's cohorts, a practice profile): one
parser, one size limit, and every problem reported with its row and column so
the user can find it in their own file. Pure: no Django.
"""

from __future__ import annotations

import csv
import io
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


def read_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """The rows of a CSV or the first sheet of an XLSX, as dicts keyed by lower-case header.

    Each row also carries ``"#"``, its row number in the file (the header is row 1).
    """
    if len(data) > limits.MAX_MODEL_FILE_BYTES:
        raise SheetError([CellError(0, "file", f"larger than {limits.MAX_MODEL_FILE_BYTES // 1024 // 1024} MB")])
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise SheetError([CellError(0, "file", "not a readable .xlsx workbook")]) from None
        ws = wb.worksheets[0]
        rows = [["" if v is None else str(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SheetError([CellError(0, "file", "not UTF-8 text: save the CSV as UTF-8")]) from None
        rows = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise SheetError([CellError(0, "file", "choose a .csv or .xlsx file")])
    rows = [r for r in rows if any(r)]
    if not rows:
        raise SheetError([CellError(0, "file", "the file is empty")])
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise SheetError([CellError(0, "file", f"more than {MAX_IMPORT_ROWS} rows")])
    header = [h.lower() for h in rows[0]]
    return [
        dict(zip(header, r + [""] * (len(header) - len(r)), strict=False)) | {"#": str(i)}
        for i, r in enumerate(rows[1:], start=2)
    ]


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
