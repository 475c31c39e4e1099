"""The figures a model's comparison page and its PDF report show, assembled once (pure: no Django).

Both render what present() gives: the staff table, the cost by kind of step,
the year's figures of a model counted per month, the pathways its cohorts use
and the extra costs (postage) its stages carry. Neither computes a figure of
its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from costing import engine


@dataclass(frozen=True)
class StaffRow:
    """One role's time and cost, before and after."""

    key: str
    name: str
    rate: Decimal
    basis: str
    before_minutes: Decimal
    after_minutes: Decimal
    before_cost: Decimal
    after_cost: Decimal
    before_fte: Decimal | None
    after_fte: Decimal | None

    @property
    def change_minutes(self) -> Decimal:
        return self.after_minutes - self.before_minutes


@dataclass(frozen=True)
class StepRow:
    """The cost of one kind of step (recall, information gathering, …), before and after."""

    label: str
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class Annual:
    """Before, after and saving over a year, for a model counted per month."""

    before: Decimal
    after: Decimal
    saving: Decimal


@dataclass(frozen=True)
class ExtraCost:
    """An extra cost per stage (a stamp, a text message) and how many stages carry it."""

    amount: Decimal
    uses: int


@dataclass(frozen=True)
class CohortLine:
    """A cohort as its table shows it: its result, its reviews (patients x times) and its cost per person."""

    result: engine.CohortResult
    reviews: int
    cost_per_person: Decimal  # its cost per review x times: each of its people goes through it that often

    @classmethod
    def of(cls, cohort: engine.CohortResult) -> CohortLine:
        return cls(cohort, cohort.patients * cohort.times, cohort.cost_per_patient * cohort.times)


@dataclass(frozen=True)
class SideFigures:
    """A side's cohorts, its people and reviews (costing rule 6) and what each costs and takes of staff time.

    Per person and per review are the side's totals divided, to the penny and to a
    tenth of a minute, half up; absent when the side has no one.
    """

    cohorts: tuple[CohortLine, ...]
    people: int
    reviews: int
    cost_per_person: Decimal | None
    cost_per_review: Decimal | None
    staff_minutes_per_person: Decimal | None

    @classmethod
    def of(cls, side: engine.SideResult) -> SideFigures:
        staff_minutes = sum(side.staff_minutes.values(), Decimal(0))
        return cls(
            cohorts=tuple(map(CohortLine.of, side.cohorts)),
            people=side.people,
            reviews=side.reviews,
            cost_per_person=_per(side.cost, side.people, engine.PENNY),
            cost_per_review=_per(side.cost, side.reviews, engine.PENNY),
            staff_minutes_per_person=_minutes(_per(staff_minutes, side.people, MINUTES_QUANTUM)),
        )


MINUTES_QUANTUM = Decimal("0.1")  # staff time per person, as the page shows minutes


def _minutes(value: Decimal | None) -> Decimal | None:
    return None if value is None else engine.normalise_minutes(value)


def _per(total: Decimal, count: int, quantum: Decimal) -> Decimal | None:
    # A scaled count may hold a fraction of a person (costing rule 8): divided exactly all the same.
    return None if not count else engine.round_half_up(Fraction(total) / Fraction(count), quantum)


@dataclass(frozen=True)
class Presentation:
    comparison: engine.Comparison
    staff: tuple[StaffRow, ...]
    steps: tuple[StepRow, ...]  # only kinds of step that cost something before or after
    annual: Annual | None  # None unless the model's period is shorter than a year
    pathways: tuple[engine.PathwayResult, ...]  # those the cohorts use, in the model's order
    role_names: dict[str, str]
    extra_costs: tuple[ExtraCost, ...]
    counts: str  # people and reviews, before and after (costing rule 6)
    before_side: SideFigures
    after_side: SideFigures
    shows_times: bool  # a cohort on either side goes through its pathway other than once a period

    def context(self) -> dict:
        """The figures by the names the page's and the report's templates give them."""
        return {
            "c": self.comparison,
            "staff": self.staff,
            "steps": self.steps,
            "annual": self.annual,
            "pathways": self.pathways,
            "role_names": self.role_names,
            "extra_costs": self.extra_costs,
            "counts": self.counts,
            "before_side": self.before_side,
            "after_side": self.after_side,
            "shows_times": self.shows_times,
        }


def present(model: engine.CostModel, comparison: engine.Comparison) -> Presentation:
    """The figures of ``comparison`` (engine.compare(model)) as the page and the report show them."""
    before, after = comparison.before, comparison.after
    staff = tuple(
        StaffRow(
            key=role.key,
            name=role.name,
            rate=role.hourly_rate,
            basis=role.cost_basis.label if role.cost_basis else "basis not stated",
            before_minutes=before.staff_minutes[role.key],
            after_minutes=after.staff_minutes[role.key],
            before_cost=before.staff_cost[role.key],
            after_cost=after.staff_cost[role.key],
            before_fte=engine.hours_to_fte(before.staff_minutes[role.key], comparison.period),
            after_fte=engine.hours_to_fte(after.staff_minutes[role.key], comparison.period),
        )
        for role in comparison.roles
    )
    steps = tuple(
        StepRow(step.label, before.cost_by_step[step], after.cost_by_step[step])
        for step in engine.Step
        if before.cost_by_step[step] or after.cost_by_step[step]
    )
    used = {c.pathway for c in before.cohorts} | {c.pathway for c in after.cohorts}
    uses = Counter(s.extra_cost for p in model.pathways for s in p.stages if s.extra_cost)
    return Presentation(
        comparison=comparison,
        staff=staff,
        steps=steps,
        annual=_annual(comparison),
        pathways=tuple(p for key, p in comparison.pathways.items() if key in used),
        role_names={role.key: role.name for role in comparison.roles},
        extra_costs=tuple(ExtraCost(amount, uses[amount]) for amount in sorted(uses)),
        counts=people_and_reviews(before, after),
        before_side=SideFigures.of(before),
        after_side=SideFigures.of(after),
        shows_times=any(c.times != 1 for c in (*before.cohorts, *after.cohorts)),
    )


def people_and_reviews(before: engine.SideResult, after: engine.SideResult) -> str:
    """ "1 person: 3 reviews → 1" where the same people are reviewed fewer times; both counts apart otherwise.

    A model without groups (every version 1 file) counts each patient as a person,
    so its people and reviews are the same figures: it says so rather than inventing people.
    """

    def people(n: int) -> str:
        return f"{n:,} {'person' if n == 1 else 'people'}"

    def reviews(n: int) -> str:
        return f"{n:,} review{'' if n == 1 else 's'}"

    if before.people == after.people:
        return f"{people(before.people)}: {reviews(before.reviews)} → {after.reviews:,}"
    plural = "" if before.reviews == after.reviews == 1 else "s"
    return f"{before.reviews:,} → {after.reviews:,} review{plural}; {before.people:,} → {people(after.people)}"


def _annual(comparison: engine.Comparison) -> Annual | None:
    if comparison.periods_per_year in (None, 1):
        return None
    return Annual(
        before=comparison.annualised(comparison.before.cost),
        after=comparison.annualised(comparison.after.cost),
        saving=comparison.annualised(comparison.saving),
    )


# ------------------------------------------------------------------ side by side


@dataclass(frozen=True)
class Difference:
    """One figure of a model less the same figure of the first model, and that as a % of the first's."""

    amount: Decimal
    percent: Decimal | None  # one decimal place, half up; None when the first's figure is 0


@dataclass(frozen=True)
class SideBySideRow:
    label: str
    kind: str  # "money", "count" or "hours" (from minutes): how the page shows the values
    values: tuple[Decimal, ...]
    # Against the first column: None for the first, and for a model counting another period.
    differences: tuple[Difference | None, ...]


def side_by_side(comparisons: list[engine.Comparison]) -> list[SideBySideRow]:
    """The figures of several models, each against the first: cost, people, reviews, visits, contact and
    staff time by role, before and after, with the difference (absolute and %) from the first model's.

    Staff roles are matched by name (two models of a practice share its roles). A model that counts
    another period than the first gets no difference: a month and a year do not subtract.
    """
    if not comparisons:
        return []
    first = comparisons[0]

    def row(label: str, kind: str, values: list) -> SideBySideRow:
        values = tuple(Decimal(v) for v in values)
        differences = []
        for index, (c, value) in enumerate(zip(comparisons, values, strict=True)):
            if index == 0 or c.period != first.period:
                differences.append(None)
                continue
            amount = value - values[0]
            percent = None
            if values[0]:
                percent = engine.round_half_up(Fraction(amount) * 100 / Fraction(values[0]), engine.ONE_DECIMAL_PLACE)
            differences.append(Difference(amount, percent))
        return SideBySideRow(label, kind, values, tuple(differences))

    rows = [
        row("Cost before", "money", [c.before.cost for c in comparisons]),
        row("Cost after", "money", [c.after.cost for c in comparisons]),
        row("Saving", "money", [c.saving for c in comparisons]),
    ]
    for side in ("before", "after"):
        sides = [getattr(c, side) for c in comparisons]
        rows += [
            row(f"People {side}", "count", [s.people for s in sides]),
            row(f"Reviews {side}", "count", [s.reviews for s in sides]),
            row(f"Visits {side}", "count", [s.visits for s in sides]),
            row(f"Contact hours {side}", "hours", [s.contact_minutes for s in sides]),
        ]
    names = sorted({role.name for c in comparisons for role in c.roles})
    for name in names:
        for side in ("before", "after"):
            values = []
            for c in comparisons:
                keys = [r.key for r in c.roles if r.name == name]
                values.append(sum((getattr(c, side).staff_minutes.get(k, Decimal(0)) for k in keys), Decimal(0)))
            rows.append(row(f"{name}: staff hours {side}", "hours", values))
    return rows
