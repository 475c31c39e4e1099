"""The costing engine: a pure function from a cost model to its figures.

No Django, no I/O, no floats. Inputs and outputs are frozen dataclasses holding
``Decimal`` values. The rules are those of the cost model exchange format
(docs/model-format.md), reproduced here as code:

1. Stage cost per patient = minutes x role cost per hour / 60 + extra cost,
   rounded to the penny, half up. Role rates are never rounded first.
2. Pathway cost per patient = sum of its rounded stage costs.
3. Cohort cost = pathway cost per patient x patients x times.
4. A side's cost = sum of its cohort costs; saving = before - after;
   saving percent = saving / before x 100, one decimal place, half up
   (absent when before is 0).
5. Visits = sum of patients x times x distinct visit numbers in the pathway;
   contact minutes = sum of patients x times x minutes of stages with a visit;
   staff minutes by role = sum of patients x times x minutes of that role's stages.
6. A side's reviews = sum of patients x times; its people = the people of each
   distinct group its cohorts name, once per group, plus the patients of its
   cohorts that name no group (format version 2: a person with three conditions
   reviewed three times is one person and three reviews).
7. Exceptions (format version 2): each time through the pathway, a cohort's
   exceptions incur only the stages up to and including its last triage stage
   (screened_stages), each at rule 1's per-patient stage cost; the other
   patients incur every stage. Rules 3 and 5 split so: patients - exceptions full
   passes plus exceptions screened passes, x times. Reviews count full passes
   only; people and patients are unchanged.
8. Patient scale (a what-if or a scenario, never a model file): a model with
   ``patient_scale`` k is costed at its own numbers and every figure that counts
   patients is then k times that figure, exactly, with no rounding to whole
   people; money is rounded half up to the penny once, from the exact unscaled
   figure (scale_comparison, docs/model-format.md "Patient scale").

Intermediate arithmetic uses ``fractions.Fraction`` because a salary-based rate
(33,000 x 1.285 / 1,950) does not terminate in decimal: rounding it to any
number of places could move a stage cost that lies exactly on a half penny.
Every figure that leaves the engine is a ``Decimal``.

Rule 1 is written once, in ``rate_ratio`` and ``stage_pennies``: ``compare`` (every
stage's result), ``headlines`` (totals only) and the Monte Carlo of
``costing.decisions.uncertainty`` all cost a stage with them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from itertools import islice
from operator import attrgetter
from typing import TypeVar

PENNY = Decimal("0.01")
ONE_DECIMAL_PLACE = Decimal("0.1")
MINUTES_PER_HOUR = 60
# Hours of staff time are rounded to a hundredth (half up), as the pages and reports show them.
HOURS_QUANTUM = Decimal("0.01")
K = TypeVar("K")
# Full time under Agenda for Change and the BMA salaried GP model contract.
FULL_TIME_HOURS_PER_WEEK = Decimal("37.5")
WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12


class Step(StrEnum):
    """What a stage of a pathway does (the Year of Care 'house' steps)."""

    RECALL = "recall"
    TRIAGE = "triage"
    INFORMATION_GATHERING = "information_gathering"
    CLINICAL_REVIEW = "clinical_review"
    INFORMATION_SHARING = "information_sharing"
    REVIEW = "review"
    CONVERSATION = "conversation"
    FOLLOW_UP = "follow_up"
    OTHER = "other"

    @property
    def label(self) -> str:
        return STEP_LABELS[self]


STEP_LABELS = {
    Step.RECALL: "Recall and invitation",
    Step.TRIAGE: "Triage / exceptions",
    Step.INFORMATION_GATHERING: "Information gathering / tests",
    Step.CLINICAL_REVIEW: "Clinical review of tests",
    Step.INFORMATION_SHARING: "Information sharing",
    Step.REVIEW: "Routine review",
    Step.CONVERSATION: "Care and support planning conversation",
    Step.FOLLOW_UP: "Follow-up",
    Step.OTHER: "Other",
}


class Period(StrEnum):
    """What the patient numbers of a model count over."""

    PER_PATIENT = "per patient"
    MONTH = "month"
    YEAR = "year"

    @property
    def periods_per_year(self) -> int | None:
        """How many of this period make a year; None when it is not a time span."""
        return {Period.PER_PATIENT: None, Period.MONTH: MONTHS_PER_YEAR, Period.YEAR: 1}[self]


class CostBasis(StrEnum):
    """What a role's hourly cost includes; stated beside every result."""

    SALARY_ONLY = "salary_only"
    SALARY_ON_COSTS = "salary_on_costs"
    FULL_UNIT_COST = "full_unit_cost"
    # A rate copied from a source document that does not say what it includes (the
    # seed's 2017 rates: £0.36 a minute is above the 2017/18 band 6 top as salary alone).
    AS_PRINTED = "as_printed"

    @property
    def label(self) -> str:
        return {
            CostBasis.SALARY_ONLY: "salary only",
            CostBasis.SALARY_ON_COSTS: "salary + employer on-costs",
            CostBasis.FULL_UNIT_COST: "full unit cost (incl. overheads)",
            CostBasis.AS_PRINTED: "as printed in the source",
        }[self]


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Role:
    """A kind of staff member and what an hour of their time costs.

    Exactly one basis: ``cost_per_hour``, or ``annual_salary`` with
    ``on_cost_percent`` and ``paid_hours_per_year``.
    """

    key: str
    name: str
    band: str = ""
    cost_per_hour: Decimal | None = None
    annual_salary: Decimal | None = None
    on_cost_percent: Decimal | None = None
    paid_hours_per_year: Decimal | None = None
    cost_basis: CostBasis | None = None

    def __post_init__(self) -> None:
        salary_fields = (self.annual_salary, self.on_cost_percent, self.paid_hours_per_year)
        if self.cost_per_hour is not None:
            if any(v is not None for v in salary_fields):
                raise ValueError(f"role {self.key!r}: give cost_per_hour or a salary, not both")
        elif any(v is None for v in salary_fields):
            raise ValueError(
                f"role {self.key!r}: needs cost_per_hour, or annual_salary, on_cost_percent and paid_hours_per_year"
            )
        elif self.paid_hours_per_year <= 0:
            raise ValueError(f"role {self.key!r}: paid_hours_per_year must be more than 0")

    @property
    def exact_hourly_rate(self) -> Fraction:
        """The hourly cost, exact (never rounded: costing rule 1); see rate_ratio."""
        return Fraction(*rate_ratio(self))

    @property
    def hourly_rate(self) -> Decimal:
        """The hourly cost to the penny, for display only."""
        return round_half_up(self.exact_hourly_rate, PENNY)

    @property
    def minute_rate(self) -> Decimal:
        """The cost of one minute to a hundredth of a penny, for display only."""
        return round_half_up(self.exact_hourly_rate / MINUTES_PER_HOUR, Decimal("0.0001"))


@dataclass(frozen=True)
class Stage:
    name: str
    step: Step
    role: str | None
    minutes: Decimal
    extra_cost: Decimal = Decimal("0")
    visit: int | None = None
    # The cost printed in a source document, kept to show a reconciliation.
    printed_cost: Decimal | None = None


@dataclass(frozen=True)
class Pathway:
    key: str
    name: str
    stages: tuple[Stage, ...]
    # What the pathway is for, in the practice's words: carried into model files, never costed.
    description: str = ""


@dataclass(frozen=True)
class Group:
    """People on a practice's registers who share one set of conditions (format version 2)."""

    key: str
    label: str
    people: int
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cohort:
    """Patients going through one pathway ``times`` times in the model's period.

    When ``group`` names one of the model's groups, ``patients`` holds that group's
    people (the reader resolves it), so every costing path reads ``patients``.
    """

    label: str
    patients: int
    pathway: str
    conditions: tuple[str, ...] = ()
    printed_cost_per_patient: Decimal | None = None
    printed_contact_minutes: Decimal | None = None
    times: int = 1
    group: str | None = None
    # Of ``patients``, those screened out at triage (costing rule 7), 0 <= exceptions <= patients.
    exceptions: int = 0


@dataclass(frozen=True)
class CostModel:
    name: str
    period: Period
    roles: tuple[Role, ...]
    pathways: tuple[Pathway, ...]
    before: tuple[Cohort, ...]
    after: tuple[Cohort, ...]
    description: str = ""
    groups: tuple[Group, ...] = ()
    # Costing rule 8: every patient-counting figure x this, exactly (a what-if's "patient numbers x 0.75").
    patient_scale: Decimal = Decimal(1)


# -------------------------------------------------------------------------- results


@dataclass(frozen=True)
class StageResult:
    name: str
    step: Step
    role: str | None
    minutes: Decimal
    visit: int | None
    staff_cost: Decimal
    extra_cost: Decimal
    cost: Decimal
    printed_cost: Decimal | None


@dataclass(frozen=True)
class PathwayResult:
    key: str
    name: str
    stages: tuple[StageResult, ...]
    cost_per_patient: Decimal
    visits: int
    contact_minutes: Decimal


@dataclass(frozen=True)
class CohortResult:
    label: str
    conditions: tuple[str, ...]
    patients: int
    times: int
    pathway: str
    cost_per_patient: Decimal
    cost: Decimal
    visits: int
    contact_minutes: Decimal
    exceptions: int = 0


@dataclass(frozen=True)
class SideResult:
    cost: Decimal
    patients: int
    people: int
    reviews: int
    visits: int
    contact_minutes: Decimal
    staff_minutes: Mapping[str, Decimal]
    staff_cost: Mapping[str, Decimal]
    extra_cost: Decimal
    cost_by_step: Mapping[Step, Decimal]
    cohorts: tuple[CohortResult, ...]


@dataclass(frozen=True)
class Discrepancy:
    """A figure printed in the source that its own inputs do not give."""

    where: str
    what: str
    printed: Decimal
    computed: Decimal

    @property
    def difference(self) -> Decimal:
        return self.computed - self.printed


@dataclass(frozen=True)
class Comparison:
    name: str
    period: Period
    roles: tuple[Role, ...]
    pathways: Mapping[str, PathwayResult]
    before: SideResult
    after: SideResult
    saving: Decimal
    saving_percent: Decimal | None
    discrepancies: tuple[Discrepancy, ...] = field(default=())

    @property
    def periods_per_year(self) -> int | None:
        return self.period.periods_per_year

    def annualised(self, amount: Decimal) -> Decimal | None:
        factor = self.periods_per_year
        return None if factor is None else amount * factor


@dataclass(frozen=True)
class Headline:
    """A comparison's totals, as lists and roll-ups show them (small enough to cache by model version)."""

    period: Period
    before: Decimal
    after: Decimal
    visits_before: int
    visits_after: int
    staff_minutes_before: Decimal
    staff_minutes_after: Decimal
    people_before: int  # costing rule 6
    people_after: int
    reviews_before: int
    reviews_after: int
    # Minutes of stages with a visit (costing rule 5): the patients' time with staff.
    contact_minutes_before: Decimal = Decimal(0)
    contact_minutes_after: Decimal = Decimal(0)

    @classmethod
    def of(cls, comparison: Comparison) -> Headline:
        return cls(
            period=comparison.period,
            before=comparison.before.cost,
            after=comparison.after.cost,
            visits_before=comparison.before.visits,
            visits_after=comparison.after.visits,
            staff_minutes_before=normalise_minutes(sum(comparison.before.staff_minutes.values(), Decimal(0))),
            staff_minutes_after=normalise_minutes(sum(comparison.after.staff_minutes.values(), Decimal(0))),
            people_before=comparison.before.people,
            people_after=comparison.after.people,
            reviews_before=comparison.before.reviews,
            reviews_after=comparison.after.reviews,
            contact_minutes_before=comparison.before.contact_minutes,
            contact_minutes_after=comparison.after.contact_minutes,
        )

    @classmethod
    def zero(cls, period: Period) -> Headline:
        return cls(period, PENNY * 0, PENNY * 0, 0, 0, Decimal(0), Decimal(0), 0, 0, 0, 0, Decimal(0), Decimal(0))

    @classmethod
    def total(cls, headlines: Iterable[Headline], period: Period) -> Headline:
        """The sum of ``headlines``, all of ``period``: as adding them one by one to zero, in one pass."""
        figures = attrgetter(*_HEADLINE_FIGURES)
        rows = []
        for h in headlines:
            if h.period != period:
                raise ValueError(f"cannot add totals per {h.period.value} to totals per {period.value}")
            rows.append(figures(h))
        if not rows:
            return cls.zero(period)
        zero = figures(cls.zero(period))
        return cls(period, *(sum(column, start) for column, start in zip(zip(*rows, strict=True), zero, strict=True)))

    def __add__(self, other: Headline) -> Headline:
        """Two models' totals together (a roll-up): only of one period, as a month and a year do not add up."""
        if other.period != self.period:
            raise ValueError(f"cannot add totals per {other.period.value} to totals per {self.period.value}")
        return Headline(
            period=self.period,
            before=self.before + other.before,
            after=self.after + other.after,
            visits_before=self.visits_before + other.visits_before,
            visits_after=self.visits_after + other.visits_after,
            staff_minutes_before=self.staff_minutes_before + other.staff_minutes_before,
            staff_minutes_after=self.staff_minutes_after + other.staff_minutes_after,
            # Models of one practice may share people (a person in two models); the roll-up says so.
            people_before=self.people_before + other.people_before,
            people_after=self.people_after + other.people_after,
            reviews_before=self.reviews_before + other.reviews_before,
            reviews_after=self.reviews_after + other.reviews_after,
            contact_minutes_before=self.contact_minutes_before + other.contact_minutes_before,
            contact_minutes_after=self.contact_minutes_after + other.contact_minutes_after,
        )

    def times(self, factor: Decimal | int, period: Period | None = None) -> Headline:
        """These totals x ``factor`` (a patient scale, or periods in a year), as scale_headline says."""
        return scale_headline(self, factor, period)

    @property
    def saving(self) -> Decimal:
        return self.before - self.after

    @property
    def saving_percent(self) -> Decimal | None:
        """Of these totals (costing rule 4): of a sum of models, never an average of their percentages."""
        return saving_percent(self.before, self.saving)

    @property
    def staff_minutes_freed(self) -> Decimal:
        return normalise_minutes(self.staff_minutes_before - self.staff_minutes_after)

    @property
    def staff_hours_freed(self) -> Decimal:
        """Staff minutes before less after, in hours to a hundredth (negative when time is added)."""
        return round_half_up(Fraction(self.staff_minutes_freed) / MINUTES_PER_HOUR, HOURS_QUANTUM)


# ------------------------------------------------------------------------ arithmetic


def round_half_up(value: Fraction | Decimal | int, quantum: Decimal = PENNY) -> Decimal:
    """Round an exact value to ``quantum`` (0.01, 0.1 ...), halves away from zero.

    Works on the exact fraction so that 0.125 is 0.13 whatever produced it.
    """
    try:
        numerator, denominator = value.as_integer_ratio()
    except AttributeError:  # anything else Fraction() reads
        numerator, denominator = Fraction(value).as_integer_ratio()
    step_numerator, step_denominator = quantum.as_integer_ratio()
    return _units_to_decimal(_round_ratio_half_up(numerator * step_denominator, denominator * step_numerator), quantum)


def _round_ratio_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator (denominator > 0) to a whole number, halves away from zero.

    Integers, or numpy arrays of them or of floats elementwise (the Monte Carlo's
    drawn values, costing.decisions.uncertainty): only divmod, comparisons and
    ``|``/``&``, which mean the same for both.
    """
    whole, remainder = divmod(numerator, denominator)  # floor division: 0 <= remainder < denominator
    twice = 2 * remainder
    # For a negative half, the floor already lies away from zero.
    return whole + ((twice > denominator) | ((twice == denominator) & (numerator >= 0)))


def round_half_up_pennies(numerator, denominator: int):
    """Whole pennies of numerator / denominator (> 0), halves away from zero: integers or numpy arrays of them."""
    return _round_ratio_half_up(numerator, denominator)


def _units_to_decimal(units: int, quantum: Decimal) -> Decimal:
    return (Decimal(units) * quantum).quantize(quantum)


def normalise_minutes(value: Decimal) -> Decimal:
    """Minutes without a trailing '.0' (95, not 95.0; 7.5 stays 7.5)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# ------------------------------------------------------------------- costing rule 1

# Every path that costs a stage (compare, headlines, and the Monte Carlo of
# costing.decisions.uncertainty) goes through these two functions.

Ratio = tuple[int, int]  # an exact number as (numerator, denominator > 0)
PENNIES_PER_POUND = 100


def rate_ratio(role: Role) -> Ratio:
    """A role's cost per hour, exact: cost_per_hour, or salary x (100 + on-costs %) / (100 x paid hours).

    Never rounded (costing rule 1): a salaried rate seldom terminates in decimal.
    """
    if role.cost_per_hour is not None:
        return role.cost_per_hour.as_integer_ratio()
    salary_n, salary_d = role.annual_salary.as_integer_ratio()
    on_cost_n, on_cost_d = role.on_cost_percent.as_integer_ratio()
    hours_n, hours_d = role.paid_hours_per_year.as_integer_ratio()  # hours > 0 (Role checks)
    return salary_n * (100 * on_cost_d + on_cost_n) * hours_d, salary_d * on_cost_d * 100 * hours_n


def stage_pennies(minutes: Ratio, rate: Ratio | None, extra_cost: Decimal) -> tuple[int, int]:
    """Costing rule 1 for one patient at one stage: its staff cost and its extra cost, in whole pennies.

    Staff: minutes x rate (an hour, rate_ratio) / 60, in pennies, exactly, rounded
    half up (a cost on a half penny goes up); none without a rate (no role).
    The stage's cost is staff + extra, exact, rounded half up once (rule 1); its
    extra cost is that less the rounded staff cost. An extra cost in whole pennies
    (every version 1 file) is then itself, exactly; a sub-penny one (a text
    message at £0.0125) moves the line's rounding as rule 1 says, and staff and
    extra still add up to the stage's cost.

    The Monte Carlo (costing.decisions.uncertainty) passes a drawn minutes or
    rate as ``(numpy array, 1)``: the same arithmetic, elementwise, on floats.
    """
    extra_n, extra_d = _extra_pennies(extra_cost) if extra_cost else (0, 1)
    if rate is None:
        return 0, _round_ratio_half_up(extra_n, extra_d)
    numerator = minutes[0] * rate[0] * PENNIES_PER_POUND
    denominator = minutes[1] * rate[1] * MINUTES_PER_HOUR
    staff = _round_ratio_half_up(numerator, denominator)
    if extra_d == 1:  # whole pennies: rounding staff + extra is rounding staff and adding extra
        return staff, extra_n
    total = _round_ratio_half_up(numerator * extra_d + extra_n * denominator, denominator * extra_d)
    return staff, total - staff


@lru_cache(maxsize=1024)  # few distinct extra costs recur (a stamp, a text message) in every pathway
def _extra_pennies(amount: Decimal) -> Ratio:
    """An extra cost in pennies, exact, in lowest terms (denominator 1 for whole pennies)."""
    numerator, denominator = amount.as_integer_ratio()
    return Fraction(numerator * PENNIES_PER_POUND, denominator).as_integer_ratio()


# ---------------------------------------------------------------------------- engine


def make(cls, /, **fields):
    """``cls(**fields)`` for one of the engine's plain frozen dataclasses (MADE_FAST), at a third of the cost.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``;
    the engine builds hundreds of results per model, and a roll-up's reader
    (costing.selectors) hundreds of thousands of stages, so this fills the new
    instance's ``__dict__`` at once instead. These classes have no
    ``__post_init__``; every field must be given (tests/unit/test_engine_fast_paths.py).
    """
    if cls not in MADE_FAST:
        raise TypeError(f"{cls.__name__} is not built without its __init__")
    result = object.__new__(cls)
    result.__dict__.update(fields)
    return result


def _pennies(units: int) -> Decimal:
    """A whole number of pennies as pounds, e.g. 1234 -> Decimal('12.34')."""
    found = _PENNIES.get(units)
    if found is None:
        found = (Decimal(units) * PENNY).quantize(PENNY)
        if 0 <= units < _PENNIES_KEPT:
            _PENNIES[units] = found  # Decimals are immutable: one object serves every use
    return found


_PENNIES: dict[int, Decimal] = {}  # the stage costs met so far, up to £100
_PENNIES_KEPT = 10_000
_NO_EXTRA_COST = Decimal("0.00")
_NO_MINUTES = Decimal(0)  # Decimals are immutable: one zero starts every sum


@dataclass(frozen=True)
class _PathwayTotals:
    """One patient's pass through a pathway, summed by role, step and extra cost; money in pennies."""

    staff_pennies: dict[str | None, int]
    staff_minutes: dict[str | None, Decimal]
    step_pennies: dict[Step, int]
    extra_pennies: int


def _stage_rate(pathway: Pathway, stage: Stage, rates: Mapping[str, Ratio]) -> Ratio | None:
    """The rate of the stage's role (None without a role); ValueError for a role the model lacks."""
    if stage.role is None:
        return None
    if stage.role not in rates:
        raise ValueError(f"pathway {pathway.key!r}: unknown role {stage.role!r}")
    return rates[stage.role]


def _cost_stage(stage: Stage, rate: Ratio | None) -> tuple[StageResult, int, int]:
    """Costing rule 1 for one stage: the result, its staff cost and its extra cost in pennies."""
    staff, extra = stage_pennies(stage.minutes.as_integer_ratio(), rate, stage.extra_cost)
    staff_cost = _pennies(staff)
    # The extra cost's share of the rounded line (rule 1); +0, whatever its exponent, is 0.00.
    extra_cost = _pennies(extra) if extra else _NO_EXTRA_COST
    result = make(
        StageResult,
        name=stage.name,
        step=stage.step,
        role=stage.role,
        minutes=stage.minutes,
        visit=stage.visit,
        staff_cost=staff_cost,
        extra_cost=extra_cost,
        cost=staff_cost + extra_cost,
        printed_cost=stage.printed_cost,
    )
    return result, staff, extra


def screened_stages(steps: Iterable[Step]) -> int:
    """How many of a pathway's leading stages an exception incurs (costing rule 7).

    Up to and including the last triage stage: people screened out there (palliative
    care, say) have been recalled and triaged and go no further. A pathway without a
    triage stage screens no one out, so there an exception incurs every stage.
    """
    steps = list(steps)
    for index in range(len(steps) - 1, -1, -1):
        if steps[index] == Step.TRIAGE:
            return index + 1
    return len(steps)


def _screened_pathway(pathway: Pathway) -> Pathway:
    """The stages of ``pathway`` that an exception incurs (costing rule 7), as a pathway of their own."""
    count = screened_stages(stage.step for stage in pathway.stages)
    return Pathway(key=pathway.key, name=pathway.name, stages=pathway.stages[:count])


def cost_pathway(pathway: Pathway, roles: Mapping[str, Role]) -> PathwayResult:
    """Costing rules 2 and 5 for one patient going through a pathway."""
    return _cost_pathway(pathway, {key: rate_ratio(role) for key, role in roles.items()})[0]


def _cost_pathway(pathway: Pathway, rates: Mapping[str, Ratio]) -> tuple[PathwayResult, _PathwayTotals]:
    stages = []
    staff_pennies: dict[str | None, int] = {}
    staff_minutes: dict[str | None, Decimal] = {}
    step_pennies: dict[Step, int] = {}
    total = extra_total = 0
    visit_numbers = set()
    contact = Decimal(0)
    for stage in pathway.stages:
        role = stage.role
        result, staff, extra = _cost_stage(stage, _stage_rate(pathway, stage, rates))
        stages.append(result)
        if role is not None:
            staff_pennies[role] = staff_pennies.get(role, 0) + staff
            staff_minutes[role] = staff_minutes.get(role, 0) + stage.minutes
        step_pennies[stage.step] = step_pennies.get(stage.step, 0) + staff + extra
        extra_total += extra
        total += staff + extra
        if stage.visit is not None:
            visit_numbers.add(stage.visit)
            contact += stage.minutes
    result = make(
        PathwayResult,
        key=pathway.key,
        name=pathway.name,
        stages=tuple(stages),
        cost_per_patient=_pennies(total),
        visits=len(visit_numbers),
        contact_minutes=normalise_minutes(contact),
    )
    return result, _PathwayTotals(staff_pennies, staff_minutes, step_pennies, extra_total)


def _cost_side(
    cohorts: Iterable[Cohort],
    pathways: Mapping[str, PathwayResult],
    totals: Mapping[str, _PathwayTotals],
    role_keys: Iterable[str],
    screened: Mapping[str, tuple[PathwayResult, _PathwayTotals]] | None = None,
) -> SideResult:
    """Costing rules 3, 4, 5, 6 and 7 for one side (before or after).

    ``screened`` holds, by pathway key, the costed stages an exception incurs
    (rule 7), for each pathway a cohort with exceptions goes through.
    """
    results = []
    patients = visits = reviews = ungrouped = 0
    group_people: dict[str, int] = {}  # each group's people count once, however many cohorts name it
    cost = Decimal("0.00")
    contact = Decimal(0)
    patients_on: dict[str, int] = {}  # passes of the side's patients through each pathway
    screened_on: dict[str, int] = {}  # passes of exceptions through each pathway's screened stages (rule 7)
    for cohort in cohorts:
        key = cohort.pathway
        if key not in pathways:
            raise ValueError(f"cohort {cohort.label!r}: unknown pathway {key!r}")
        pathway = pathways[key]
        n = cohort.patients
        excepted = cohort.exceptions
        if not 0 <= excepted <= n:
            raise ValueError(f"cohort {cohort.label!r}: exceptions must be from 0 to its {n} patients")
        passes = (n - excepted) * cohort.times  # full passes: rule 7's reviews
        patients_on[key] = patients_on.get(key, 0) + passes
        cohort_cost = pathway.cost_per_patient * passes
        cohort_visits = pathway.visits * passes
        cohort_contact = pathway.contact_minutes * passes
        if excepted:
            screened_passes = excepted * cohort.times
            part = screened[key][0]
            screened_on[key] = screened_on.get(key, 0) + screened_passes
            cohort_cost += part.cost_per_patient * screened_passes
            cohort_visits += part.visits * screened_passes
            cohort_contact += part.contact_minutes * screened_passes
        cohort_contact = normalise_minutes(cohort_contact)
        if cohort.group is None:
            ungrouped += n
        else:
            group_people.setdefault(cohort.group, n)
        results.append(
            make(
                CohortResult,
                label=cohort.label,
                conditions=cohort.conditions,
                patients=n,
                times=cohort.times,
                pathway=key,
                cost_per_patient=pathway.cost_per_patient,
                cost=cohort_cost,
                visits=cohort_visits,
                contact_minutes=cohort_contact,
                exceptions=excepted,
            )
        )
        patients += n
        reviews += passes
        visits += cohort_visits
        cost += cohort_cost
        contact += cohort_contact
    # Each pathway's stages count once, for all the side's patients on it (exact:
    # integers for money, and Decimals far inside the context's 28 digits for minutes).
    staff_pennies = dict.fromkeys(role_keys, 0)
    staff_minutes = dict.fromkeys(staff_pennies, Decimal(0))
    step_pennies = dict.fromkeys(Step, 0)
    extra = 0
    passes_through = [(totals[key], n) for key, n in patients_on.items()]
    passes_through += [(screened[key][1], n) for key, n in screened_on.items()]
    for pathway, n in passes_through:
        for role, value in pathway.staff_pennies.items():
            staff_pennies[role] += value * n
        for role, value in pathway.staff_minutes.items():
            staff_minutes[role] += value * n
        for step, value in pathway.step_pennies.items():
            step_pennies[step] += value * n
        extra += pathway.extra_pennies * n
    return SideResult(
        cost=cost,
        patients=patients,
        people=sum(group_people.values(), ungrouped),
        reviews=reviews,
        visits=visits,
        contact_minutes=normalise_minutes(contact),
        staff_minutes={k: normalise_minutes(staff_minutes[k]) for k in sorted(staff_minutes)},
        staff_cost={k: _pennies(staff_pennies[k]) for k in sorted(staff_pennies)},
        extra_cost=_pennies(extra),
        cost_by_step={step: _pennies(value) for step, value in step_pennies.items()},
        cohorts=tuple(results),
    )


def saving_percent(before: Decimal, saving: Decimal) -> Decimal | None:
    """Costing rule 4: one decimal place, half up; absent when before is 0."""
    if before == 0:
        return None
    return round_half_up(Fraction(saving) * 100 / Fraction(before), ONE_DECIMAL_PLACE)


def reconcile(model: CostModel, pathways: Mapping[str, PathwayResult]) -> tuple[Discrepancy, ...]:
    """Printed figures of the source that the model's own inputs do not give."""
    found = []
    for pathway in pathways.values():
        for stage in pathway.stages:
            if stage.printed_cost is not None and stage.printed_cost != stage.cost:
                found.append(
                    Discrepancy(
                        where=f"{pathway.name}: {stage.name}",
                        what="stage cost per patient",
                        printed=stage.printed_cost,
                        computed=stage.cost,
                    )
                )
    for side, cohorts in (("before", model.before), ("after", model.after)):
        for cohort in cohorts:
            pathway = pathways[cohort.pathway]
            where = f"{side}: {cohort.label}"
            printed_cost = cohort.printed_cost_per_patient
            if printed_cost is not None and printed_cost != pathway.cost_per_patient:
                found.append(Discrepancy(where, "cost per patient", printed_cost, pathway.cost_per_patient))
            printed_contact = cohort.printed_contact_minutes
            if printed_contact is not None and printed_contact != pathway.contact_minutes:
                found.append(
                    Discrepancy(where, "contact minutes per patient", printed_contact, pathway.contact_minutes)
                )
    return tuple(found)


def check_references(model: CostModel) -> None:
    """Raise ValueError if a stage names an unknown role or a cohort an unknown pathway."""
    role_keys = {r.key for r in model.roles}
    role_keys.add(None)
    pathway_keys = {p.key for p in model.pathways}
    for pathway in model.pathways:
        for stage in pathway.stages:
            if stage.role not in role_keys:
                raise ValueError(f"pathway {pathway.key!r}: unknown role {stage.role!r}")
    for cohort in model.before + model.after:
        if cohort.pathway not in pathway_keys:
            raise ValueError(f"cohort {cohort.label!r}: unknown pathway {cohort.pathway!r}")


def compare(model: CostModel) -> Comparison:
    """Cost both sides of a model and the difference between them.

    Raises ValueError if a stage names an unknown role or a cohort an unknown
    pathway (the checks of check_references, made while costing).
    """
    rates = {role.key: rate_ratio(role) for role in model.roles}
    pathways, totals = {}, {}
    for pathway in model.pathways:
        pathways[pathway.key], totals[pathway.key] = _cost_pathway(pathway, rates)
    # The stages exceptions incur (rule 7), costed only for pathways that have any.
    excepted = {c.pathway for c in model.before + model.after if c.exceptions and c.pathway in pathways}
    screened = {p.key: _cost_pathway(_screened_pathway(p), rates) for p in model.pathways if p.key in excepted}
    before = _cost_side(model.before, pathways, totals, rates, screened)
    after = _cost_side(model.after, pathways, totals, rates, screened)
    saving = before.cost - after.cost
    comparison = Comparison(
        name=model.name,
        period=model.period,
        roles=model.roles,
        pathways=pathways,
        before=before,
        after=after,
        saving=saving,
        saving_percent=saving_percent(before.cost, saving),
        discrepancies=reconcile(model, pathways),
    )
    return comparison if model.patient_scale == 1 else scale_comparison(comparison, model.patient_scale)


def headline(model: CostModel) -> Headline:
    """``Headline.of(compare(model))``, without building the results of each stage and cohort.

    The model reduced to its totals (TotalsModel) and costed by headlines. Raises
    ValueError as compare does.
    """
    check_references(model)
    totals = TotalsModel.of(model)
    used = {key for key, _ in totals.before}
    used.update(key for key, _ in totals.after)
    used.update(key for key, _, _ in totals.screened_before)
    used.update(key for key, _, _ in totals.screened_after)
    stages = {p.key: list(map(_TOTALS_FIELDS, p.stages)) for p in model.pathways if p.key in used}
    roles = {role.key: role for role in model.roles}
    found = headlines({None: totals}, stages, roles)[None]
    return found if model.patient_scale == 1 else scale_headline(found, model.patient_scale)


# ------------------------------------------------------------------- costing rule 8

# A patient scale k multiplies every figure that counts patients. The engine costs
# the model at its own whole numbers (rules 1 to 7), then: money = k x the exact
# figure, rounded half up to the penny once (a per-patient figure is not scaled);
# counts (patients, people, reviews, visits) and minutes = k x the figure, exact
# (k has at most two decimal places, so they are Decimals, not rounded). A saving is
# the scaled before less the scaled after, so the shown figures add up; its
# percentage is of those. Rounding once from the exact figure, rather than scaling
# patients to whole people per cohort, is what makes x 0.5 halve every figure.


_HEADLINE_FIGURES = tuple(f.name for f in fields(Headline) if f.name != "period")
_EXACT_MONEY = Decimal("1e20")  # below it, pennies x a small whole number stay within Decimal's 28 digits


def _scaled_money(amount: Decimal, factor: Decimal | int) -> Decimal:
    if (
        type(factor) is int
        and factor > 0
        and amount.as_tuple().exponent >= -2
        and -_EXACT_MONEY < amount < _EXACT_MONEY
    ):
        # Whole pennies x a whole number (a month x 12): exact, nothing to round.
        return (amount * factor).quantize(PENNY)
    return round_half_up(Fraction(amount) * Fraction(factor), PENNY)


def _scaled_count(value: Decimal | int, factor: Decimal | int) -> Decimal | int:
    product = value * factor
    if isinstance(product, int):
        return product
    return int(product) if product == product.to_integral_value() else product.normalize()


def _scaled_minutes(value: Decimal, factor: Decimal | int) -> Decimal:
    return normalise_minutes(value * factor)


def scale_comparison(comparison: Comparison, factor: Decimal | int) -> Comparison:
    """Costing rule 8: the comparison with ``factor`` times its patients, every figure scaled exactly."""

    def cohort(c: CohortResult) -> CohortResult:
        return make(
            CohortResult,
            label=c.label,
            conditions=c.conditions,
            patients=_scaled_count(c.patients, factor),
            times=c.times,
            pathway=c.pathway,
            cost_per_patient=c.cost_per_patient,
            cost=_scaled_money(c.cost, factor),
            visits=_scaled_count(c.visits, factor),
            contact_minutes=_scaled_minutes(c.contact_minutes, factor),
            exceptions=_scaled_count(c.exceptions, factor),
        )

    def side(s: SideResult) -> SideResult:
        return SideResult(
            cost=_scaled_money(s.cost, factor),
            patients=_scaled_count(s.patients, factor),
            people=_scaled_count(s.people, factor),
            reviews=_scaled_count(s.reviews, factor),
            visits=_scaled_count(s.visits, factor),
            contact_minutes=_scaled_minutes(s.contact_minutes, factor),
            staff_minutes={k: _scaled_minutes(v, factor) for k, v in s.staff_minutes.items()},
            staff_cost={k: _scaled_money(v, factor) for k, v in s.staff_cost.items()},
            extra_cost=_scaled_money(s.extra_cost, factor),
            cost_by_step={k: _scaled_money(v, factor) for k, v in s.cost_by_step.items()},
            cohorts=tuple(map(cohort, s.cohorts)),
        )

    before, after = side(comparison.before), side(comparison.after)
    saving = before.cost - after.cost
    return Comparison(
        name=comparison.name,
        period=comparison.period,
        roles=comparison.roles,
        pathways=comparison.pathways,
        before=before,
        after=after,
        saving=saving,
        saving_percent=saving_percent(before.cost, saving),
        discrepancies=comparison.discrepancies,
    )


def scale_headline(h: Headline, factor: Decimal | int, period: Period | None = None) -> Headline:
    """Costing rule 8 on totals: every figure x ``factor`` (money to the penny once); of ``period`` if given."""
    return Headline(
        period=h.period if period is None else period,
        before=_scaled_money(h.before, factor),
        after=_scaled_money(h.after, factor),
        visits_before=_scaled_count(h.visits_before, factor),
        visits_after=_scaled_count(h.visits_after, factor),
        staff_minutes_before=_scaled_minutes(h.staff_minutes_before, factor),
        staff_minutes_after=_scaled_minutes(h.staff_minutes_after, factor),
        people_before=_scaled_count(h.people_before, factor),
        people_after=_scaled_count(h.people_after, factor),
        reviews_before=_scaled_count(h.reviews_before, factor),
        reviews_after=_scaled_count(h.reviews_after, factor),
        contact_minutes_before=_scaled_minutes(h.contact_minutes_before, factor),
        contact_minutes_after=_scaled_minutes(h.contact_minutes_after, factor),
    )


_TOTALS_FIELDS = attrgetter("role", "minutes", "extra_cost", "visit")  # a Stage as a TotalsStage


# One stage as the totals need it: (role key or None, minutes, extra cost, visit number or None).
TotalsStage = tuple[Hashable | None, Decimal, Decimal, int | None]


@dataclass(frozen=True)
class TotalsModel:
    """A model reduced to what its totals need: each side's passes by pathway key.

    A pass is one patient going through the pathway once: a cohort gives
    patients x times of them (costing rules 3 and 5), and a side's reviews are
    its passes (rule 6). A side's people cannot be summed from its passes (a
    group's people count once however many cohorts name it), so they are given.
    A cohort's exceptions (rule 7) give exceptions x times screened passes
    instead, through the pathway's first ``screened_stages`` stages, which are
    given with them; they are not reviews.

    Its pathways and roles are given beside it (headlines), so that models that
    share them, as a practice's models do, have each pathway costed once.
    """

    period: Period
    before: tuple[tuple[Hashable, int], ...]  # (pathway key, patients x times)
    after: tuple[tuple[Hashable, int], ...]
    people_before: int
    people_after: int
    # (pathway key, stages an exception incurs, exceptions x times): rule 7
    screened_before: tuple[tuple[Hashable, int, int], ...] = ()
    screened_after: tuple[tuple[Hashable, int, int], ...] = ()

    @classmethod
    def of(cls, model: CostModel) -> TotalsModel:
        counts = {p.key: screened_stages(s.step for s in p.stages) for p in model.pathways}

        def screened(cohorts: tuple[Cohort, ...]) -> tuple[tuple[Hashable, int, int], ...]:
            return tuple((c.pathway, counts[c.pathway], c.exceptions * c.times) for c in cohorts if c.exceptions)

        return cls(
            period=model.period,
            before=tuple((c.pathway, (c.patients - c.exceptions) * c.times) for c in model.before),
            after=tuple((c.pathway, (c.patients - c.exceptions) * c.times) for c in model.after),
            people_before=people(model.before),
            people_after=people(model.after),
            screened_before=screened(model.before),
            screened_after=screened(model.after),
        )


def people(cohorts: Iterable[Cohort]) -> int:
    """Costing rule 6's people of a side: each group's people once, plus the patients of cohorts without a group."""
    group_people: dict[str, int] = {}
    ungrouped = 0
    for cohort in cohorts:
        if cohort.group is None:
            ungrouped += cohort.patients
        else:
            group_people.setdefault(cohort.group, cohort.patients)
    return sum(group_people.values(), ungrouped)


def headlines(
    models: Mapping[K, TotalsModel],
    pathways: Mapping[Hashable, Iterable[TotalsStage]],
    roles: Mapping[Hashable, Role],
) -> dict[K, Headline]:
    """The totals of many models at once (costing rules 1 to 5, summed straight into each side).

    Each pathway that a model uses is costed once, in integers, however many
    models use it: its cost per patient in pennies (rule 1's rounding, stage by
    stage), its distinct visits and its staff minutes. A side's totals are then
    sums of patients x those figures, as compare's. For lists, roll-ups and the
    national roll-up. Raises ValueError for a pathway or role that is not given.
    """
    rates = {key: rate_ratio(role) for key, role in roles.items()}
    # A practice's pathways repeat the same few stages, and its stages the same few
    # minutes: each distinct one is read and costed once.
    minute_ratios: dict[Decimal, Ratio] = {}
    stage_costs: dict[TotalsStage, int] = {}
    costed: dict[Hashable, tuple[int, int, Decimal, Decimal]] = {}
    costed_screened: dict[tuple[Hashable, int], tuple[int, int, Decimal, Decimal]] = {}
    # Bound once: these run for every stage of every pathway.
    rate_of, ratio_of, cost_of, costed_of = rates.get, minute_ratios.get, stage_costs.get, costed.get

    def cost(key: Hashable, screened: int | None = None) -> tuple[int, int, Decimal, Decimal]:
        """A pathway's pennies, visits, staff and contact minutes a pass; of its first ``screened`` stages if given."""
        stages = pathways.get(key)
        if stages is None:
            raise ValueError(f"unknown pathway {key!r}")
        if screened is not None:
            stages = islice(stages, screened)
        pennies = 0
        minutes = contact = _NO_MINUTES
        visit_numbers = set()
        for stage in stages:
            role, stage_minutes, extra_cost, visit = stage
            stage_cost = cost_of(stage)
            if stage_cost is None:  # a stage not met before
                rate = None
                if role is not None:
                    rate = rate_of(role)
                    if rate is None:
                        raise ValueError(f"pathway {key!r}: unknown role {role!r}")
                ratio = ratio_of(stage_minutes)
                if ratio is None:
                    ratio = minute_ratios[stage_minutes] = stage_minutes.as_integer_ratio()
                staff, extra = stage_pennies(ratio, rate, extra_cost)
                stage_cost = stage_costs[stage] = staff + extra
            pennies += stage_cost
            if role is not None:
                minutes += stage_minutes
            if visit is not None:
                visit_numbers.add(visit)
                contact += stage_minutes
        found = (pennies, len(visit_numbers), minutes, contact)
        if screened is None:
            costed[key] = found
        else:
            costed_screened[key, screened] = found
        return found

    def side(
        cohorts: tuple[tuple[Hashable, int], ...], screened: tuple[tuple[Hashable, int, int], ...]
    ) -> tuple[Decimal, int, Decimal, int, Decimal]:
        patients_on: dict[Hashable, int] = {}
        for key, n in cohorts:
            patients_on[key] = patients_on.get(key, 0) + n
        pennies = visits = 0
        minutes = contact = _NO_MINUTES
        for key, n in patients_on.items():
            pathway = costed_of(key) or cost(key)
            pennies += pathway[0] * n
            visits += pathway[1] * n
            minutes += pathway[2] * n
            contact += pathway[3] * n
        for key, count, n in screened:  # rule 7: exceptions' passes, not reviews
            pathway = costed_screened.get((key, count)) or cost(key, count)
            pennies += pathway[0] * n
            visits += pathway[1] * n
            minutes += pathway[2] * n
            contact += pathway[3] * n
        return (
            _pennies(pennies),
            visits,
            normalise_minutes(minutes),
            sum(patients_on.values()),
            normalise_minutes(contact),
        )

    found = {}
    for model_key, model in models.items():
        before, visits_before, minutes_before, reviews_before, contact_before = side(
            model.before, model.screened_before
        )
        after, visits_after, minutes_after, reviews_after, contact_after = side(model.after, model.screened_after)
        found[model_key] = Headline(
            model.period,
            before,
            after,
            visits_before,
            visits_after,
            minutes_before,
            minutes_after,
            model.people_before,
            model.people_after,
            reviews_before,
            reviews_after,
            contact_before,
            contact_after,
        )
    return found


MADE_FAST = frozenset({Stage, Pathway, Cohort, StageResult, PathwayResult, CohortResult})


def hours_to_fte(minutes: Decimal, period: Period) -> Decimal | None:
    """Whole-time equivalents that a number of staff minutes per period takes."""
    per_year = period.periods_per_year
    if per_year is None:
        return None
    hours_per_year = Fraction(minutes) * per_year / MINUTES_PER_HOUR
    return round_half_up(hours_per_year / (Fraction(FULL_TIME_HOURS_PER_WEEK) * WEEKS_PER_YEAR), Decimal("0.01"))
