from dataclasses import replace
from decimal import Decimal as D
from fractions import Fraction

import pytest

from costing import engine


def _one_stage_model(rate: str, minutes: str, extra: str = "0") -> engine.CostModel:
    role = engine.Role(key="r", name="Role", cost_per_hour=D(rate))
    stage = engine.Stage(name="s", step=engine.Step.REVIEW, role="r", minutes=D(minutes), extra_cost=D(extra))
    pathway = engine.Pathway(key="p", name="P", stages=(stage,))
    cohort = engine.Cohort(label="c", patients=1, pathway="p")
    return engine.CostModel(
        name="m", period=engine.Period.PER_PATIENT, roles=(role,), pathways=(pathway,), before=(cohort,), after=()
    )


def test_one_minute_at_12_30_an_hour_rounds_half_up_to_21p():
    c = engine.compare(_one_stage_model("12.30", "1"))

    assert c.before.cost == D("0.21")


def test_extra_cost_is_added_before_rounding_but_keeps_pennies_exact():
    c = engine.compare(_one_stage_model("12.30", "1", extra="0.85"))

    assert c.before.cost == D("1.06")
    assert c.before.staff_cost["r"] + c.before.extra_cost == c.before.cost


def test_salary_rate_is_never_rounded_before_costing():
    # 33,000 x 1.285 / 1,950 = 21.746153846... an hour; 60 minutes cost £21.75.
    role = engine.Role(
        key="r", name="R", annual_salary=D(33000), on_cost_percent=D("28.5"), paid_hours_per_year=D(1950)
    )

    assert role.exact_hourly_rate == Fraction(33000 * 1285, 1950 * 1000)
    assert role.hourly_rate == D("21.75")


def test_rate_that_does_not_terminate_still_rounds_an_exact_half_up():
    # 100/3 an hour is 5/9 a minute; 0.9 minutes cost exactly £0.50; 0.225 minutes exactly £0.125.
    role = engine.Role(key="r", name="R", annual_salary=D(100), on_cost_percent=D(0), paid_hours_per_year=D(3))
    model = replace(_one_stage_model("1", "0.225"), roles=(role,))

    assert engine.stage_pennies(D("0.225").as_integer_ratio(), engine.rate_ratio(role), D(0)) == (13, 0)
    assert engine.compare(model).pathways["p"].stages[0].cost == D("0.13")
    assert engine.headline(model).before == D("0.13")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.125", "0.13"), ("0.124999", "0.12"), ("-0.125", "-0.13"), ("-0.124", "-0.12"), ("2.5", "2.50")],
)
def test_round_half_up_goes_away_from_zero_on_a_half(value, expected):
    assert engine.round_half_up(D(value)) == D(expected)


@pytest.mark.parametrize(
    ("before", "saving", "expected"),
    [("2785.50", "677.03", "24.3"), ("31.39", "13.67", "43.5"), ("200", "0.1", "0.1"), ("8", "-1", "-12.5")],
)
def test_saving_percent_one_place_half_up(before, saving, expected):
    assert engine.saving_percent(D(before), D(saving)) == D(expected)


def test_saving_percent_absent_when_before_costs_nothing():
    assert engine.saving_percent(D(0), D(0)) is None
