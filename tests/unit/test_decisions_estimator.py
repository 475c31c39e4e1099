from decimal import Decimal as D

import pytest

from costing.decisions import estimator
from costing.decisions.estimator import RegisterSource


def test_list_9699_at_7_percent_is_679_on_the_register_and_57_a_month():
    result = estimator.estimate_cohorts(9699, {"DM": D("7.0")})

    (dm,) = result.conditions
    # 9,699 x 7.0 % = 678.93 -> 679; 679 / 12 = 56.58 -> 57.
    assert (dm.code, dm.register, dm.patients_per_year, dm.patients_per_month) == ("DM", 679, 679, 57)
    assert dm.source is RegisterSource.ESTIMATED
    assert dm.name == "DM"
    assert result.no_prevalence == ()


def test_halves_round_up_to_whole_people():
    assert estimator.register_from_prevalence(1000, D("0.05")) == 1  # 0.5 people
    assert estimator.register_from_prevalence(1000, D("0.04")) == 0
    assert estimator.per_month(6) == 1  # 0.5 a month
    assert estimator.per_month(18) == 2  # 1.5
    assert estimator.per_month(17) == 1  # 1.42


def test_entered_registers_override_and_missing_prevalence_is_listed():
    result = estimator.estimate_cohorts(
        9699, {"DM": D("7.0"), "COPD": None, "AST": None, "HYP": D("13.9")}, {"DM": 700, "AST": 600, "CKD": 240}
    )

    got = {e.code: (e.source.value, e.register, e.patients_per_month) for e in result.conditions}
    assert got == {
        "DM": ("entered", 700, 58),
        "AST": ("entered", 600, 50),
        "HYP": ("estimated", 1348, 112),
        "CKD": ("entered", 240, 20),
    }
    assert [e.code for e in result.conditions] == ["DM", "AST", "HYP", "CKD"]
    assert result.no_prevalence == ("COPD",)
    assert result.conditions[0].prevalence_percent == D("7.0")


@pytest.mark.parametrize(
    ("list_size", "prevalence", "registers"),
    [(-1, {}, None), (D(10), {}, None), (100, {"DM": D(101)}, None), (100, {"DM": 7}, None), (100, {}, {"DM": -1})],
)
def test_bad_input_is_refused(list_size, prevalence, registers):
    with pytest.raises(ValueError):
        estimator.estimate_cohorts(list_size, prevalence, registers)
