"""The engine's fast paths give exactly what the plain reading of the rules gives.

engine.headline skips the per-stage and per-cohort results that compare builds;
round_half_up works in integers; the result classes are built without their
generated __init__. Each is checked against the slow, obvious way.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costing import engine
from tests.unit.test_engine_property import cost_models


def slow_round_half_up(value, quantum: Decimal = engine.PENNY) -> Decimal:
    """Rounding as the engine first did it, all in Fractions."""
    exact = Fraction(value)
    units = exact / Fraction(quantum)
    whole = units.numerator // units.denominator
    remainder = units - whole
    if remainder > Fraction(1, 2) or (remainder == Fraction(1, 2) and exact >= 0):
        whole += 1
    return (Decimal(whole) * quantum).quantize(quantum)


QUANTA = [Decimal("0.01"), Decimal("0.1"), Decimal(1), Decimal("0.0001")]


# Money and minutes of any model within costing/limits.py stay far inside the 28 digits of Decimal's context.
MAGNITUDE = 10**12


@given(
    value=st.fractions(min_value=-MAGNITUDE, max_value=MAGNITUDE, max_denominator=10**6)
    | st.integers(-MAGNITUDE, MAGNITUDE)
    | st.decimals(min_value=-MAGNITUDE, max_value=MAGNITUDE, places=6),
    quantum=st.sampled_from(QUANTA),
)
def test_round_half_up_in_integers_equals_the_fraction_reading(value, quantum):
    fast, slow = engine.round_half_up(value, quantum), slow_round_half_up(value, quantum)

    assert (fast, str(fast)) == (slow, str(slow))


@pytest.mark.parametrize("value", ["0.005", "-0.005", "2.675", "-2.675", "0", "-0"])
def test_round_half_up_on_exact_halves(value):
    assert str(engine.round_half_up(Decimal(value))) == str(slow_round_half_up(Decimal(value)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models())
def test_headline_equals_the_totals_of_compare(model):
    comparison = engine.compare(model)
    fast, full = engine.headline(model), engine.Headline.of(comparison)

    assert fast == full
    assert repr(fast) == repr(full)  # the same Decimals, down to their exponents
    assert fast.saving == comparison.saving
    for side in ("before", "after"):  # rule 6: each group's people once a side, every review
        counted = getattr(comparison, side)
        assert (getattr(fast, f"people_{side}"), getattr(fast, f"reviews_{side}")) == (counted.people, counted.reviews)


def _model(**changes) -> engine.CostModel:
    role = engine.Role(key="r", name="R", cost_per_hour=Decimal("12.30"))
    stage = engine.Stage(name="s", step=engine.Step.REVIEW, role="r", minutes=Decimal(1))
    base = engine.CostModel(
        name="m",
        period=engine.Period.MONTH,
        roles=(role,),
        pathways=(engine.Pathway(key="p", name="P", stages=(stage,)),),
        before=(engine.Cohort(label="c", patients=1, pathway="p"),),
        after=(),
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"roles": ()}, "pathway 'p': unknown role 'r'"),
        (
            {"after": (engine.Cohort(label="x", patients=1, pathway="nowhere"),)},
            "cohort 'x': unknown pathway 'nowhere'",
        ),
    ],
)
def test_headline_and_compare_refuse_unknown_references_alike(changes, message):
    model = _model(**changes)
    for cost in (engine.compare, engine.headline):
        with pytest.raises(ValueError, match=message):
            cost(model)


@pytest.mark.parametrize("cls", sorted(engine.MADE_FAST, key=lambda c: c.__name__))
def test_dataclasses_made_without_init_equal_those_made_with_it(cls):
    assert not hasattr(cls, "__post_init__")
    values = {f.name: f"value of {f.name}" for f in dataclasses.fields(cls)}

    fast, plain = engine.make(cls, **values), cls(**values)

    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.name = "changed"


def test_a_dataclass_that_checks_its_fields_is_never_made_without_init():
    with pytest.raises(TypeError):
        engine.make(engine.Role, key="r", name="R")


def test_every_result_the_engine_makes_has_all_its_fields(example_cd):
    c = engine.compare(example_cd)
    results = [*c.before.cohorts, *c.after.cohorts]
    for pathway in c.pathways.values():
        results += [pathway, *pathway.stages]

    for result in results:
        assert set(vars(result)) == {f.name for f in dataclasses.fields(result)}


def _totals_inputs(model: engine.CostModel):
    stages = {p.key: [(s.role, s.minutes, s.extra_cost, s.visit) for s in p.stages] for p in model.pathways}
    return stages, {r.key: r for r in model.roles}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models(), other=cost_models())
def test_models_costed_together_share_their_pathways_and_keep_their_own_totals(model, other):
    # Two models over one practice's pathways and roles (other's cohorts moved onto model's pathways),
    # costed in one batch: each pathway once, each model's totals its own.
    keys = [p.key for p in model.pathways]
    moved = dataclasses.replace(
        model,
        before=tuple(dataclasses.replace(c, pathway=keys[i % len(keys)]) for i, c in enumerate(other.before)),
        after=tuple(dataclasses.replace(c, pathway=keys[i % len(keys)]) for i, c in enumerate(other.after)),
    )
    stages, roles = _totals_inputs(model)

    together = engine.headlines(
        {"model": engine.TotalsModel.of(model), "moved": engine.TotalsModel.of(moved)}, stages, roles
    )

    for key, each in (("model", model), ("moved", moved)):
        alone = engine.Headline.of(engine.compare(each))
        assert together[key] == alone and repr(together[key]) == repr(alone)


@pytest.mark.parametrize(
    ("pathways", "roles", "message"),
    [
        ({}, {}, "unknown pathway 'p'"),
        ({"p": [("r", Decimal(1), Decimal(0), None)]}, {}, "pathway 'p': unknown role 'r'"),
    ],
)
def test_headlines_refuse_what_they_are_not_given(pathways, roles, message):
    model = engine.TotalsModel(
        period=engine.Period.MONTH, before=(("p", 3),), after=(), people_before=3, people_after=0
    )
    with pytest.raises(ValueError, match=message):
        engine.headlines({1: model}, pathways, roles)


def test_headlines_of_no_models_is_empty():
    assert engine.headlines({}, {}, {}) == {}


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("0.00"),
        Decimal("12.30"),
        Decimal("-7.05"),
        Decimal("5"),
        Decimal("0.125"),
        Decimal("1234.5678"),
        Decimal("99999999999999999.99"),
    ],
)
@pytest.mark.parametrize("factor", [1, 12, 0])
def test_money_times_a_whole_number_is_the_exact_rounding(amount, factor):
    exact = engine.round_half_up(Fraction(amount) * factor, engine.PENNY)

    scaled = engine._scaled_money(amount, factor)

    assert scaled == exact and str(scaled) == str(exact)


def test_a_total_of_headlines_is_their_sum_one_by_one():
    period = engine.Period.YEAR
    figures = [
        engine.Headline(
            period,
            Decimal("10.50"),
            Decimal("3.25"),
            2,
            1,
            Decimal("7.5"),
            Decimal(3),
            4,
            2,
            5,
            2,
            Decimal(6),
            Decimal("1.5"),
        ),
        engine.Headline(
            period,
            Decimal("0.05"),
            Decimal("1.00"),
            1,
            0,
            Decimal(2),
            Decimal("0.25"),
            Decimal("1.5"),
            1,
            2,
            1,
            Decimal(0),
            Decimal(2),
        ),
    ]

    total = engine.Headline.total(figures, period)

    assert total == figures[0] + figures[1] + engine.Headline.zero(period)
    assert repr(total) == repr(engine.Headline.zero(period) + figures[0] + figures[1])
    assert engine.Headline.total([], period) == engine.Headline.zero(period)
    with pytest.raises(ValueError, match="cannot add"):
        engine.Headline.total([dataclasses.replace(figures[0], period=engine.Period.MONTH)], period)
