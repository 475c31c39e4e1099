"""Cohort sizes from a practice's list size and register prevalence, and the cohorts they propose.

Registers. register = denominator x prevalence / 100, to the nearest whole person
(halves up), unless the practice entered its own register count, which is used
as it is. Each prevalence is applied to its own denominator, the list it is a
percentage of (QOF publishes an age-specific register's prevalence as a
percentage of the patients of that age: diabetes of patients aged 17+):

- a prevalence of the whole list (hypertension, COPD...): the list size;
- a prevalence of patients aged N+: the practice's list aged N+ where it is given;
  for an adult register (16+, 17+, 18+) without its own band, the nearest adult
  band given (the 18+ list for diabetes 17+: a little low, and the proposal says so);
- otherwise the register is not estimated, and the proposal says which list it needs.

Everyone on a register is assumed to be reviewed once a year: a year's patients
are the register, a month's are register / 12, to the nearest whole person
(halves up). A condition without a prevalence figure and without an entered
count is not estimated: it is listed as having no prevalence available.

People. Registers count per condition: a person on three registers is on each,
so the sum of the registers counts reviews (one per register), not people. How
many people that is cannot be told from the registers; the proposal says "up to"
the sum unless the practice gives the number of people on one or more of the
registers (and, to split the after side, how many of them are on two or more).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from costing import engine, limits

WHOLE = Decimal(1)
# Registers of adults whose prevalence may be applied to the nearest adult band
# the practice gives (QOF: rheumatoid arthritis 16+, diabetes 17+, depression 18+...).
ADULT_AGES = (16, 17, 18)


class RegisterSource(StrEnum):
    ESTIMATED = "estimated"  # denominator x prevalence
    ENTERED = "entered"  # the practice's own count


@dataclass(frozen=True)
class Denominator:
    """The list a prevalence was applied to."""

    size: int
    min_age: int | None  # of the list used; None: the whole list, all ages
    exact: bool  # False: a nearby adult band stood in for the register's own

    @property
    def label(self) -> str:
        return "whole list (all ages)" if self.min_age is None else f"list aged {self.min_age}+"


@dataclass(frozen=True)
class RegisterEstimate:
    code: str
    name: str
    prevalence_percent: Decimal | None
    source: RegisterSource
    register: int
    patients_per_year: int
    patients_per_month: int
    # Whom the prevalence is a percentage of (None: the whole list), and the list used.
    prevalence_min_age: int | None = None
    denominator: Denominator | None = None


@dataclass(frozen=True)
class CohortEstimates:
    list_size: int
    conditions: tuple[RegisterEstimate, ...]
    # Codes with neither a prevalence figure nor an entered count.
    no_prevalence: tuple[str, ...]
    # (code, age) of registers whose prevalence needs the list aged age+, which was not given.
    needs_age_list: tuple[tuple[str, int], ...] = ()
    age_lists: tuple[tuple[int, int], ...] = ()  # (age, list aged age+) as given, youngest first

    @property
    def registrations(self) -> int:
        """Every register added up: reviews a year, one per register; not people."""
        return sum(e.register for e in self.conditions)


def register_from_prevalence(list_size: int, prevalence_percent: Decimal) -> int:
    """list size x prevalence %, to the nearest whole person (halves up)."""
    return int(engine.round_half_up(Fraction(list_size) * Fraction(prevalence_percent) / 100, WHOLE))


def per_month(register: int) -> int:
    """Reviewed once a year: register / 12, to the nearest whole person (halves up)."""
    return int(engine.round_half_up(Fraction(register, engine.MONTHS_PER_YEAR), WHOLE))


def per_period(a_year: int, period: engine.Period) -> int:
    """A year's count in a model's period: the year's, or a month's (÷ 12, nearest whole person)."""
    if period is engine.Period.YEAR:
        return a_year
    if period is engine.Period.MONTH:
        return per_month(a_year)
    raise ValueError("cohorts from registers need a model of a month or a year, not one counted per patient")


def _whole(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limits.MAX_COHORT_PATIENTS:
        raise ValueError(f"{what} must be a whole number from 0 to {limits.MAX_COHORT_PATIENTS}")
    return value


def check_age_lists(list_size: int, age_lists: Mapping[int, int]) -> None:
    """Each band within the list, and an older band never larger than a younger one."""
    previous_age, previous = None, list_size
    for age in sorted(age_lists):
        size = _whole(age_lists[age], f"the list aged {age}+")
        if size > previous:
            within = "the list size" if previous_age is None else f"the list aged {previous_age}+"
            raise AgeListError(age, f"The list aged {age}+ ({size:,}) cannot be larger than {within} ({previous:,}).")
        previous_age, previous = age, size


class AgeListError(ValueError):
    def __init__(self, age: int, message: str):
        self.age = age
        super().__init__(message)


def denominator_for(min_age: int | None, list_size: int, age_lists: Mapping[int, int]) -> Denominator | None:
    """The list a prevalence of patients aged ``min_age``+ applies to (None: not given)."""
    if min_age is None:
        return Denominator(list_size, None, exact=True)
    if min_age in age_lists:
        return Denominator(age_lists[min_age], min_age, exact=True)
    if min_age in ADULT_AGES:
        given = [age for age in ADULT_AGES if age in age_lists]
        if given:
            # The nearest adult band; of two as near, the older (the 18+ list most practices know).
            age = min(given, key=lambda a: (abs(a - min_age), -a))
            return Denominator(age_lists[age], age, exact=False)
    return None


def estimate_cohorts(
    list_size: int,
    prevalence: Mapping[str, Decimal | None],
    registers: Mapping[str, int] | None = None,
    *,
    names: Mapping[str, str] | None = None,
    min_ages: Mapping[str, int | None] | None = None,
    age_lists: Mapping[int, int] | None = None,
) -> CohortEstimates:
    """Register size and before-side patients per year and month, per condition code.

    ``prevalence`` maps a condition code to a percentage (None: no figure);
    ``min_ages`` says whom each percentage is of (absent or None: the whole list;
    17: patients aged 17+); ``age_lists`` are the practice's list sizes by age
    band (17: its list aged 17+); ``registers`` are the practice's own counts,
    which override the estimate (and may name codes without a prevalence);
    ``names`` labels the codes (default: the code). Conditions come in the order
    of ``prevalence``, then any entered only.
    """
    _whole(list_size, "the list size")
    registers = registers or {}
    names = names or {}
    min_ages = min_ages or {}
    age_lists = dict(age_lists or {})
    check_age_lists(list_size, age_lists)
    for percent in prevalence.values():
        if percent is not None and (not isinstance(percent, Decimal) or not 0 <= percent <= 100):
            raise ValueError("a prevalence must be a Decimal percentage from 0 to 100")
    for count in registers.values():
        _whole(count, "a register count")

    estimates = []
    missing = []
    needs = []
    for code in [*prevalence, *(code for code in registers if code not in prevalence)]:
        percent = prevalence.get(code)
        min_age = min_ages.get(code)
        denominator = None
        if code in registers:
            register, source = registers[code], RegisterSource.ENTERED
        elif percent is None:
            missing.append(code)
            continue
        else:
            denominator = denominator_for(min_age, list_size, age_lists)
            if denominator is None:
                needs.append((code, min_age))
                continue
            register, source = register_from_prevalence(denominator.size, percent), RegisterSource.ESTIMATED
        estimates.append(
            RegisterEstimate(
                code=code,
                name=names.get(code, code),
                prevalence_percent=percent,
                source=source,
                register=register,
                patients_per_year=register,
                patients_per_month=per_month(register),
                prevalence_min_age=min_age,
                denominator=denominator,
            )
        )
    return CohortEstimates(
        list_size=list_size,
        conditions=tuple(estimates),
        no_prevalence=tuple(missing),
        needs_age_list=tuple(needs),
        age_lists=tuple(sorted(age_lists.items())),
    )


# ------------------------------------------------------------------------ people


class PeopleError(ValueError):
    """A people figure that the registers rule out; ``field`` is "people" or "multimorbid"."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class People:
    """How many people the registers are, as far as the practice's figures say."""

    registrations: int  # the registers added up: reviews, one per register
    people: int | None  # given by the practice: people on one or more of the registers
    multimorbid: int | None  # given: of them, people on two or more
    at_least: int
    at_most: int

    @property
    def known(self) -> bool:
        return self.people is not None


def count_people(registers: Sequence[int], *, people: int | None = None, multimorbid: int | None = None) -> People:
    """The people on ``registers``: given, or the range the registers allow.

    Everyone on two or more registers is on at least two, so people + multimorbid
    <= the registers added up; and no register holds more people than there are.
    Without the practice's figure, people are at most the registers added up (as
    if nobody were on two) less one for each person known to be on two or more.
    """
    total = sum(registers)
    largest = max(registers, default=0)
    if people is not None:
        _whole(people, "people")
        if people > total:
            raise PeopleError(
                "people",
                f"More people ({people:,}) than register entries ({total:,}): "
                "everyone counted is on at least one of these registers.",
            )
        if people < largest:
            raise PeopleError(
                "people", f"Fewer people ({people:,}) than on the largest of these registers ({largest:,})."
            )
    if multimorbid is not None:
        _whole(multimorbid, "multimorbid")
        if people is not None and multimorbid > people:
            raise PeopleError("multimorbid", f"More than the {people:,} people on one or more of these registers.")
        if (people or 0) + multimorbid > total or 2 * multimorbid > total:
            raise PeopleError(
                "multimorbid",
                f"Too many: each of them is on at least two registers, and the registers add up to {total:,}.",
            )
    if people is not None:
        low = high = people
    else:
        low, high = max(largest, multimorbid or 0), total - (multimorbid or 0)
    return People(registrations=total, people=people, multimorbid=multimorbid, at_least=low, at_most=high)


# ------------------------------------------------------------------ the proposal


class AfterPlan(StrEnum):
    NONE = "none"  # the user builds the after side
    ONE = "one"  # everyone through one pathway
    SPLIT = "split"  # one register through one pathway; two or more through another


@dataclass(frozen=True)
class PlannedCohort:
    label: str
    patients: int  # in the model's period
    conditions: tuple[str, ...] = ()
    key: str = ""  # what the user picks a pathway for: a condition code, "after", "after-multi"


@dataclass(frozen=True)
class Plan:
    before: tuple[PlannedCohort, ...]
    after: tuple[PlannedCohort, ...]
    people: People
    notes: tuple[str, ...]  # what the cohorts count, for the model's description


def plan_cohorts(
    estimates: CohortEstimates,
    *,
    period: engine.Period,
    include: Sequence[str],
    after: AfterPlan,
    people: int | None = None,
    multimorbid: int | None = None,
) -> Plan:
    """Before: one cohort per included register (its review); after: as ``after`` says.

    ``people`` and ``multimorbid`` are the practice's figures for the included
    registers. The after side needs people: with ONE and no figure it takes the
    most there can be and says so; SPLIT needs both figures (PeopleError).
    """
    chosen = [e for e in estimates.conditions if e.code in set(include)]
    counted = count_people([e.register for e in chosen], people=people, multimorbid=multimorbid)
    before = tuple(
        PlannedCohort(
            label=f"{e.name}: review", patients=per_period(e.register, period), conditions=(e.code,), key=e.code
        )
        for e in chosen
    )
    reviews = f"{counted.registrations:,} register entries a year"
    notes = [
        f"Before: one cohort per register ({reviews}). A person on several registers is in each of their "
        "cohorts, so these count reviews, one per register, not people."
    ]
    if counted.known:
        multi = "" if counted.multimorbid is None else f" ({counted.multimorbid:,} on two or more)"
        notes.append(f"People on one or more of these registers: {counted.people:,}{multi}, as the practice gave.")
    else:
        notes.append(
            f"People: not given; up to {counted.at_most:,} (fewer when some are on several registers), "
            f"at least {counted.at_least:,}."
        )
    if after is AfterPlan.ONE:
        everyone = counted.people if counted.known else counted.at_most
        label = "Care and support planning" if counted.known else f"Care and support planning (up to {everyone:,})"
        after_side = (PlannedCohort(label=label, patients=per_period(everyone, period), key="after"),)
        if not counted.known:
            notes.append(
                f"After: {everyone:,} people a year is the most there can be (as if nobody were on two "
                "registers); enter the practice's count of people to cost the after side on it."
            )
    elif after is AfterPlan.SPLIT:
        if counted.people is None or counted.multimorbid is None:
            raise PeopleError(
                "multimorbid" if counted.people is not None else "people",
                "To split the after side, give the people on one or more of these registers and how many of "
                "them are on two or more.",
            )
        after_side = (
            PlannedCohort(
                label="Care and support planning: one register",
                patients=per_period(counted.people - counted.multimorbid, period),
                key="after",
            ),
            PlannedCohort(
                label="Care and support planning: two or more registers",
                patients=per_period(counted.multimorbid, period),
                key="after-multi",
            ),
        )
    else:
        after_side = ()
    if period is engine.Period.MONTH:
        notes.append("A month's patients are a year's ÷ 12, to the nearest whole person (each reviewed once a year).")
    return Plan(before=before, after=after_side, people=counted, notes=tuple(notes))
