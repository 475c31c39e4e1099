from decimal import Decimal as D

import pytest

from costing import engine
from costing.decisions import payback
from costing.decisions.payback import PaybackUnit, SetupCosts, SetupKind


def _comparison(saving: str, period: engine.Period) -> engine.Comparison:
    """A comparison with the given saving: one patient whose stage costs £1 (a minute at
    £60/h) plus an extra cost, on the before side for a saving, the after side for a loss."""
    role = engine.Role(key="r", name="R", cost_per_hour=D(60))
    stage = engine.Stage(
        name="s", step=engine.Step.REVIEW, role="r", minutes=D(1), extra_cost=max(abs(D(saving)) - 1, D(0))
    )
    model = engine.CostModel(
        name="m",
        period=period,
        roles=(role,),
        pathways=(engine.Pathway(key="p", name="P", stages=(stage,)),),
        before=(engine.Cohort(label="c", patients=1, pathway="p"),) if D(saving) > 0 else (),
        after=(engine.Cohort(label="c", patients=1, pathway="p"),) if D(saving) < 0 else (),
    )
    comparison = engine.compare(model)
    assert comparison.saving == D(saving)
    return comparison


def test_example_cd_repays_1000_in_1_5_months_within_2(example_cd):
    result = payback.payback(engine.compare(example_cd), D(1000))

    # 1,000 / 677.03 = 1.477 months.
    assert result.unit is PaybackUnit.MONTHS
    assert result.saving_per_unit == D("677.03")
    assert (result.periods_to_repay, result.months_to_repay, result.patients_to_repay) == (D("1.5"), 2, None)
    assert result.repays
    assert result.text == "Repays in 1.5 months: within 2 months."


def test_a_year_model_pays_back_in_months():
    result = payback.payback(_comparison("8124.36", engine.Period.YEAR), D(1000))

    # £8,124.36 a year is £677.03 a month.
    assert result.saving_per_period == D("8124.36")
    assert result.saving_per_unit == D("677.03")
    assert (result.periods_to_repay, result.months_to_repay) == (D("1.5"), 2)


def test_whole_months_round_up_even_when_the_figure_rounds_down():
    result = payback.payback(_comparison("100.00", engine.Period.MONTH), D("204.00"))

    assert (result.periods_to_repay, result.months_to_repay) == (D("2.0"), 3)


def test_exact_months_do_not_round_up():
    result = payback.payback(_comparison("250.00", engine.Period.MONTH), D(1000))

    assert (result.periods_to_repay, result.months_to_repay) == (D("4.0"), 4)
    assert result.text == "Repays in 4.0 months: within 4 months."


@pytest.mark.parametrize("saving", ["-50.00", "0.00"])
def test_no_saving_never_repays(saving):
    result = payback.payback(_comparison(saving, engine.Period.MONTH), D(1000))

    assert result.periods_to_repay is None
    assert result.months_to_repay is None
    assert not result.repays
    assert result.text.startswith("Never repays")


def test_no_setup_cost_repays_at_once_even_without_a_saving():
    for saving in ("677.03", "-50.00"):
        result = payback.payback(_comparison(saving, engine.Period.MONTH), D(0))

        assert (result.periods_to_repay, result.months_to_repay) == (D("0.0"), 0)


def test_per_patient_model_pays_back_in_patients(example_b):
    result = payback.payback(engine.compare(example_b), D(1000))

    # £13.67 a patient: 1,000 / 13.67 = 73.15 -> 74 patients.
    assert result.unit is PaybackUnit.PATIENTS
    assert (result.periods_to_repay, result.patients_to_repay, result.months_to_repay) == (D("73.2"), 74, None)
    assert result.text == "Repays after 74 patients go through the new process (£13.67 saved each)."


def test_setup_lines_use_exact_rates_and_round_half_up_per_line(example_b):
    nurse = engine.Role(
        key="pn", name="Practice nurse", annual_salary=D(33000), on_cost_percent=D("28.5"), paid_hours_per_year=D(1950)
    )
    roles = (engine.Role(key="admin", name="Administrator", cost_per_hour=D("12.50")), nurse)
    setup = SetupCosts(
        training_hours={"pn": D(2), "admin": D("0.05")},
        template_hours={"admin": D("0.05")},
        admin_hours={"admin": D(3)},
        other_costs={"Printing": D("99.995")},
    )

    lines = payback.setup_lines(setup, roles)

    # 2 h x 21.74615... = 43.4923 -> 43.49; 0.05 h x £12.50 = 62.5p -> 63p (twice, not 125p once).
    assert [(line.kind, line.label, line.cost) for line in lines] == [
        (SetupKind.TRAINING, "Practice nurse", D("43.49")),
        (SetupKind.TRAINING, "Administrator", D("0.63")),
        (SetupKind.TEMPLATES, "Administrator", D("0.63")),
        (SetupKind.ADMIN, "Administrator", D("37.50")),
        (SetupKind.OTHER, "Printing", D("100.00")),
    ]
    assert payback.setup_total(lines) == D("182.25")
    assert payback.setup_total(payback.setup_lines(SetupCosts(), roles)) == D("0.00")
    # A Comparison carries the model's roles too.
    one_hour = payback.setup_lines(SetupCosts(training_hours={"pn": D(1)}), engine.compare(example_b).roles)
    assert payback.setup_total(one_hour) == D("18.60")


def test_setup_unknown_role_and_negative_figures_are_refused(example_b):
    with pytest.raises(ValueError):
        payback.setup_lines(SetupCosts(training_hours={"gp": D(1)}), example_b.roles)
    with pytest.raises(ValueError):
        SetupCosts(admin_hours={"admin": D(-1)})
    with pytest.raises(ValueError):
        SetupCosts(other_costs={"x": D("-0.01")})
    with pytest.raises(ValueError):
        payback.payback(engine.compare(example_b), D(-1))
