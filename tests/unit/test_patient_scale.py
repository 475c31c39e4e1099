"""Costing rule 8: a patient scale k multiplies every figure exactly, money to the penny once.

Checked three ways: every figure of the scaled comparison against k x the
model's own figure (money rounded half up once); for whole k and for k = 0.5 on
even numbers, against the model with its numbers multiplied by hand (the boring
way: the engine's rules 1 to 7 on whole people); and on random models.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings

from costing import engine, whatif
from tests.unit.test_engine_property import cost_models

SCALES = (D("0.5"), D("0.75"), D("1.25"), D(2), D(3))


def money_figures(c: engine.Comparison) -> dict[str, D]:
    found = {}
    for name, side in (("before", c.before), ("after", c.after)):
        found[f"{name}.cost"] = side.cost
        found[f"{name}.extra_cost"] = side.extra_cost
        found.update({f"{name}.staff_cost.{k}": v for k, v in side.staff_cost.items()})
        found.update({f"{name}.cost_by_step.{k}": v for k, v in side.cost_by_step.items()})
        found.update({f"{name}.cohorts[{i}].cost": co.cost for i, co in enumerate(side.cohorts)})
    return found


def exact_figures(c: engine.Comparison) -> dict[str, D]:
    """Counts and minutes: scaled exactly, never rounded."""
    found = {}
    for name, side in (("before", c.before), ("after", c.after)):
        for attr in ("patients", "people", "reviews", "visits", "contact_minutes"):
            found[f"{name}.{attr}"] = D(getattr(side, attr))
        found.update({f"{name}.staff_minutes.{k}": v for k, v in side.staff_minutes.items()})
        for i, co in enumerate(side.cohorts):
            for attr in ("patients", "visits", "contact_minutes", "exceptions"):
                found[f"{name}.cohorts[{i}].{attr}"] = D(getattr(co, attr))
    return found


def assert_linear(model: engine.CostModel, k: D) -> None:
    own = engine.compare(model)
    scaled = engine.compare(replace(model, patient_scale=k))

    for where, value in money_figures(own).items():
        assert money_figures(scaled)[where] == engine.round_half_up(Fraction(value) * Fraction(k)), where
    for where, value in exact_figures(own).items():
        assert exact_figures(scaled)[where] == value * k, where
    # The saving is the shown before less the shown after, and within a penny of k x the saving.
    assert scaled.saving == scaled.before.cost - scaled.after.cost
    assert abs(scaled.saving - own.saving * k) <= D("0.01")
    assert scaled.saving_percent == engine.saving_percent(scaled.before.cost, scaled.saving)
    # Per-patient figures are not scaled.
    assert scaled.pathways == own.pathways
    # The totals path (lists, roll-up, tornado) scales the same way.
    assert engine.headline(replace(model, patient_scale=k)) == engine.Headline.of(scaled)


def multiplied(model: engine.CostModel, n: int, divide: bool = False) -> engine.CostModel:
    """The model with every number of people x n (or / n) by hand: whole people, the engine's own rules."""

    def times(value: int) -> int:
        if divide:
            assert value % n == 0
            return value // n
        return value * n

    def cohorts(side):
        return tuple(replace(c, patients=times(c.patients), exceptions=times(c.exceptions)) for c in side)

    return replace(
        model,
        before=cohorts(model.before),
        after=cohorts(model.after),
        groups=tuple(replace(g, people=times(g.people)) for g in model.groups),
    )


def comparable(c: engine.Comparison) -> tuple:
    """A comparison's figures, with counts as numbers whatever their type."""
    return (money_figures(c), exact_figures(c), c.saving, c.saving_percent)


@pytest.mark.parametrize("k", SCALES)
@pytest.mark.parametrize("fixture", ["example_b", "example_cd", "example_b_copd_twice"])
def test_every_figure_scales_to_the_penny(fixture, k, request):
    assert_linear(request.getfixturevalue(fixture), k)


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("fixture", ["example_b", "example_cd"])
def test_whole_scale_is_the_model_with_its_numbers_multiplied(fixture, n, request):
    model = request.getfixturevalue(fixture)

    assert comparable(engine.compare(replace(model, patient_scale=D(n)))) == comparable(
        engine.compare(multiplied(model, n))
    )


def test_half_is_the_model_with_its_numbers_halved(example_cd):
    doubled = multiplied(example_cd, 2)

    assert comparable(engine.compare(replace(doubled, patient_scale=D("0.5")))) == comparable(
        engine.compare(example_cd)
    )


def test_examples_halve_to_the_penny(example_b, example_cd):
    b = engine.compare(whatif.apply(example_b, whatif.WhatIf(patient_scale=D("0.5"))))
    cd = engine.compare(whatif.apply(example_cd, whatif.WhatIf(patient_scale=D("0.5"))))

    assert (b.before.cost, b.after.cost) == (D("15.70"), D("8.86"))  # 31.39 / 2 = 15.695 -> 15.70; 17.72 / 2
    assert b.before.people == D("0.5")
    assert (cd.before.cost, cd.after.cost) == (D("1392.75"), D("1054.24"))  # 2785.50 / 2; 2108.47 / 2 -> .235 up
    assert cd.saving_percent == engine.compare(example_cd).saving_percent == D("24.3")


def test_scales_compose_exactly(example_cd):
    half = whatif.apply(example_cd, whatif.WhatIf(patient_scale=D("0.5")))
    once = whatif.apply(half, whatif.WhatIf(patient_scale=D(3)))

    assert once.patient_scale == D("1.5")
    assert_linear(example_cd, D("1.5"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models())
def test_random_models_scale_linearly(model):
    for k in SCALES:
        assert_linear(model, k)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models())
def test_random_models_times_two_are_their_numbers_doubled(model):
    assert comparable(engine.compare(replace(model, patient_scale=D(2)))) == comparable(
        engine.compare(multiplied(model, 2))
    )
