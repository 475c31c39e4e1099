"""Property tests: the engine against a slow, obvious reading of the costing rules.

The reference implementation below is written from the costing rules of the
model file format (docs/model-format.md), not from the engine: it works in the
``decimal`` module with a 100-digit context and ``ROUND_HALF_UP``, where the
engine works in ``fractions.Fraction`` with its own rounding, and it adds up
patient by patient where the engine multiplies. From ``costing.engine`` it uses
only the dataclasses that build the input.

Models are drawn as format version 2 allows: groups of people, cohorts that name
a group or give patients, ``times`` per period, exceptions screened out at
triage, and extra costs to 4 decimal places (sub-penny: a text message), so
version 1 models are among them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costing import engine, exchange, limits
from costing.engine import Cohort, CostBasis, CostModel, Group, Pathway, Period, Role, Stage, Step

PENNY = Decimal("0.01")
TENTH = Decimal("0.1")
# Enough digits that one division of exact decimals lands on a half penny only
# when the exact value is a half penny: every input has at most a few dozen digits.
REFERENCE_PRECISION = 100

# ------------------------------------------------------------------ strategies
# Every strategy is built once, here: building them inside each draw triples the run time.

# What a file reader keeps as it is: no surrounding white space, no control characters.
words = st.text("aBz0é£±…'/-+", min_size=1, max_size=6)
names = st.sampled_from(["Recall", "Routine review", "Practice nurse", "Diabetes ± CVD"]) | st.builds(
    "{} {}".format, words, words
)


def decimals(maximum: Decimal, places: int, minimum: Decimal = Decimal(0)) -> st.SearchStrategy[Decimal]:
    """Decimals in [minimum, maximum], written with 0 to ``places`` decimal places."""
    return st.one_of(
        [
            st.integers(math.ceil(minimum * 10**p), math.floor(maximum * 10**p)).map(
                lambda units, p=p: Decimal(units).scaleb(-p)
            )
            for p in range(places + 1)
        ]
    )


# Round figures such as 7 minutes or 11.40 an hour meet on half pennies far more
# often than arbitrary ones, so draw them as often as the arbitrary ones.
minutes_values = st.one_of(
    st.integers(0, 60).map(Decimal),
    decimals(Decimal(60), 1),
    decimals(limits.MAX_STAGE_MINUTES, limits.MINUTES_PLACES),
)
hourly_rates = st.one_of(
    decimals(Decimal(100), 1),
    decimals(Decimal(200), 2),
    decimals(limits.MAX_COST_PER_HOUR, limits.RATE_PLACES),
)
salaries = st.one_of(decimals(Decimal(120_000), 0), decimals(limits.MAX_ANNUAL_SALARY, limits.MONEY_PLACES))
on_cost_percents = decimals(limits.MAX_ON_COST_PERCENT, limits.PERCENT_PLACES)
paid_hours = st.one_of(
    st.sampled_from([Decimal(1950), Decimal("1950.00"), Decimal(1650)]),
    decimals(limits.MAX_PAID_HOURS_PER_YEAR, limits.HOURS_PLACES, minimum=PENNY),
)
money_values = st.one_of(
    st.just(Decimal(0)),
    decimals(Decimal(5), 2),
    decimals(limits.MAX_EXTRA_COST, 2),
    # Sub-penny extra costs (version 2), near and on half pennies as often as not.
    decimals(Decimal("0.1"), limits.EXTRA_COST_PLACES),
    st.sampled_from([Decimal("0.0050"), Decimal("0.0125"), Decimal("0.565"), Decimal("0.0049")]),
)
optional_money = st.none() | decimals(Decimal(100), 2)
optional_contact_minutes = st.none() | decimals(Decimal(200), limits.MINUTES_PLACES)
bands = st.sampled_from(["", "AfC 3", "AfC 6", "Salaried GP"])
cost_bases = st.none() | st.sampled_from(list(CostBasis))
steps = st.sampled_from(list(Step))
visits = st.none() | st.integers(1, 3)
patient_counts = st.integers(0, 5000)
times_values = st.just(1) | st.integers(1, limits.MAX_TIMES)
condition_lists = st.lists(st.sampled_from(["DM", "CHD", "COPD", "AST", "HF"]), unique=True).map(tuple)
periods = st.sampled_from(list(Period))
descriptions = st.just("") | names
MAX_ROLES = MAX_PATHWAYS = MAX_GROUPS = 5
GROUP_KEYS = tuple(f"group-{i}" for i in range(MAX_GROUPS))
ROLE_KEYS = tuple(f"role-{i}" for i in range(MAX_ROLES))
PATHWAY_KEYS = tuple(f"pathway_{i}" for i in range(MAX_PATHWAYS))
# The first n keys, as a strategy, for n = 1 .. 5.
role_key_choices = {n: st.sampled_from(ROLE_KEYS[:n]) for n in range(1, MAX_ROLES + 1)}
optional_role_key_choices = {n: st.none() | choice for n, choice in role_key_choices.items()}
pathway_key_choices = {n: st.sampled_from(PATHWAY_KEYS[:n]) for n in range(1, MAX_PATHWAYS + 1)}


@st.composite
def roles(draw, key: str) -> Role:
    common = {"key": key, "name": draw(names), "band": draw(bands), "cost_basis": draw(cost_bases)}
    if draw(st.booleans()):
        return Role(cost_per_hour=draw(hourly_rates), **common)
    return Role(
        annual_salary=draw(salaries),
        on_cost_percent=draw(on_cost_percents),
        paid_hours_per_year=draw(paid_hours),
        **common,
    )


@st.composite
def stages(draw, role_count: int) -> Stage:
    minutes = draw(minutes_values)
    # A stage may go without a role only when it takes no staff time.
    role = draw(optional_role_key_choices[role_count] if minutes == 0 else role_key_choices[role_count])
    return Stage(
        name=draw(names),
        step=draw(steps),
        role=role,
        minutes=minutes,
        extra_cost=draw(money_values),
        visit=draw(visits),
        printed_cost=draw(optional_money),
    )


@st.composite
def cohorts(draw, pathway_count: int, groups: tuple[Group, ...]) -> Cohort:
    group = draw(st.none() | st.sampled_from(groups)) if groups else None
    # A cohort naming a group has that group's people as its patients (the reader resolves it).
    patients = draw(patient_counts) if group is None else group.people
    return Cohort(
        label=draw(names),
        patients=patients,
        exceptions=draw(st.just(0) | st.integers(0, patients)),
        pathway=draw(pathway_key_choices[pathway_count]),
        conditions=draw(condition_lists),
        printed_cost_per_patient=draw(optional_money),
        printed_contact_minutes=draw(optional_contact_minutes),
        times=draw(times_values),
        group=None if group is None else group.key,
    )


@st.composite
def group_lists(draw) -> tuple[Group, ...]:
    return tuple(
        Group(key=key, label=draw(names), people=draw(patient_counts), conditions=draw(condition_lists))
        for key in GROUP_KEYS[: draw(st.integers(0, MAX_GROUPS))]
    )


stage_lists = {n: st.lists(stages(n), max_size=6).map(tuple) for n in range(1, MAX_ROLES + 1)}
role_counts = st.integers(1, MAX_ROLES)
pathway_counts = st.integers(1, MAX_PATHWAYS)


@st.composite
def cost_models(draw) -> CostModel:
    role_count = draw(role_counts)
    pathway_count = draw(pathway_counts)
    groups = draw(group_lists())
    cohort_list = st.lists(cohorts(pathway_count, groups), max_size=6).map(tuple)
    return CostModel(
        name=draw(names),
        period=draw(periods),
        description=draw(descriptions),
        roles=tuple(draw(roles(key)) for key in ROLE_KEYS[:role_count]),
        pathways=tuple(
            Pathway(key=key, name=draw(names), stages=draw(stage_lists[role_count]))
            for key in PATHWAY_KEYS[:pathway_count]
        ),
        before=draw(cohort_list),
        after=draw(cohort_list),
        groups=groups,
    )


# ------------------------------------------------------ the reference costing


@dataclass
class ReferenceCohort:
    cost_per_patient: Decimal
    cost: Decimal
    visits: int
    contact_minutes: Decimal


@dataclass
class ReferenceSide:
    cost: Decimal = Decimal(0)
    patients: int = 0
    people: int = 0
    reviews: int = 0
    visits: int = 0
    contact_minutes: Decimal = Decimal(0)
    staff_minutes: dict = field(default_factory=lambda: defaultdict(Decimal))
    staff_cost: dict = field(default_factory=lambda: defaultdict(Decimal))
    extra_cost: Decimal = Decimal(0)
    cost_by_step: dict = field(default_factory=lambda: defaultdict(Decimal))
    cohorts: list = field(default_factory=list)


@dataclass
class ReferenceComparison:
    before: ReferenceSide
    after: ReferenceSide
    saving: Decimal
    saving_percent: Decimal | None


def reference_stage_cost(stage: Stage, roles_by_key: dict[str, Role]) -> Decimal:
    """Rule 1: minutes x cost per hour / 60 + extra cost, to the penny, half up; one division."""
    return (reference_staff_cost(stage, roles_by_key) + stage.extra_cost).quantize(PENNY, rounding=ROUND_HALF_UP)


def reference_staff_cost(stage: Stage, roles_by_key: dict[str, Role]) -> Decimal:
    """minutes x cost per hour / 60, exact (0 without a role)."""
    if stage.role is None:
        return Decimal(0)
    role = roles_by_key[stage.role]
    if role.cost_per_hour is not None:
        staff = stage.minutes * role.cost_per_hour / 60
    else:
        # salary x (1 + on_cost_percent / 100) / paid hours, with the 100 moved to the divisor.
        staff = (
            stage.minutes * role.annual_salary * (100 + role.on_cost_percent) / (60 * 100 * role.paid_hours_per_year)
        )
    return staff


def reference_side(cohort_list, model: CostModel) -> ReferenceSide:
    roles_by_key = {role.key: role for role in model.roles}
    pathways_by_key = {pathway.key: pathway for pathway in model.pathways}
    side = ReferenceSide()
    people_by_group = {group.key: group.people for group in model.groups}
    for group_key in {cohort.group for cohort in cohort_list} - {None}:  # rule 6: each group once
        side.people += people_by_group[group_key]
    for role in model.roles:
        side.staff_minutes[role.key] = Decimal(0)
        side.staff_cost[role.key] = Decimal(0)
    for cohort in cohort_list:
        pathway = pathways_by_key[cohort.pathway]
        stage_costs = [reference_stage_cost(stage, roles_by_key) for stage in pathway.stages]
        per_patient = Decimal(0)
        for cost in stage_costs:
            per_patient += cost  # rule 2
        # Rule 7: an exception stops after the last triage stage; without one, it goes all the way.
        triage_at = [i for i, stage in enumerate(pathway.stages) if stage.step == Step.TRIAGE]
        stops_after = triage_at[-1] if triage_at else len(pathway.stages) - 1
        cohort_cost = Decimal(0)
        cohort_visits = 0
        cohort_contact = Decimal(0)
        for excepted, count in ((False, cohort.patients - cohort.exceptions), (True, cohort.exceptions)):
            passes = count * cohort.times
            pass_cost = Decimal(0)
            visit_numbers = set()
            for index, (stage, cost) in enumerate(zip(pathway.stages, stage_costs, strict=True)):
                if excepted and index > stops_after:
                    break
                pass_cost += cost
                if stage.visit is not None:
                    visit_numbers.add(stage.visit)
                    cohort_contact += stage.minutes * passes
                # A line's staff cost is its staff time to the penny; its extra cost, the rest of the line.
                staff = reference_staff_cost(stage, roles_by_key).quantize(PENNY, rounding=ROUND_HALF_UP)
                if stage.role is not None:
                    side.staff_minutes[stage.role] += stage.minutes * passes
                    side.staff_cost[stage.role] += staff * passes
                side.extra_cost += (cost - staff) * passes
                side.cost_by_step[stage.step] += cost * passes
            for _patient in range(count):  # rule 3, one patient at a time
                for _time in range(cohort.times):  # and once for each time they go through it
                    cohort_cost += pass_cost
            cohort_visits += len(visit_numbers) * passes
            if not excepted:
                side.reviews += passes  # rule 6: reviews are full passes
        side.cohorts.append(
            ReferenceCohort(
                cost_per_patient=per_patient,
                cost=cohort_cost,
                visits=cohort_visits,
                contact_minutes=cohort_contact,
            )
        )
        side.cost += cohort_cost  # rule 4
        side.patients += cohort.patients
        if cohort.group is None:
            side.people += cohort.patients
        side.visits += cohort_visits  # rule 5
        side.contact_minutes += cohort_contact
    return side


def reference_compare(model: CostModel) -> ReferenceComparison:
    with localcontext() as context:
        context.prec = REFERENCE_PRECISION
        before = reference_side(model.before, model)
        after = reference_side(model.after, model)
        saving = before.cost - after.cost
        percent = None
        if before.cost != 0:
            percent = (saving * 100 / before.cost).quantize(TENTH, rounding=ROUND_HALF_UP)
    return ReferenceComparison(before=before, after=after, saving=saving, saving_percent=percent)


# ------------------------------------------------------------------------ tests


def assert_side_matches(
    actual: engine.SideResult, expected: ReferenceSide, side: str, model_cohorts: tuple[Cohort, ...]
) -> None:
    assert actual.cost == expected.cost, side
    assert actual.patients == expected.patients, side
    assert actual.people == expected.people, side
    assert actual.reviews == expected.reviews, side
    assert actual.visits == expected.visits, side
    assert actual.contact_minutes == expected.contact_minutes, side
    assert dict(actual.staff_minutes) == dict(expected.staff_minutes), side
    assert dict(actual.staff_cost) == dict(expected.staff_cost), side
    assert actual.extra_cost == expected.extra_cost, side
    for step in Step:
        assert actual.cost_by_step.get(step, Decimal(0)) == expected.cost_by_step[step], (side, step)
    assert len(actual.cohorts) == len(expected.cohorts), side
    for i, (cohort, reference) in enumerate(zip(actual.cohorts, expected.cohorts, strict=True)):
        assert cohort.cost_per_patient == reference.cost_per_patient, (side, i)
        assert cohort.cost == reference.cost, (side, i)
        assert cohort.times == model_cohorts[i].times, (side, i)
        assert cohort.exceptions == model_cohorts[i].exceptions, (side, i)
        assert cohort.visits == reference.visits, (side, i)
        assert cohort.contact_minutes == reference.contact_minutes, (side, i)


def assert_side_adds_up(actual: engine.SideResult) -> None:
    assert sum(actual.cost_by_step.values(), Decimal(0)) == actual.cost
    assert sum(actual.staff_cost.values(), Decimal(0)) + actual.extra_cost == actual.cost
    assert sum((c.cost for c in actual.cohorts), Decimal(0)) == actual.cost


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models())
def test_compare_matches_a_slow_reading_of_the_costing_rules(model):
    # Arrange
    expected = reference_compare(model)

    # Act
    comparison = engine.compare(model)

    # Assert
    assert_side_matches(comparison.before, expected.before, "before", model.before)
    assert_side_matches(comparison.after, expected.after, "after", model.after)
    assert comparison.saving == expected.saving
    assert comparison.saving_percent == expected.saving_percent
    if expected.before.cost == 0:
        assert comparison.saving_percent is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models())
def test_cost_by_step_and_staff_plus_extra_cost_each_add_up_to_the_side_cost(model):
    # Arrange: the model

    # Act
    comparison = engine.compare(model)

    # Assert
    assert_side_adds_up(comparison.before)
    assert_side_adds_up(comparison.after)
    assert comparison.saving == comparison.before.cost - comparison.after.cost


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models())
def test_model_written_and_read_back_costs_the_same_and_writes_the_same_file(model):
    # Arrange
    first_dump = exchange.dump(model)

    # Act
    reloaded = exchange.loads(exchange.dumps(model))

    # Assert
    assert engine.compare(reloaded) == engine.compare(model)
    assert exchange.dump(reloaded) == first_dump
