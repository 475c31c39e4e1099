"""Spreadsheets in and out: a model and its results as XLSX or CSV; cohorts read from CSV or XLSX.

Numbers leave as numbers (money with a £ format), never as text; text that a
spreadsheet would run as a formula (=, +, -, @, tab, carriage return) is
neutralised with a leading apostrophe. Reading is all-or-nothing: every problem
is reported with its row and column, and nothing is returned for writing until
there are none.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from costing import engine, limits
from costing.exchange import figure

# The table reader is shared with the practice profile's import (costing/tables.py); re-exported here.
from costing.tables import MAX_IMPORT_ROWS, CellError, SheetError, read_table  # noqa: F401
from costing.tables import whole_number as _whole_number

MONEY_FORMAT = '"£"#,##0.00'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COHORT_COLUMNS = ("side", "label", "conditions", "patients", "times", "exceptions", "pathway")


def safe_text(value: str) -> str:
    """Text that a spreadsheet will show, never run."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _storable(value: str) -> str:
    """Text an XLSX cell can hold: control characters (no longer accepted, but perhaps stored before) dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _cell(value):
    if isinstance(value, str):
        return safe_text(_storable(value))
    if isinstance(value, Decimal):
        return float(value)  # the spreadsheet's own number type; figures were rounded by the engine
    return value


# ------------------------------------------------------------------------ writing


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], money_columns: set[int]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    for column in money_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = MONEY_FORMAT
    for index, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, min(50, len(name) + 4))
    ws.freeze_panes = "A2"


def result_rows(c: engine.Comparison) -> list[list]:
    """A row per cohort and a total per side; people only on the totals (costing rule 6: a group's
    people count once however many of the side's cohorts name it, so cohort rows do not add up to them)."""
    rows = []
    for side_name, side in (("before", c.before), ("after", c.after)):
        for co in side.cohorts:
            rows.append(
                [
                    side_name,
                    co.label,
                    ";".join(co.conditions),
                    co.patients,
                    co.times,
                    co.patients * co.times,
                    None,
                    co.pathway,
                    co.cost_per_patient,
                    co.cost_per_patient * co.times,
                    co.cost,
                    co.visits,
                    float(co.contact_minutes),
                ]
            )
        rows.append(
            [
                side_name,
                "Total",
                "",
                side.patients,
                None,
                side.reviews,
                side.people,
                "",
                None,
                None,
                side.cost,
                side.visits,
                float(side.contact_minutes),
            ]
        )
    return rows


RESULT_HEADER = [
    "side",
    "label",
    "conditions",
    "patients",
    "times",
    "reviews",
    "people",
    "pathway",
    "cost per review (£)",
    "cost per person (£)",  # a cohort's: each of its patients reviewed ``times`` times
    "cost (£)",
    "visits",
    "contact minutes",
]
RESULT_MONEY_COLUMNS = {9, 10, 11}  # 1-based, as openpyxl counts


def workbook(model: engine.CostModel, c: engine.Comparison) -> bytes:
    """The model's inputs and results as an XLSX workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    summary = [
        ["Model", model.name, None],
        ["Period", c.period.value, None],
        ["Cost before", c.before.cost, "money"],
        ["Cost after", c.after.cost, "money"],
        ["Saving", c.saving, "money"],
        ["Saving %", float(c.saving_percent) if c.saving_percent is not None else None, None],
        ["People before", c.before.people, None],
        ["People after", c.after.people, None],
        ["Reviews before", c.before.reviews, None],
        ["Reviews after", c.after.reviews, None],
        ["Visits before", c.before.visits, None],
        ["Visits after", c.after.visits, None],
        ["Contact minutes before", float(c.before.contact_minutes), None],
        ["Contact minutes after", float(c.after.contact_minutes), None],
    ]
    _sheet(wb, "Summary", ["figure", "value"], [r[:2] for r in summary], set())
    ws = wb["Summary"]
    for index, row in enumerate(summary, start=2):
        if row[2] == "money":
            ws.cell(row=index, column=2).number_format = MONEY_FORMAT
    _sheet(wb, "Results", RESULT_HEADER, result_rows(c), RESULT_MONEY_COLUMNS)
    _sheet(
        wb,
        "Staff",
        ["role", "hours before", "hours after", "cost before (£)", "cost after (£)"],
        [
            [
                r.name,
                float(c.before.staff_minutes[r.key] / 60),
                float(c.after.staff_minutes[r.key] / 60),
                c.before.staff_cost[r.key],
                c.after.staff_cost[r.key],
            ]
            for r in c.roles
        ],
        {4, 5},
    )
    _sheet(
        wb,
        "Roles",
        ["key", "name", "band", "cost per hour (£)", "annual salary (£)", "on-costs %", "paid hours a year", "basis"],
        [
            [
                r.key,
                r.name,
                r.band,
                r.hourly_rate,
                r.annual_salary,
                float(r.on_cost_percent) if r.on_cost_percent is not None else None,
                float(r.paid_hours_per_year) if r.paid_hours_per_year is not None else None,
                r.cost_basis.label if r.cost_basis else "",
            ]
            for r in model.roles
        ],
        {4, 5},
    )
    stage_rows = []
    for p in model.pathways:
        result = c.pathways[p.key]
        for stage, costed in zip(p.stages, result.stages, strict=True):
            stage_rows.append(
                [
                    p.key,
                    p.name,
                    stage.name,
                    stage.step.value,
                    stage.role or "",
                    float(stage.minutes),
                    stage.extra_cost,
                    stage.visit,
                    costed.cost,
                ]
            )
    _sheet(
        wb,
        "Stages",
        ["pathway", "pathway name", "stage", "step", "role", "minutes", "extra cost (£)", "visit", "cost (£)"],
        stage_rows,
        {7, 9},
    )
    _sheet(
        wb,
        "Cohorts",
        list(COHORT_COLUMNS),
        [
            [side, co.label, ";".join(co.conditions), co.patients, co.times, co.exceptions, co.pathway]
            for side, cohorts in (("before", model.before), ("after", model.after))
            for co in cohorts
        ],
        set(),
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def results_csv(c: engine.Comparison) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_HEADER)
    for row in result_rows(c):
        writer.writerow(["" if v is None else (safe_text(v) if isinstance(v, str) else _plain(v)) for v in row])
    return out.getvalue()


def _plain(value) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return figure(Decimal(str(value)))
    return str(value)


# ------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class CohortRow:
    row: int
    side: str
    label: str
    conditions: tuple[str, ...]
    patients: int
    pathway: str
    times: int = 1
    exceptions: int = 0  # of the patients, screened out at triage (costing rule 7)


def parse_cohorts(
    table: list[dict[str, str]], *, pathways: dict[str, str], conditions: set[str], default_side: str | None = None
) -> list[CohortRow]:
    """Check every row; raise SheetError listing every problem, or return the rows.

    ``pathways`` maps what a row may name (a pathway's key or its name, lower-cased)
    to its key; ``conditions`` holds the known register codes.
    """
    errors: list[CellError] = []
    if table:
        missing = [c for c in ("label", "patients", "pathway") if c not in table[0]]
        if "side" not in table[0] and default_side is None:
            missing.append("side")
        if missing:
            raise SheetError([CellError(1, c, "missing column") for c in missing])
    rows = []
    for raw in table:
        n = int(raw["#"])
        side = (raw.get("side") or default_side or "").strip().lower()
        if side not in ("before", "after"):
            errors.append(CellError(n, "side", f"{side[:20]!r} is not before or after"))
        label = raw.get("label", "").strip()
        if not label:
            errors.append(CellError(n, "label", "must not be empty"))
        elif len(label) > limits.MAX_NAME_LENGTH:
            errors.append(CellError(n, "label", f"longer than {limits.MAX_NAME_LENGTH} characters"))
        elif problem := limits.text_problem(label):
            errors.append(CellError(n, "label", problem))
        codes = tuple(c.strip().upper() for c in raw.get("conditions", "").replace(",", ";").split(";") if c.strip())
        unknown = [c for c in codes if c not in conditions]
        if unknown:
            errors.append(CellError(n, "conditions", f"unknown condition code {unknown[0][:20]!r}"))
        if len(set(codes)) != len(codes):
            errors.append(CellError(n, "conditions", "a condition is listed twice"))
        errors_so_far = len(errors)
        patients = _whole_number(raw.get("patients", ""), n, errors)
        patients_read = len(errors) == errors_so_far
        # Optional: how many times each patient goes through the pathway in the period.
        times_text = raw.get("times", "").strip()
        times = (
            _whole_number(times_text, n, errors, column="times", minimum=1, maximum=limits.MAX_TIMES)
            if times_text
            else 1
        )
        # Optional: of the patients, how many are screened out at triage (palliative care, say).
        exceptions_text = raw.get("exceptions", "").strip()
        errors_so_far = len(errors)
        exceptions = _whole_number(exceptions_text, n, errors, column="exceptions") if exceptions_text else 0
        if patients_read and len(errors) == errors_so_far and exceptions > patients:
            errors.append(CellError(n, "exceptions", f"{exceptions:,} is more than the row's {patients:,} patients"))
        wanted = raw.get("pathway", "").strip().lower()
        pathway = pathways.get(wanted)
        if pathway is None:
            errors.append(CellError(n, "pathway", f"no pathway {raw.get('pathway', '')[:60]!r} in this practice"))
        if not errors or errors[-1].row != n:
            rows.append(CohortRow(n, side, label, codes, patients, pathway, times, exceptions))
    if errors:
        raise SheetError(errors)
    return rows
