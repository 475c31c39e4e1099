from dataclasses import replace
from decimal import Decimal as D
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from costing import engine
from costing.decisions import uncertainty
from costing.decisions.uncertainty import Ranges
from tests.unit.test_engine_property import cost_models


def _model() -> engine.CostModel:
    """20 patients a month: a 30-minute nurse review (£30/h) plus a £0.50 letter before;
    a 20-minute conversation after. £15.50 and £10.00 a patient: a saving of £110.00."""
    nurse = engine.Role(key="pn", name="Practice nurse", cost_per_hour=D("30.00"))
    old = engine.Pathway(
        key="old",
        name="Old",
        stages=(engine.Stage(name="Review", step=engine.Step.REVIEW, role="pn", minutes=D(30), extra_cost=D("0.50")),),
    )
    new = engine.Pathway(
        key="new",
        name="New",
        stages=(engine.Stage(name="CSP", step=engine.Step.CONVERSATION, role="pn", minutes=D(20)),),
    )
    return engine.CostModel(
        name="m",
        period=engine.Period.MONTH,
        roles=(nurse,),
        pathways=(old, new),
        before=(engine.Cohort(label="old", patients=20, pathway="old"),),
        after=(engine.Cohort(label="new", patients=20, pathway="new"),),
    )


RANGES = Ranges(
    role_rates={"pn": (D(24), D(30), D(40))},
    stage_minutes={("old", 0): (D(20), D(30), D(35)), ("new", 0): (D(15), D(20), D(40))},
)


def test_simulation_is_pinned_for_seed_1():
    result = uncertainty.simulate(_model(), RANGES, draws=500, seed=1)

    # Pinned from a run. A sanity check: the expected saving is about 20 x (31.33/60 x
    # (28.33 - 25) + 0.50) = £44.8 (the means of the triangles), not the £110 of the likely values.
    assert result == uncertainty.SimulationResult(
        median=D("46.90"),
        p5=D("-69.34"),
        p95=D("147.40"),
        mean=D("45.47"),
        probability_positive=D("0.740"),
        draws_saving=370,
        draws=500,
        seed=1,
        base_saving=D("110.00"),
        period=engine.Period.MONTH,
        minutes_together=True,
    )


def test_one_stage_of_each_step_draws_the_same_values_together_or_alone():
    # Each step here has one ranged stage: a step's number turned into minutes is numpy's own triangular draw.
    alone = replace(RANGES, minutes_together=False)

    assert uncertainty.saving_draws(_model(), RANGES, draws=500, seed=1) == uncertainty.saving_draws(
        _model(), alone, draws=500, seed=1
    )


@given(low=st.integers(0, 100), up=st.integers(0, 100), down=st.integers(0, 100), seed=st.integers(0, 2**32 - 1))
def test_a_triangle_at_uniform_numbers_is_numpys_triangular_bit_for_bit(low, up, down, seed):
    triangle = (D(low), D(low + up), D(low + up + down))
    if low == low + up + down:
        return  # a zero-width range is never drawn

    numbers = np.random.default_rng(seed).random(200)
    drawn = np.random.default_rng(seed).triangular(*(float(v) for v in triangle), size=200)

    assert np.array_equal(uncertainty._triangular_at(numbers, triangle), drawn)


def _two_reviews() -> engine.CostModel:
    """Two pathways, each with a 20-minute routine review, before; nothing after."""
    model = _model()
    review = engine.Stage(name="Review", step=engine.Step.REVIEW, role="pn", minutes=D(20))
    pathways = tuple(engine.Pathway(key=k, name=k, stages=(review,)) for k in ("a", "b"))
    return replace(
        model,
        pathways=(*pathways, model.pathways[1]),
        before=tuple(engine.Cohort(label=k, patients=10, pathway=k) for k in ("a", "b")),
        after=(),
    )


def test_minutes_of_one_step_move_together_by_default_and_alone_as_an_option():
    model = _two_reviews()
    together = uncertainty.ranges_around(model, minutes_percent=D(50))
    alone = uncertainty.ranges_around(model, minutes_percent=D(50), minutes_together=False)
    assert together.minutes_together and not alone.minutes_together

    # Together: both reviews take the same percentile of the same triangle, so the same minutes every draw;
    # the saving (before only) is 20 patients x one review's cost.
    rng = np.random.default_rng(5)
    minutes = uncertainty._triangular_at(rng.random(50), (D(10), D(20), D(30)))
    expected = [
        engine.compare(replace(model, pathways=tuple(_with_minutes(p, m) for p in model.pathways))).saving
        for m in minutes
    ]
    assert list(uncertainty.saving_draws(model, together, draws=50, seed=5)) == expected

    # Alone, the two reviews' errors partly cancel: the 90 % range is narrower.
    wide = uncertainty.simulate(model, together, draws=2000)
    narrow = uncertainty.simulate(model, alone, draws=2000)
    assert narrow.p95 - narrow.p5 < wide.p95 - wide.p5
    assert (wide.minutes_together, narrow.minutes_together) == (True, False)


def _with_minutes(pathway: engine.Pathway, minutes: float) -> engine.Pathway:
    if pathway.key not in ("a", "b"):
        return pathway
    return replace(pathway, stages=(replace(pathway.stages[0], minutes=D(minutes)),))


def test_same_seed_same_figures_and_another_seed_others():
    first = uncertainty.simulate(_model(), RANGES, draws=200, seed=7)

    assert uncertainty.simulate(_model(), RANGES, draws=200, seed=7) == first
    assert uncertainty.simulate(_model(), RANGES, draws=200, seed=8) != first


def test_zero_width_ranges_give_the_engine_saving_every_draw(example_cd):
    ranges = Ranges(
        role_rates={r.key: (r.cost_per_hour,) * 3 for r in example_cd.roles},
        stage_minutes={(p.key, i): (s.minutes,) * 3 for p in example_cd.pathways for i, s in enumerate(p.stages)},
    )

    result = uncertainty.simulate(example_cd, ranges, draws=2000)

    saving = engine.compare(example_cd).saving
    assert saving == D("677.03")
    assert result.median == result.p5 == result.p95 == result.mean == result.base_saving == saving
    assert result.probability_positive == D("1.000")
    assert (result.draws, result.draws_saving, result.seed) == (2000, 2000, 12345)


def test_no_ranges_is_the_engine_saving_with_salaried_roles(example_b):
    nurse = engine.Role(
        key="pn", name="Practice nurse", annual_salary=D(33000), on_cost_percent=D("28.5"), paid_hours_per_year=D(1950)
    )
    model = replace(example_b, roles=(*example_b.roles[:3], nurse))

    result = uncertainty.simulate(model, Ranges(), draws=10)

    assert result.median == result.p95 == engine.compare(model).saving


def test_every_draw_is_the_engine_costing_of_the_drawn_values():
    model = _model()
    draws = uncertainty.saving_draws(model, RANGES, draws=30, seed=3)

    # The same generator in the documented order: roles, then stages in pathway order.
    rng = np.random.default_rng(3)
    rates = rng.triangular(24, 30, 40, size=30)
    old_minutes = rng.triangular(20, 30, 35, size=30)
    new_minutes = rng.triangular(15, 20, 40, size=30)
    for i, saving in enumerate(draws):
        role = replace(model.roles[0], cost_per_hour=D(rates[i]))
        old = replace(model.pathways[0], stages=(replace(model.pathways[0].stages[0], minutes=D(old_minutes[i])),))
        new = replace(model.pathways[1], stages=(replace(model.pathways[1].stages[0], minutes=D(new_minutes[i])),))
        drawn = replace(model, roles=(role,), pathways=(old, new))
        assert saving == engine.compare(drawn).saving


def test_probability_counts_draws_with_a_saving():
    # After costs 15-40 minutes, before a fixed 30 (+50p): a saving most of the time, not always.
    ranges = Ranges(stage_minutes={("new", 0): (D(15), D(20), D(40))})

    result = uncertainty.simulate(_model(), ranges, draws=400, seed=2)
    draws = uncertainty.saving_draws(_model(), ranges, draws=400, seed=2)

    assert D(0) < result.probability_positive < D(1)
    assert result.probability_positive == D(sum(d > 0 for d in draws)) / 400
    assert result.draws_saving == sum(d > 0 for d in draws)
    assert result.p5 < result.median < result.p95


def test_ranges_around_the_model():
    ranges = uncertainty.ranges_around(_model(), rate_percent=D(10), minutes_percent=D(20))

    assert ranges.role_rates == {"pn": (D("27.0000"), D("30.0000"), D("33.0000"))}
    assert ranges.stage_minutes == {("old", 0): (D(24), D(30), D(36)), ("new", 0): (D(16), D(20), D(24))}
    assert uncertainty.ranges_around(_model()).is_empty


@pytest.mark.parametrize(
    "kwargs",
    [
        {"role_rates": {"pn": (D(30), D(20), D(40))}},
        {"role_rates": {"pn": (D(-1), D(20), D(40))}},
        {"role_rates": {"pn": (D(1), D(2))}},
        {"stage_minutes": {("old", 0): (D(1), D(2), D(481))}},
        {"stage_minutes": {("old", 0): (1.0, 2.0, 3.0)}},
        {"minutes_together": "yes"},
    ],
)
def test_bad_ranges_are_refused(kwargs):
    with pytest.raises(ValueError):
        Ranges(**kwargs)


@pytest.mark.parametrize("draws", [0, -5, 100_001])
def test_draws_out_of_range_are_refused(draws):
    with pytest.raises(ValueError):
        uncertainty.simulate(_model(), RANGES, draws=draws)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models())
def test_every_draw_with_nothing_drawn_is_the_engine_saving_of_random_models(model):
    # Arrange: every hourly rate and every stage's minutes given a zero-width range (salaried rates none)
    ranges = Ranges(
        role_rates={r.key: (r.cost_per_hour,) * 3 for r in model.roles if r.cost_per_hour is not None},
        stage_minutes={(p.key, i): (s.minutes,) * 3 for p in model.pathways for i, s in enumerate(p.stages)},
    )

    # Act
    draws = uncertainty.saving_draws(model, ranges, draws=3, seed=1)

    # Assert
    assert set(draws) == {engine.compare(model).saving}


# Quarter minutes and quarter pounds an hour: floats hold them, and their products, exactly.
quarters = st.integers(0, 4 * 480).map(lambda n: Fraction(n, 4))


def _staff(minutes, rate) -> int:
    return engine.stage_pennies(minutes, rate, D(0))[0]


@given(pairs=st.lists(st.tuples(quarters, quarters), min_size=1, max_size=20))
@example(pairs=[(Fraction(1), Fraction(3, 2)), (Fraction(3, 4), Fraction(2))])  # 2.5p and 2.5p: halves, up
def test_drawn_floats_are_costed_by_the_engine_rule_halves_included(pairs):
    # Arrange: (minutes, rate an hour) pairs; as the Monte Carlo passes them, drawn values are (floats, 1)
    drawn_minutes = (np.array([float(m) for m, _ in pairs]), 1)
    drawn_rates = (np.array([float(r) for _, r in pairs]), 1)
    fixed_minutes = pairs[0][0].as_integer_ratio()

    # Act
    both_drawn = _staff(drawn_minutes, drawn_rates)
    rate_drawn = _staff(fixed_minutes, drawn_rates)

    # Assert
    assert both_drawn.tolist() == [_staff(m.as_integer_ratio(), r.as_integer_ratio()) for m, r in pairs]
    assert rate_drawn.tolist() == [_staff(fixed_minutes, r.as_integer_ratio()) for _, r in pairs]
