"""Spreadsheets in and out: a model and its results as XLSX or CSV; cohorts read from CSV or XLSX.

The workbook is live (reports/model_workbook.py); a CSV opens with the
headline, then a row per cohort. Text that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) is
neutralised with a leading apostrophe. Reading is all-or-nothing: every problem
is reported with its row and column, and nothing is returned for writing until
there are none.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from costing import engine, limits
from costing.exchange import figure

# Tables are read by costing.tables, the one reader every spreadsheet import shares.
from costing.tables import CellError, SheetError, whole_number
from reports import model_workbook
from reports.sheet_format import hours, safe_text

COHORT_COLUMNS = ("side", "label", "conditions", "patients", "times", "exceptions", "pathway")


# ------------------------------------------------------------------------ writing


def workbook(model: engine.CostModel, c: engine.Comparison) -> bytes:
    """The model as a live XLSX workbook (reports.model_workbook): inputs to change, every figure a formula."""
    return model_workbook.workbook(model, c)


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
                    co.patients * co.times - co.exceptions * co.times,
                    None,
                    co.pathway,
                    co.cost_per_patient,
                    co.cost_per_patient * co.times,
                    co.cost,
                    co.visits,
                    co.contact_minutes,
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
                side.contact_minutes,
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


def headline_rows(model_name: str, c: engine.Comparison) -> list[list[str]]:
    """The headline a CSV opens with, as the page states it: cost, saving, people, reviews, visits, contact and
    staff time."""
    totals = engine.Headline.of(c)
    percent = "" if c.saving_percent is None else f"{c.saving_percent}%"
    rows = [
        ["Model", safe_text(model_name)],
        ["Period", c.period.value],
        ["Cost before (£)", str(c.before.cost)],
        ["Cost after (£)", str(c.after.cost)],
        ["Saving (£)", str(c.saving)],
        ["Saving %", percent],
    ]
    annual = c.annualised(c.saving)
    if annual is not None and c.periods_per_year != 1:
        rows += [
            ["Cost before a year (£)", str(c.annualised(c.before.cost))],
            ["Cost after a year (£)", str(c.annualised(c.after.cost))],
            ["Saving a year (£)", str(annual)],
        ]
    for label, before, after in (
        ("People", c.before.people, c.after.people),
        ("Reviews", c.before.reviews, c.after.reviews),
        ("Visits", c.before.visits, c.after.visits),
        ("Contact minutes", figure(c.before.contact_minutes), figure(c.after.contact_minutes)),
        ("Staff hours", hours(totals.staff_minutes_before), hours(totals.staff_minutes_after)),
    ):
        rows += [[f"{label} before", str(before)], [f"{label} after", str(after)]]
    rows.append(["Staff hours freed", str(hours(totals.staff_minutes_freed))])
    return rows


def results_csv(model_name: str, c: engine.Comparison) -> str:
    """The headline (headline_rows), a blank line, then a row per cohort and a total per side."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(headline_rows(model_name, c))
    writer.writerow([])
    writer.writerow(RESULT_HEADER)
    for row in result_rows(c):
        writer.writerow(["" if v is None else (safe_text(v) if isinstance(v, str) else str(v)) for v in row])
    return out.getvalue()


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
        patients = whole_number(raw.get("patients", ""), n, errors)
        patients_read = len(errors) == errors_so_far
        # Optional: how many times each patient goes through the pathway in the period.
        times_text = raw.get("times", "").strip()
        times = (
            whole_number(times_text, n, errors, column="times", minimum=1, maximum=limits.MAX_TIMES)
            if times_text
            else 1
        )
        # Optional: of the patients, how many are screened out at triage (palliative care, say).
        exceptions_text = raw.get("exceptions", "").strip()
        errors_so_far = len(errors)
        exceptions = whole_number(exceptions_text, n, errors, column="exceptions") if exceptions_text else 0
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
