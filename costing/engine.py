"""The costing engine: a pure function from a cost model to its figures.

No Django, no I/O, no floats. Inputs and outputs are frozen dataclasses holding
``Decimal`` values. The rules are those of the cost model exchange format
(docs/model-format.md), reproduced here as code:

1. Stage cost per patient = minutes x role cost per hour / 60 + extra cost,
   rounded to the penny, half up. Role rates are never rounded first.
2. Pathway cost per patient = sum of its rounded stage costs.
3. Cohort cost = pathway cost per patient x patients.
4. A side's cost = sum of its cohort costs; saving = before - after;
   saving percent = saving / before x 100, one decimal place, half up
   (absent when before is 0).
5. Visits = sum of patients x distinct visit numbers in the pathway; contact
   minutes = sum of patients x minutes of stages with a visit; staff minutes by
   role = sum of patients x minutes of that role's stages.

Intermediate arithmetic uses ``fractions.Fraction`` because a salary-based rate
(33,000 x 1.285 / 1,950) does not terminate in decimal: rounding it to any
number of places could move a stage cost that lies exactly on a half penny.
Every figure that leaves the engine is a ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

PENNY = Decimal("0.01")
ONE_DECIMAL_PLACE = Decimal("0.1")
MINUTES_PER_HOUR = 60
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

    @property
    def label(self) -> str:
        return {
            CostBasis.SALARY_ONLY: "salary only",
            CostBasis.SALARY_ON_COSTS: "salary + employer on-costs",
            CostBasis.FULL_UNIT_COST: "full unit cost (incl. overheads)",
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
        """The hourly cost, exact (never rounded: costing rule 1)."""
        if self.cost_per_hour is not None:
            return Fraction(self.cost_per_hour)
        return (
            Fraction(self.annual_salary)
            * (100 + Fraction(self.on_cost_percent))
            / (100 * Fraction(self.paid_hours_per_year))
        )

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


@dataclass(frozen=True)
class Cohort:
    label: str
    patients: int
    pathway: str
    conditions: tuple[str, ...] = ()
    printed_cost_per_patient: Decimal | None = None
    printed_contact_minutes: Decimal | None = None


@dataclass(frozen=True)
class CostModel:
    name: str
    period: Period
    roles: tuple[Role, ...]
    pathways: tuple[Pathway, ...]
    before: tuple[Cohort, ...]
    after: tuple[Cohort, ...]
    description: str = ""


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
    pathway: str
    cost_per_patient: Decimal
    cost: Decimal
    visits: int
    contact_minutes: Decimal


@dataclass(frozen=True)
class SideResult:
    cost: Decimal
    patients: int
    visits: int
    contact_minutes: Decimal
    staff_minutes: Mapping[str, Decimal]
    staff_cost: Mapping[str, Decimal]
    extra_cost: Decimal
    cost_by_step: Mapping[Step, Decimal]
    cohorts: tuple[CohortResult, ...]

    @property
    def cost_per_patient(self) -> Decimal | None:
        if not self.patients:
            return None
        return round_half_up(Fraction(self.cost) / self.patients, PENNY)


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


# ------------------------------------------------------------------------ arithmetic


def round_half_up(value: Fraction | Decimal | int, quantum: Decimal = PENNY) -> Decimal:
    """Round an exact value to ``quantum`` (0.01, 0.1 ...), halves away from zero.

    Works on the exact fraction so that 0.125 is 0.13 whatever produced it.
    """
    exact = Fraction(value)
    step = Fraction(quantum)
    units = exact / step
    whole = units.numerator // units.denominator
    remainder = units - whole
    if remainder > Fraction(1, 2) or (remainder == Fraction(1, 2) and exact >= 0):
        whole += 1  # for a negative half, the floor already lies away from zero
    return (Decimal(whole) * quantum).quantize(quantum)


def normalise_minutes(value: Decimal) -> Decimal:
    """Minutes without a trailing '.0' (95, not 95.0; 7.5 stays 7.5)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# ---------------------------------------------------------------------------- engine


def cost_stage(stage: Stage, roles: Mapping[str, Role]) -> StageResult:
    """Costing rule 1 for one stage, per patient."""
    if stage.role is None:
        staff_exact = Fraction(0)
    else:
        rate = roles[stage.role].exact_hourly_rate
        staff_exact = Fraction(stage.minutes) * rate / MINUTES_PER_HOUR
    # Rounding the sum equals rounding the staff cost and adding the extra cost,
    # because the extra cost is whole pennies; so staff and extra add up exactly.
    staff_cost = round_half_up(staff_exact)
    extra_cost = stage.extra_cost.quantize(PENNY)
    return StageResult(
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


def cost_pathway(pathway: Pathway, roles: Mapping[str, Role]) -> PathwayResult:
    """Costing rules 2 and 5 for one patient going through a pathway."""
    stages = tuple(cost_stage(stage, roles) for stage in pathway.stages)
    visit_numbers = {s.visit for s in stages if s.visit is not None}
    return PathwayResult(
        key=pathway.key,
        name=pathway.name,
        stages=stages,
        cost_per_patient=sum((s.cost for s in stages), Decimal("0.00")),
        visits=len(visit_numbers),
        contact_minutes=normalise_minutes(sum((s.minutes for s in stages if s.visit is not None), Decimal(0))),
    )


def cost_side(cohorts: Iterable[Cohort], pathways: Mapping[str, PathwayResult], role_keys: Iterable[str]) -> SideResult:
    """Costing rules 3, 4 and 5 for one side (before or after)."""
    staff_minutes = {key: Decimal(0) for key in role_keys}
    staff_cost = {key: Decimal("0.00") for key in role_keys}
    cost_by_step = {step: Decimal("0.00") for step in Step}
    extra_cost = Decimal("0.00")
    results = []
    for cohort in cohorts:
        pathway = pathways[cohort.pathway]
        n = cohort.patients
        for stage in pathway.stages:
            if stage.role is not None:
                staff_minutes[stage.role] += stage.minutes * n
                staff_cost[stage.role] += stage.staff_cost * n
            extra_cost += stage.extra_cost * n
            cost_by_step[stage.step] += stage.cost * n
        results.append(
            CohortResult(
                label=cohort.label,
                conditions=cohort.conditions,
                patients=n,
                pathway=cohort.pathway,
                cost_per_patient=pathway.cost_per_patient,
                cost=pathway.cost_per_patient * n,
                visits=pathway.visits * n,
                contact_minutes=normalise_minutes(pathway.contact_minutes * n),
            )
        )
    return SideResult(
        cost=sum((c.cost for c in results), Decimal("0.00")),
        patients=sum(c.patients for c in results),
        visits=sum(c.visits for c in results),
        contact_minutes=normalise_minutes(sum((c.contact_minutes for c in results), Decimal(0))),
        staff_minutes={k: normalise_minutes(v) for k, v in sorted(staff_minutes.items())},
        staff_cost=dict(sorted(staff_cost.items())),
        extra_cost=extra_cost,
        cost_by_step=cost_by_step,
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
    pathway_keys = {p.key for p in model.pathways}
    for pathway in model.pathways:
        for stage in pathway.stages:
            if stage.role is not None and stage.role not in role_keys:
                raise ValueError(f"pathway {pathway.key!r}: unknown role {stage.role!r}")
    for cohort in model.before + model.after:
        if cohort.pathway not in pathway_keys:
            raise ValueError(f"cohort {cohort.label!r}: unknown pathway {cohort.pathway!r}")


def compare(model: CostModel) -> Comparison:
    """Cost both sides of a model and the difference between them."""
    check_references(model)
    roles = {role.key: role for role in model.roles}
    pathways = {p.key: cost_pathway(p, roles) for p in model.pathways}
    before = cost_side(model.before, pathways, roles)
    after = cost_side(model.after, pathways, roles)
    saving = before.cost - after.cost
    return Comparison(
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


def hours_to_fte(minutes: Decimal, period: Period) -> Decimal | None:
    """Whole-time equivalents that a number of staff minutes per period takes."""
    per_year = period.periods_per_year
    if per_year is None:
        return None
    hours_per_year = Fraction(minutes) * per_year / MINUTES_PER_HOUR
    return round_half_up(hours_per_year / (Fraction(FULL_TIME_HOURS_PER_WEEK) * WEEKS_PER_YEAR), Decimal("0.01"))
