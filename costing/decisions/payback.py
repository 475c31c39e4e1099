"""One-off set-up costs and how long the saving takes to repay them.

Set-up is staff time (training, building templates, administrative set-up),
each line costed at the role's exact hourly rate and rounded half up to the
penny, plus other one-off costs in pounds. Payback divides the set-up total by
the saving:

- a month model: in months (the saving is per month);
- a year model: in months too (the saving per year / 12, kept exact);
- a per-patient model: in patients (the model's saving is that of one patient
  going through the new process), as a whole number rounded up.

The figure to one decimal place is rounded half up (the project's rule); the
human answer, a whole number of months or patients, is rounded up, because the
set-up is repaid only at the end of the month (or patient) that completes it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from costing import engine

ONE_PLACE = engine.ONE_DECIMAL_PLACE


class SetupKind(StrEnum):
    TRAINING = "training"
    TEMPLATES = "templates"
    ADMIN = "admin"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            SetupKind.TRAINING: "Training",
            SetupKind.TEMPLATES: "Template building",
            SetupKind.ADMIN: "Administrative set-up",
            SetupKind.OTHER: "Other one-off costs",
        }[self]


@dataclass(frozen=True)
class SetupCosts:
    """Hours by role key for each kind of staff time; other one-off costs by description (£)."""

    training_hours: Mapping[str, Decimal] = field(default_factory=dict)
    template_hours: Mapping[str, Decimal] = field(default_factory=dict)
    admin_hours: Mapping[str, Decimal] = field(default_factory=dict)
    other_costs: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for hours in (self.training_hours, self.template_hours, self.admin_hours):
            for value in hours.values():
                if not isinstance(value, Decimal) or value < 0:
                    raise ValueError("set-up hours must be a Decimal of 0 or more")
        for value in self.other_costs.values():
            if not isinstance(value, Decimal) or value < 0:
                raise ValueError("a one-off cost must be a Decimal of £0 or more")

    @property
    def staff_hours(self) -> tuple[tuple[SetupKind, Mapping[str, Decimal]], ...]:
        return (
            (SetupKind.TRAINING, self.training_hours),
            (SetupKind.TEMPLATES, self.template_hours),
            (SetupKind.ADMIN, self.admin_hours),
        )


@dataclass(frozen=True)
class SetupLine:
    kind: SetupKind
    label: str  # the role's name, or the description of another cost
    role: str | None
    hours: Decimal | None
    cost: Decimal


def setup_lines(setup: SetupCosts, roles: Iterable[engine.Role]) -> tuple[SetupLine, ...]:
    """Every line of the set-up cost, each rounded half up to the penny.

    ``roles`` is the model's (or a Comparison's) roles; an unknown role key is a ValueError.
    """
    by_key = {role.key: role for role in roles}
    lines = []
    for kind, hours_by_role in setup.staff_hours:
        for key, hours in hours_by_role.items():
            if key not in by_key:
                raise ValueError(f"set-up {kind.value}: unknown role {key!r}")
            role = by_key[key]
            cost = engine.round_half_up(Fraction(hours) * role.exact_hourly_rate)
            lines.append(SetupLine(kind=kind, label=role.name, role=key, hours=hours, cost=cost))
    for description, amount in setup.other_costs.items():
        lines.append(
            SetupLine(kind=SetupKind.OTHER, label=description, role=None, hours=None, cost=engine.round_half_up(amount))
        )
    return tuple(lines)


def setup_total(lines: Iterable[SetupLine]) -> Decimal:
    """The one-off cost: the sum of the rounded lines (setup_lines), not the rounded sum."""
    return sum((line.cost for line in lines), Decimal("0.00"))


class PaybackUnit(StrEnum):
    MONTHS = "months"
    PATIENTS = "patients"


@dataclass(frozen=True)
class PaybackResult:
    setup_total: Decimal
    period: engine.Period
    unit: PaybackUnit
    # The model's saving per its period (per patient, month or year).
    saving_per_period: Decimal
    # The saving per unit of payback (per month or per patient), to the penny, for display.
    saving_per_unit: Decimal
    # Months or patients to repay, to one decimal place (half up); None: never repays.
    periods_to_repay: Decimal | None
    # The whole number, rounded up; None when never, or for the other unit.
    months_to_repay: int | None
    patients_to_repay: int | None

    @property
    def repays(self) -> bool:
        return self.periods_to_repay is not None

    @property
    def whole_units_to_repay(self) -> int | None:
        return self.months_to_repay if self.unit is PaybackUnit.MONTHS else self.patients_to_repay

    @property
    def text(self) -> str:
        """The answer in words, for a page or the PDF."""
        if self.setup_total == 0:
            return "Nothing to repay: there is no set-up cost."
        if not self.repays:
            return "Never repays: the new process saves nothing."
        whole = self.whole_units_to_repay
        if self.unit is PaybackUnit.PATIENTS:
            noun = "patient goes" if whole == 1 else "patients go"
            return f"Repays after {whole} {noun} through the new process (£{self.saving_per_unit} saved each)."
        noun = "month" if whole == 1 else "months"
        return f"Repays in {self.periods_to_repay} months: within {whole} {noun}."


def payback(comparison: engine.Comparison, setup_total: Decimal) -> PaybackResult:
    """How long (or how many patients) the saving takes to repay the set-up cost.

    0 when there is nothing to repay; None ("never repays") when the saving is £0 or less.
    """
    if setup_total < 0:
        raise ValueError("the set-up cost must be £0 or more")
    period = comparison.period
    if period is engine.Period.PER_PATIENT:
        unit = PaybackUnit.PATIENTS
        per_unit = Fraction(comparison.saving)
    else:
        unit = PaybackUnit.MONTHS
        per_unit = Fraction(comparison.saving) * period.periods_per_year / engine.MONTHS_PER_YEAR
    if setup_total == 0:
        exact: Fraction | None = Fraction(0)
    elif per_unit <= 0:
        exact = None
    else:
        exact = Fraction(setup_total) / per_unit
    whole = None if exact is None else math.ceil(exact)
    return PaybackResult(
        setup_total=engine.round_half_up(setup_total),
        period=period,
        unit=unit,
        saving_per_period=comparison.saving,
        saving_per_unit=engine.round_half_up(per_unit),
        periods_to_repay=None if exact is None else engine.round_half_up(exact, ONE_PLACE),
        months_to_repay=whole if unit is PaybackUnit.MONTHS else None,
        patients_to_repay=whole if unit is PaybackUnit.PATIENTS else None,
    )
