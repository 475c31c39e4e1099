"""Cohort sizes from a practice's list size and register prevalence.

register = list size x prevalence / 100, to the nearest whole person (halves up),
unless the practice entered its own register count, which is used as it is.
Everyone on a register is assumed to be reviewed once a year, so the before-side
patients a year are the register and a month are register / 12, to the nearest
whole person (halves up).

The percentage is applied to the list size given. QOF registers of some
conditions count only an age group (diabetes 17+, depression 18+ ...), and a
published prevalence may be of that age group, not the whole list: where it
matters, enter the practice's register count, which overrides the estimate.
A condition without a prevalence figure and without an entered count is not
estimated: it is listed as having no prevalence available.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from costing import engine, limits

WHOLE = Decimal(1)


class RegisterSource(StrEnum):
    ESTIMATED = "estimated"  # list size x prevalence
    ENTERED = "entered"  # the practice's own count


@dataclass(frozen=True)
class RegisterEstimate:
    code: str
    name: str
    prevalence_percent: Decimal | None
    source: RegisterSource
    register: int
    patients_per_year: int
    patients_per_month: int


@dataclass(frozen=True)
class CohortEstimates:
    list_size: int
    conditions: tuple[RegisterEstimate, ...]
    # Codes with neither a prevalence figure nor an entered count.
    no_prevalence: tuple[str, ...]


def register_from_prevalence(list_size: int, prevalence_percent: Decimal) -> int:
    """list size x prevalence %, to the nearest whole person (halves up)."""
    return int(engine.round_half_up(Fraction(list_size) * Fraction(prevalence_percent) / 100, WHOLE))


def per_month(register: int) -> int:
    """Reviewed once a year: register / 12, to the nearest whole person (halves up)."""
    return int(engine.round_half_up(Fraction(register, engine.MONTHS_PER_YEAR), WHOLE))


def estimate_cohorts(
    list_size: int,
    prevalence: Mapping[str, Decimal | None],
    registers: Mapping[str, int] | None = None,
    *,
    names: Mapping[str, str] | None = None,
) -> CohortEstimates:
    """Register size and before-side patients per year and month, per condition code.

    ``prevalence`` maps a condition code to a percentage (None: no figure);
    ``registers`` are the practice's own counts, which override the estimate (and
    may name codes without a prevalence); ``names`` labels the codes (default: the code).
    Conditions come in the order of ``prevalence``, then any entered only.
    """
    if (
        isinstance(list_size, bool)
        or not isinstance(list_size, int)
        or not 0 <= list_size <= limits.MAX_COHORT_PATIENTS
    ):
        raise ValueError(f"the list size must be a whole number from 0 to {limits.MAX_COHORT_PATIENTS}")
    registers = registers or {}
    names = names or {}
    for percent in prevalence.values():
        if percent is not None and (not isinstance(percent, Decimal) or not 0 <= percent <= 100):
            raise ValueError("a prevalence must be a Decimal percentage from 0 to 100")
    for count in registers.values():
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= limits.MAX_COHORT_PATIENTS:
            raise ValueError(f"a register count must be a whole number from 0 to {limits.MAX_COHORT_PATIENTS}")

    estimates = []
    missing = []
    for code in [*prevalence, *(code for code in registers if code not in prevalence)]:
        percent = prevalence.get(code)
        if code in registers:
            register, source = registers[code], RegisterSource.ENTERED
        elif percent is not None:
            register, source = register_from_prevalence(list_size, percent), RegisterSource.ESTIMATED
        else:
            missing.append(code)
            continue
        estimates.append(
            RegisterEstimate(
                code=code,
                name=names.get(code, code),
                prevalence_percent=percent,
                source=source,
                register=register,
                patients_per_year=register,
                patients_per_month=per_month(register),
            )
        )
    return CohortEstimates(list_size=list_size, conditions=tuple(estimates), no_prevalence=tuple(missing))
