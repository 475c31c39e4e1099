"""A facilitator's roll-up: one row per practice and the totals across them.

Pure: no Django, no database. The view costs each practice's chosen model with
the engine and hands the comparisons here; this module sums them, draws the
chart (a plotly figure dict) and writes the spreadsheet.

Figures are summed only across models of the same period: a month's cost and a
year's cost do not add up to anything. When the practices' models count over
different periods there is one total per period, never a grand total.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from costing import charts, engine
from reports.sheet_format import (
    COUNT_FORMAT,
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


def period_label(period: engine.Period) -> str:
    return PERIOD_LABELS[period]


@dataclass(frozen=True)
class PracticeRow:
    """One practice and its chosen model's totals (the engine's Headline); no model, no figures."""

    practice_name: str
    ods_code: str
    organisation: str = ""
    model_name: str | None = None
    figures: engine.Headline | None = None

    @property
    def has_model(self) -> bool:
        return self.figures is not None

    @property
    def period(self) -> engine.Period | None:
        return self.figures.period if self.figures is not None else None

    @property
    def period_label(self) -> str:
        return period_label(self.period) if self.period is not None else ""


@dataclass(frozen=True)
class PeriodTotal:
    period: engine.Period
    practices: int
    figures: engine.Headline  # the sum of the practices' totals of this period

    @property
    def label(self) -> str:
        return period_label(self.period)


@dataclass(frozen=True)
class Rollup:
    rows: tuple[PracticeRow, ...]
    # One per period present, in the engine's order of periods.
    totals: tuple[PeriodTotal, ...]

    @property
    def mixed_periods(self) -> bool:
        return len(self.totals) > 1

    @property
    def with_model(self) -> tuple[PracticeRow, ...]:
        return tuple(r for r in self.rows if r.has_model)

    @property
    def without_model(self) -> tuple[PracticeRow, ...]:
        return tuple(r for r in self.rows if not r.has_model)


def rollup(rows: Iterable[PracticeRow]) -> Rollup:
    """The rows as given and their totals, one per period (practices without a model add nothing)."""
    rows = tuple(rows)
    sums: dict[engine.Period, engine.Headline] = {}
    counts: dict[engine.Period, int] = {}
    for row in rows:
        if row.figures is None:
            continue
        sums[row.period] = sums.get(row.period, engine.Headline.zero(row.period)) + row.figures
        counts[row.period] = counts.get(row.period, 0) + 1
    totals = tuple(PeriodTotal(p, counts[p], sums[p]) for p in engine.Period if p in sums)
    return Rollup(rows=rows, totals=totals)


# -------------------------------------------------------------------------- chart


def chart(r: Rollup) -> dict:
    """Grouped bars: each practice's cost before and after (its period named when periods differ)."""
    rows = r.with_model
    names = [_chart_name(row, r.mixed_periods) for row in rows]
    figure = charts.scenarios(names, [row.figures.before for row in rows], [row.figures.after for row in rows])
    title = "Cost before and after, by practice"
    if len(r.totals) == 1:
        title += f" ({r.totals[0].label})"
    figure["layout"]["title"] = {"text": title}
    figure["layout"]["xaxis"] = {"automargin": True}
    return figure


def _chart_name(row: PracticeRow, mixed: bool) -> str:
    return f"{row.practice_name} ({period_label(row.period)})" if mixed else row.practice_name


# -------------------------------------------------------------------- spreadsheet

HEADER = (
    "Practice",
    "ODS code",
    "Organisation",
    "Cost model",
    "Period",
    "Before (£)",
    "After (£)",
    "Saving (£)",
    "Saving (%)",
    "Visits before",
    "Visits after",
    "People before",
    "People after",
    "Reviews before",
    "Reviews after",
    "Staff hours freed",
)


def xlsx(r: Rollup) -> bytes:
    """The roll-up table as a workbook: a header row, one row per practice, then the totals."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Roll-up"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in r.rows:
        if row.figures is None:
            ws.append(
                [safe_text(row.practice_name), safe_text(row.ods_code), safe_text(row.organisation), "No cost model"]
            )
            continue
        _append_figures(
            ws,
            [safe_text(row.practice_name), safe_text(row.ods_code), safe_text(row.organisation)],
            safe_text(row.model_name or ""),
            row.period,
            row.figures,
        )
    for total in r.totals:
        label = f"Total {total.label}: {total.practices} practice{'' if total.practices == 1 else 's'}"
        _append_figures(ws, [label, "", ""], "", total.period, total.figures)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    if r.mixed_periods:
        ws.append([])
        ws.append(["The models count over different periods: totals are per period, never across periods."])
    for index, width in enumerate((32, 10, 28, 32, 12, 14, 14, 14, 11, 13, 13, 13, 13, 14, 14, 17), start=1):
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


def _append_figures(ws, first: list, model_name: str, period: engine.Period, f: engine.Headline) -> None:
    percent = None if f.saving_percent is None else f.saving_percent / 100
    ws.append(
        [
            *first,
            model_name,
            period_label(period),
            f.before,
            f.after,
            f.saving,
            percent,
            f.visits_before,
            f.visits_after,
            f.people_before,
            f.people_after,
            f.reviews_before,
            f.reviews_after,
            hours(f.staff_minutes_freed),
        ]
    )
    cells = ws[ws.max_row]
    for cell in cells[5:8]:
        cell.number_format = MONEY_FORMAT
    cells[8].number_format = PERCENT_FORMAT
    for cell in cells[9:15]:  # visits, people and reviews
        cell.number_format = COUNT_FORMAT
    cells[15].number_format = HOURS_FORMAT
