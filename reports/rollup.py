"""A facilitator's roll-up: one row per practice and the total across them, on one basis: a year.

Pure: no Django, no database. The selector costs each practice's chosen model
with the engine and hands its totals (the engine's Headline) here; this module
puts them on one basis, sums them, draws the chart (a plotly figure dict) and
writes the spreadsheet.

One basis: every figure is a year's. A model that counts a month is x 12 (money,
visits, contact and staff time, people and reviews: a monthly model's people are
those of one month's recall, so a year holds twelve months of them); a yearly
model is as it is. A per-patient model counts one pass of each pathway, not a
span of time, and nothing in it says how many such passes a year brings: it is
shown apart, with that reason, and left out of the totals and the chart. So the
total is the sum of the rows shown above it, to the penny, and every rate is of it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from costing import charts, engine
from reports.sheet_format import (
    HOURS_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    hours,
    safe_text,
    set_up_printing,
)

PERIOD_LABELS = {
    engine.Period.PER_PATIENT: "per patient",
    engine.Period.MONTH: "per month",
    engine.Period.YEAR: "per year",
}
BASIS = {
    engine.Period.MONTH: "a month × 12",
    engine.Period.YEAR: "a year as counted",
}
PER_PATIENT_REASON = (
    "A per-patient model counts one pass of each pathway, not a span of time: it does not say how many a year "
    "brings, so it is shown apart and left out of the totals and the chart."
)
PER_LIST = 1000  # rates per 1,000 patients on the practice's registered list


def period_label(period: engine.Period) -> str:
    return PERIOD_LABELS[period]


def per(amount: Decimal, count, quantum: Decimal = engine.PENNY) -> Decimal | None:
    """``amount`` / ``count`` rounded half up (None for no count)."""
    if not count:
        return None
    return engine.round_half_up(Fraction(amount) / Fraction(count), quantum)


def per_thousand(amount: Decimal, list_size: int) -> Decimal | None:
    """A year's ``amount`` per 1,000 patients on the list, to the penny (None for an empty list)."""
    if not list_size:
        return None
    return engine.round_half_up(Fraction(amount) * PER_LIST / list_size, engine.PENNY)


@dataclass(frozen=True)
class PracticeRow:
    """One practice and its chosen model's totals (the engine's Headline); no model, no figures."""

    practice_name: str
    ods_code: str
    organisation: str = ""
    model_name: str | None = None
    figures: engine.Headline | None = None
    list_size: int = 0
    # Why the row has no figures although the practice has models (no baseline marked, say).
    note: str = ""

    @property
    def has_model(self) -> bool:
        return self.figures is not None

    @property
    def period(self) -> engine.Period | None:
        return self.figures.period if self.figures is not None else None

    @property
    def period_label(self) -> str:
        return period_label(self.period) if self.period is not None else ""

    @cached_property
    def annual(self) -> engine.Headline | None:
        """The figures a year (month x 12, a year as it is); None for a per-patient model or none."""
        if self.figures is None or self.period.periods_per_year is None:
            return None
        return self.figures.times(self.period.periods_per_year, engine.Period.YEAR)

    @property
    def basis(self) -> str:
        return BASIS.get(self.period, "") if self.period is not None else ""

    @property
    def apart_reason(self) -> str:
        return PER_PATIENT_REASON if self.period == engine.Period.PER_PATIENT else ""

    @property
    def rates(self) -> Rates | None:
        return Rates.of(self.annual, self.list_size) if self.annual is not None else None


@dataclass(frozen=True)
class Rates:
    """What a year's totals come to per 1,000 listed patients and per person."""

    before_per_thousand: Decimal | None
    after_per_thousand: Decimal | None
    saving_per_thousand: Decimal | None
    cost_per_person_before: Decimal | None
    cost_per_person_after: Decimal | None

    @classmethod
    def of(cls, h: engine.Headline, list_size: int) -> Rates:
        return cls(
            before_per_thousand=per_thousand(h.before, list_size),
            after_per_thousand=per_thousand(h.after, list_size),
            saving_per_thousand=per_thousand(h.saving, list_size),
            cost_per_person_before=per(h.before, h.people_before),
            cost_per_person_after=per(h.after, h.people_after),
        )


@dataclass(frozen=True)
class PeriodTotal:
    period: engine.Period
    practices: int
    figures: engine.Headline  # the sum of the practices' totals on this basis
    list_size: int = 0

    @property
    def label(self) -> str:
        return period_label(self.period)

    @property
    def rates(self) -> Rates:
        return Rates.of(self.figures, self.list_size)


@dataclass(frozen=True)
class Rollup:
    rows: tuple[PracticeRow, ...]
    # The total a year of the rows on the annual basis (empty when none is).
    totals: tuple[PeriodTotal, ...]

    @property
    def total(self) -> PeriodTotal | None:
        return self.totals[0] if self.totals else None

    @property
    def mixed_periods(self) -> bool:
        """Never: every figure is on one basis, a year."""
        return False

    @property
    def with_model(self) -> tuple[PracticeRow, ...]:
        return tuple(r for r in self.rows if r.has_model)

    @property
    def annual_rows(self) -> tuple[PracticeRow, ...]:
        """The rows in the totals and the chart."""
        return tuple(r for r in self.rows if r.annual is not None)

    @property
    def apart(self) -> tuple[PracticeRow, ...]:
        """Rows with figures on no annual basis (per-patient models): shown apart, not totalled."""
        return tuple(r for r in self.rows if r.has_model and r.annual is None)

    @property
    def without_model(self) -> tuple[PracticeRow, ...]:
        return tuple(r for r in self.rows if not r.has_model)


def rollup(rows: Iterable[PracticeRow]) -> Rollup:
    """The rows as given and their total a year (practices without a model, or per patient, add nothing)."""
    rows = tuple(rows)
    annual = [r for r in rows if r.annual is not None]
    if not annual:
        return Rollup(rows=rows, totals=())
    total = engine.Headline.total((row.annual for row in annual), engine.Period.YEAR)
    return Rollup(
        rows=rows,
        totals=(PeriodTotal(engine.Period.YEAR, len(annual), total, sum(r.list_size for r in annual)),),
    )


# -------------------------------------------------------------------------- chart


def chart(rows: Iterable[PracticeRow]) -> dict:
    """Grouped bars: each of these practices' cost a year before and after (like with like: the rows
    without a year's figures, per-patient models among them, are left out as from the totals)."""
    rows = [row for row in rows if row.annual is not None]
    figure = charts.scenarios(
        [row.practice_name for row in rows], [row.annual.before for row in rows], [row.annual.after for row in rows]
    )
    figure["layout"]["title"] = {"text": "Cost a year before and after, by practice"}
    figure["layout"]["xaxis"] = {"automargin": True}
    figure["layout"]["yaxis"] = {"tickprefix": "£", "title": {"text": "£ a year"}}
    return figure


# -------------------------------------------------------------------- spreadsheet

HEADER = (
    "Practice",
    "ODS code",
    "Organisation",
    "Cost model",
    "Model counts",
    "Basis",
    "List size",
    "Before (£ a year)",
    "After (£ a year)",
    "Saving (£ a year)",
    "Saving (%)",
    "Before per 1,000 list (£)",
    "After per 1,000 list (£)",
    "Visits before",
    "Visits after",
    "Contact hours before",
    "Contact hours after",
    "People before",
    "People after",
    "Reviews before",
    "Reviews after",
    "Cost per person before (£)",
    "Cost per person after (£)",
    "Staff hours freed",
)
MONEY_COLUMNS = (7, 8, 9, 11, 12, 21, 22)
COUNT_COLUMNS = (13, 14, 17, 18, 19, 20)
HOURS_COLUMNS = (15, 16, 23)
# A scenario the facilitator picks may scale its patients: its people and visits can be fractions.
FRACTIONAL_COUNT_FORMAT = "#,##0.##"


def xlsx(r: Rollup) -> bytes:
    """The roll-up table as a workbook: a header row, one row per practice a year, the total, then those apart."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Roll-up"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in r.rows:
        first = [safe_text(row.practice_name), safe_text(row.ods_code), safe_text(row.organisation)]
        if row.figures is None:
            ws.append([*first, safe_text(row.note or "No cost model")])
        elif row.annual is not None:
            _append_figures(
                ws, first, safe_text(row.model_name or ""), row.period, row.basis, row.list_size, row.annual
            )
    total = r.total
    if total is not None:
        label = f"Total a year: {total.practices} practice{'' if total.practices == 1 else 's'}"
        _append_figures(ws, [label, "", ""], "", None, "sum of the rows above", total.list_size, total.figures)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    if r.apart:
        ws.append([])
        ws.append(["Shown apart, not in the total: " + PER_PATIENT_REASON])
        for row in r.apart:
            f = row.figures
            ws.append(
                [
                    safe_text(row.practice_name),
                    safe_text(row.ods_code),
                    safe_text(row.organisation),
                    safe_text(row.model_name or ""),
                    period_label(row.period),
                    "per patient (not a year)",
                    row.list_size,
                    f.before,
                    f.after,
                    f.saving,
                ]
            )
            for cell in ws[ws.max_row][7:10]:
                cell.number_format = MONEY_FORMAT
    for index, width in enumerate(
        (32, 10, 28, 32, 12, 18, 10, 16, 16, 16, 10, 14, 14, 12, 12, 14, 14, 12, 12, 12, 12, 14, 14, 14), start=1
    ):
        ws.column_dimensions[get_column_letter(index)].width = width
    for cell in ws[1]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([])
    ws.append(
        [
            "Staff hours freed: staff minutes before less after, in hours to a tenth (negative when the change "
            "takes more staff time). Saving %: of the totals on the row, never an average of percentages."
        ]
    )
    set_up_printing(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _append_figures(ws, first: list, model_name: str, period, basis: str, list_size: int, f: engine.Headline) -> None:
    percent = None if f.saving_percent is None else f.saving_percent / 100
    rates = Rates.of(f, list_size)
    ws.append(
        [
            *first,
            model_name,
            period_label(period) if period is not None else "",
            basis,
            list_size,
            f.before,
            f.after,
            f.saving,
            percent,
            rates.before_per_thousand,
            rates.after_per_thousand,
            f.visits_before,
            f.visits_after,
            hours(f.contact_minutes_before),
            hours(f.contact_minutes_after),
            f.people_before,
            f.people_after,
            f.reviews_before,
            f.reviews_after,
            rates.cost_per_person_before,
            rates.cost_per_person_after,
            hours(f.staff_minutes_freed),
        ]
    )
    cells = ws[ws.max_row]
    cells[6].number_format = "#,##0"
    for i in MONEY_COLUMNS:
        cells[i].number_format = MONEY_FORMAT
    cells[10].number_format = PERCENT_FORMAT
    for i in COUNT_COLUMNS:
        cells[i].number_format = FRACTIONAL_COUNT_FORMAT
    for i in HOURS_COLUMNS:
        cells[i].number_format = HOURS_FORMAT
