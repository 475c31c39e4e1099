"""Reading the reference data files in costing/reference_data/ (pure, no Django).

The files in git are the source of truth; `load_reference_data` copies them into
the database. Each figure keeps its source so a user can see where a default
came from.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from costing import limits
from costing.engine import round_half_up

DATA_DIR = Path(__file__).resolve().parent / "reference_data"
PAY_AND_POSTAGE = DATA_DIR / "pay_and_postage.json"
CONDITIONS = DATA_DIR / "conditions.csv"
# The seed's worked examples as model files: the demo data and the editor's pathway templates.
EXAMPLES_DIR = Path(__file__).resolve().parent / "fixtures"


class ReferenceDataError(ValueError):
    pass


def read_pay_and_postage(path: Path = PAY_AND_POSTAGE) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    for section in ("pay_scales", "salaried_gp", "on_costs", "standard_hours", "postage", "unit_costs"):
        if section not in data:
            raise ReferenceDataError(f"{path.name}: missing section {section!r}")
    for scale in data["pay_scales"]:
        for band in scale["bands"]:
            if Decimal(band["top"]) < Decimal(band["entry"]):
                raise ReferenceDataError(f"{scale['key']} band {band['band']}: top is below entry")
            points = [Decimal(band["entry"]), *map(Decimal, band.get("intermediate_points", [])), Decimal(band["top"])]
            if band.get("intermediate_points") and any(a >= b for a, b in zip(points, points[1:], strict=False)):
                raise ReferenceDataError(f"{scale['key']} band {band['band']}: pay points must rise from entry to top")
    _check_postage(data, path)
    return data


def _check_postage(data: dict, path: Path) -> None:
    days = [date.fromisoformat(row["effective_from"]) for row in data["postage"]]
    if days != sorted(set(days)):
        raise ReferenceDataError(f"{path.name}: postage rows must be in date order, one a date")
    for row in data["postage"]:
        if not row.get("source"):
            raise ReferenceDataError(f"{path.name}: postage from {row['effective_from']} has no source")
    checked = data.get("postage_checked", {}).get("date")
    if not checked or (days and date.fromisoformat(checked) < days[-1]):
        raise ReferenceDataError(f"{path.name}: postage_checked.date must be on or after the last postage row")


# ------------------------------------------------------------------ postage by date


@dataclass(frozen=True)
class LetterPrices:
    """Royal Mail standard letter prices in force from a date until the next change."""

    effective_from: date
    first_class: Decimal
    second_class: Decimal
    source: str
    url: str


def postage_table(data: dict | None = None) -> tuple[list[LetterPrices], date]:
    """Every price change in date order, and the date up to which the list is known complete."""
    data = data if data is not None else read_pay_and_postage()
    rows = [
        LetterPrices(
            effective_from=date.fromisoformat(row["effective_from"]),
            first_class=Decimal(row["first_class"]),
            second_class=Decimal(row["second_class"]),
            source=row["source"],
            url=row.get("url", ""),
        )
        for row in data["postage"]
    ]
    return rows, date.fromisoformat(data["postage_checked"]["date"])


def postage_on(day: date, rows: list[LetterPrices], *, checked_until: date) -> LetterPrices | None:
    """The prices in force on `day`: the last change on or before it.

    None when the price that day is not known: before the first row, or after
    the date the list was last checked complete (a change may have come since).
    A wrong stamp price would be silently built into every letter's cost, so
    "not known" is said rather than the last known price guessed.
    """
    if day > checked_until:
        return None
    in_force = None
    for row in rows:  # in date order: a dozen rows, no need to bisect
        if row.effective_from > day:
            break
        in_force = row
    return in_force


@dataclass(frozen=True)
class ConditionRow:
    code: str
    name: str
    qof_register: bool
    prevalence_percent: Decimal | None
    prevalence_year: str
    source: str
    url: str
    denominator: str = ""  # whom the percentage is of: "all ages (whole registered list)", "aged 17+", ...
    note: str = ""  # why a figure is missing, or how old it is
    # The age of the list the percentage is of (17: patients aged 17+); None: the whole list.
    denominator_min_age: int | None = None


def _min_age(text: str, file: str, line: int) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) <= limits.MAX_REGISTER_AGE:
        raise ReferenceDataError(f"{file} line {line}: denominator_min_age must be a whole number of years or blank")
    return int(text)


def read_conditions(path: Path = CONDITIONS) -> list[ConditionRow]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if row["qof_register"] not in {"yes", "no"}:
                raise ReferenceDataError(f"{path.name} line {number}: qof_register must be yes or no")
            rows.append(
                ConditionRow(
                    code=row["code"].strip().upper(),
                    name=row["name"].strip(),
                    qof_register=row["qof_register"] == "yes",
                    prevalence_percent=Decimal(row["prevalence_percent"]) if row["prevalence_percent"] else None,
                    prevalence_year=row["prevalence_year"],
                    source=row["source"],
                    url=row["url"],
                    denominator=row.get("denominator", ""),
                    note=row.get("note", ""),
                    denominator_min_age=_min_age(row.get("denominator_min_age", ""), path.name, number),
                )
            )
    codes = [r.code for r in rows]
    if len(codes) != len(set(codes)):
        raise ReferenceDataError(f"{path.name}: a condition code appears twice")
    return rows


def employer_on_cost_percent(
    salary: Decimal, *, ni_percent: Decimal, ni_threshold: Decimal, pension_percent: Decimal
) -> Decimal:
    """Employer NI (on pay above the secondary threshold) and pension, as a % of salary.

    NI is charged only above the threshold, so its share of the salary depends on
    the salary; the pension contribution is a flat share.
    """
    if salary <= 0:
        return Decimal("0.000")
    ni = max(Fraction(salary) - Fraction(ni_threshold), Fraction(0)) * Fraction(ni_percent) / 100
    return round_half_up(ni * 100 / Fraction(salary) + Fraction(pension_percent), Decimal("0.001"))
