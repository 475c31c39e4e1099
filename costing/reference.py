"""Reading the reference data files in costing/reference_data/ (pure, no Django).

The files in git are the source of truth; `load_reference_data` copies them into
the database. Each figure keeps its source so a user can see where a default
came from.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

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
    return data


@dataclass(frozen=True)
class ConditionRow:
    code: str
    name: str
    qof_register: bool
    prevalence_percent: Decimal | None
    prevalence_year: str
    source: str
    url: str


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
