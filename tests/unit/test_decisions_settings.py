"""DecisionSettings, analyse() and the decision charts: pure, on the seed's example C/D."""

import json
from decimal import Decimal as D

import pytest

from costing import engine
from costing.decisions import charts
from costing.decisions.capacity import RoleKind
from costing.decisions.payback import SetupCosts
from costing.decisions.settings import DecisionSettings, analyse, histogram_bins


def test_defaults_give_the_tornado_payback_and_capacity_of_example_cd(example_cd):
    result = analyse(example_cd, engine.compare(example_cd))

    assert result.comparison.saving == D("677.03")
    assert result.top_bar.label == "Routine review: minutes"
    assert (result.top_bar.saving_low, result.top_bar.saving_high) == (D("290.01"), D("1064.05"))
    assert result.payback.text == "Nothing to repay: there is no set-up cost."
    assert not result.histogram  # no uncertainty stated: every draw is the modelled saving
    assert result.simulation.p5 == result.simulation.p95 == D("677.03")
    gp = next(row for row in result.capacity.roles if row.role == "gp")
    assert gp.appointments_freed == D("69.5")


def test_the_analysis_takes_the_comparison_given_as_its_base_case(example_cd, monkeypatch):
    # Arrange: the model as modelled is never costed again (the tornado costs varied models only)
    comparison = engine.compare(example_cd)
    costed_as_modelled = []
    headline = engine.headline
    monkeypatch.setattr(engine, "compare", lambda model: pytest.fail("costed the model again"))
    monkeypatch.setattr(engine, "headline", lambda m: costed_as_modelled.append(m == example_cd) or headline(m))
    settings = DecisionSettings(rate_uncertainty_percent=D(10), draws=100)

    # Act
    result = analyse(example_cd, comparison, settings)

    # Assert
    assert result.comparison is comparison
    assert result.simulation.base_saving == comparison.saving
    assert {bar.base_saving for bar in result.tornado} == {comparison.saving}
    assert costed_as_modelled and not any(costed_as_modelled)


def test_the_analysis_refuses_the_comparison_of_another_model(example_b, example_cd):
    with pytest.raises(ValueError, match="not of this model"):
        analyse(example_cd, engine.compare(example_b))


def test_a_1000_pound_setup_repays_in_one_and_a_half_months(example_cd):
    settings = DecisionSettings(setup=SetupCosts(other_costs={"Templates": D(1000)}))

    result = analyse(example_cd, engine.compare(example_cd), settings)

    assert result.setup_total == D("1000.00")
    assert result.payback.text == "Repays in 1.5 months: within 2 months."


def test_setup_hours_of_a_role_the_model_does_not_use_are_costed(example_cd):
    trainer = engine.Role(key="trainer", name="Trainer", cost_per_hour=D("40.00"))
    settings = DecisionSettings(setup=SetupCosts(training_hours={"trainer": D("2.5")}), setup_roles=(trainer,))

    assert analyse(example_cd, engine.compare(example_cd), settings).setup_total == D("100.00")


def test_uncertainty_gives_a_reproducible_range_and_histogram(example_cd):
    settings = DecisionSettings(rate_uncertainty_percent=D(10), minutes_uncertainty_percent=D(20), draws=500, seed=7)

    first, second = (
        analyse(example_cd, engine.compare(example_cd), settings),
        analyse(example_cd, engine.compare(example_cd), settings),
    )

    assert first.simulation == second.simulation
    assert first.simulation.p5 < first.simulation.median < first.simulation.p95
    assert sum(b.draws for b in first.histogram) == 500
    assert first.histogram == second.histogram


def test_appointment_lengths_follow_the_settings(example_cd):
    settings = DecisionSettings(appointment_minutes={RoleKind.GP: D(15)})

    gp = next(
        row for row in analyse(example_cd, engine.compare(example_cd), settings).capacity.roles if row.role == "gp"
    )

    assert gp.appointment_minutes == D(15)
    assert gp.appointments_freed == D("46.3")  # 695 / 15


@pytest.mark.parametrize(
    "bad",
    [
        {"role_rate_percent": D(-1)},
        {"patients_percent": D(101)},
        {"rate_uncertainty_percent": 10},
        {"draws": 99},
        {"draws": 20_001},
        {"draws": True},
        {"seed": -1},
        {"appointment_minutes": {RoleKind.NURSE: D(0)}},
        {"appointment_minutes": {"nurse": D(15)}},
    ],
)
def test_settings_refuse_out_of_range_values(bad):
    with pytest.raises(ValueError):
        DecisionSettings(**bad)


def test_histogram_bins_cover_every_draw_in_whole_pennies():
    draws = [D("1.00"), D("1.01"), D("2.50"), D("3.99"), D("4.00")]

    bins = histogram_bins(draws, bins=3)

    assert sum(b.draws for b in bins) == 5
    assert bins[0].low == D("1.00") and bins[-1].high >= D("4.00")
    assert all((b.high - b.low) == D("1.00") for b in bins)
    assert histogram_bins([D(5)] * 3) == histogram_bins([D(5), D(5), D(5)])
    assert histogram_bins([]) == ()


def test_charts_are_json_and_the_tornado_is_centred_on_the_saving_widest_on_top(example_cd):
    settings = DecisionSettings(rate_uncertainty_percent=D(10))
    result = analyse(example_cd, engine.compare(example_cd), settings)
    sim = result.simulation

    tornado = charts.tornado(result.tornado, result.comparison.saving, result.comparison.period)
    histogram = charts.saving_histogram(
        result.histogram, p5=sim.p5, median=sim.median, p95=sim.p95, draws=sim.draws, period=sim.period
    )
    capacity = charts.capacity_freed(result.capacity)

    for figure in (tornado, histogram, capacity):
        json.dumps(figure)
    low, high = tornado["data"]
    assert low["base"] == high["base"] == 677.03
    assert low["y"][0] == "Routine review: minutes"
    assert tornado["layout"]["yaxis"]["autorange"] == "reversed"
    assert round(low["base"] + low["x"][0], 2) == 290.01
    assert sum(histogram["data"][0]["y"]) == sim.draws
