"""How the reports' spreadsheets write text and figures: one way for the model workbook, its CSV and the roll-up.

Percentages are fractions shown with a percent format (0.243 shows as 24.3%),
in every workbook; a CSV writes them as "24.3%", which a spreadsheet reads back
as the same fraction. Hours are to a tenth, as the pages show them.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

from costing import engine

MONEY_FORMAT = '"£"#,##0.00'
RATE_FORMAT = '"£"#,##0.00##'  # an hourly cost entered to 4 decimal places
PERCENT_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
HOURS_FORMAT = "#,##0.0"
MINUTES_FORMAT = "#,##0.##"
# A text cell starting with one of these is a formula (or DDE) to a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text, never runs: a formula-like start is quoted, illegal characters dropped."""
    value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def set_up_printing(ws: Worksheet, *, landscape: bool = True) -> None:
    """A4, the columns fitted to the page's width, the header row on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"


HOURS_QUANTUM = Decimal("0.1")


def hours(minutes: Decimal) -> Decimal:
    """Minutes as hours to a tenth, half up, as the pages show them."""
    return engine.round_half_up(Fraction(minutes) / 60, HOURS_QUANTUM)
