from decimal import Decimal as D

import pytest

from costing import engine
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


# ------------------------------------------------------------------ denominators


def test_an_age_specific_prevalence_is_applied_to_its_own_age_band():
    result = estimator.estimate_cohorts(
        10000,
        {"DM": D("7.7"), "HYP": D("14.8"), "OST": D("1.0")},
        min_ages={"DM": 17, "OST": 50},
        age_lists={17: 8000, 18: 7900, 50: 4000},
    )

    got = {
        e.code: (e.denominator.label, e.denominator.size, e.denominator.exact, e.register) for e in result.conditions
    }
    assert got == {
        "DM": ("list aged 17+", 8000, True, 616),  # 8,000 x 7.7 % = 616, not 770 of the whole list
        "HYP": ("whole list (all ages)", 10000, True, 1480),
        "OST": ("list aged 50+", 4000, True, 40),
    }


def test_an_adult_register_without_its_band_uses_the_18_plus_list_and_says_so():
    result = estimator.estimate_cohorts(10000, {"DM": D("7.7")}, min_ages={"DM": 17}, age_lists={18: 7900})

    (dm,) = result.conditions
    assert (dm.denominator.min_age, dm.denominator.size, dm.denominator.exact) == (18, 7900, False)
    assert dm.register == 608  # 7,900 x 7.7 % = 608.3
    assert dm.prevalence_min_age == 17


def test_a_prevalence_of_an_age_band_not_given_is_not_estimated_on_the_whole_list():
    result = estimator.estimate_cohorts(
        10000, {"DM": D("7.7"), "OST": D("1.0"), "AST": D("6.5")}, min_ages={"DM": 17, "OST": 50, "AST": 6}
    )

    assert result.conditions == ()
    assert result.needs_age_list == (("DM", 17), ("OST", 50), ("AST", 6))


def test_an_entered_count_needs_no_age_band():
    result = estimator.estimate_cohorts(10000, {"DM": D("7.7")}, {"DM": 640}, min_ages={"DM": 17})

    (dm,) = result.conditions
    assert (dm.source, dm.register, dm.denominator) == (RegisterSource.ENTERED, 640, None)


@pytest.mark.parametrize(
    ("age_lists", "age"), [({18: 10001}, 18), ({17: 7000, 18: 7001}, 18), ({6: 9000, 50: 9500}, 50)]
)
def test_an_age_band_larger_than_a_younger_one_is_refused(age_lists, age):
    with pytest.raises(estimator.AgeListError) as refused:
        estimator.estimate_cohorts(10000, {}, age_lists=age_lists)
    assert refused.value.age == age


# ------------------------------------------------------------------------ people


def test_people_unknown_are_at_most_the_registers_added_up():
    people = estimator.count_people([600, 1400, 200])

    assert (people.registrations, people.known, people.at_least, people.at_most) == (2200, False, 1400, 2200)


def test_people_with_two_or_more_lower_the_most_there_can_be():
    people = estimator.count_people([600, 1400, 200], multimorbid=300)

    assert (people.at_least, people.at_most) == (1400, 1900)


def test_people_given_are_used_as_given():
    people = estimator.count_people([600, 1400, 200], people=1700, multimorbid=400)

    assert (people.known, people.people, people.multimorbid, people.at_least, people.at_most) == (
        True,
        1700,
        400,
        1700,
        1700,
    )


@pytest.mark.parametrize(
    ("people", "multimorbid", "field"),
    [
        (2201, None, "people"),  # more people than register entries
        (1399, None, "people"),  # fewer than the largest register
        (1500, 1501, "multimorbid"),  # more on two than there are
        (1900, 301, "multimorbid"),  # 1,599 on one + 301 on two or more = 2,201 entries at least
        (None, 1101, "multimorbid"),  # 1,101 people on two or more need 2,202 entries
    ],
)
def test_people_the_registers_rule_out_are_refused(people, multimorbid, field):
    with pytest.raises(estimator.PeopleError) as refused:
        estimator.count_people([600, 1400, 200], people=people, multimorbid=multimorbid)
    assert refused.value.field == field


# ---------------------------------------------------------------------- the plan


def _estimates():
    return estimator.estimate_cohorts(
        10000,
        {"DM": D("7.7"), "HYP": D("14.8"), "COPD": D("1.9")},
        names={"DM": "Diabetes", "HYP": "Hypertension", "COPD": "COPD"},
        min_ages={"DM": 17},
        age_lists={17: 8000},
    )


def test_plan_before_is_one_review_cohort_per_included_register_in_the_period():
    plan = estimator.plan_cohorts(
        _estimates(), period=engine.Period.MONTH, include=["HYP", "DM"], after=estimator.AfterPlan.NONE
    )

    assert [(c.label, c.patients, c.conditions) for c in plan.before] == [
        ("Diabetes: review", 51, ("DM",)),  # 616 / 12 = 51.3
        ("Hypertension: review", 123, ("HYP",)),  # 1,480 / 12 = 123.3
    ]
    assert plan.after == ()
    assert plan.people.registrations == 2096
    assert "count reviews, one per register, not people" in plan.notes[0]
    assert "up to 2,096" in plan.notes[1]


def test_plan_after_everyone_without_people_is_the_most_there_can_be_and_says_so():
    plan = estimator.plan_cohorts(
        _estimates(), period=engine.Period.YEAR, include=["DM", "HYP", "COPD"], after=estimator.AfterPlan.ONE
    )

    (after,) = plan.after
    assert (after.label, after.patients) == ("Care and support planning (up to 2,286)", 2286)
    assert any("the most there can be" in note for note in plan.notes)


def test_plan_after_split_uses_the_practices_people():
    plan = estimator.plan_cohorts(
        _estimates(),
        period=engine.Period.YEAR,
        include=["DM", "HYP", "COPD"],
        after=estimator.AfterPlan.SPLIT,
        people=1900,
        multimorbid=350,
    )

    assert [(c.label, c.patients, c.key) for c in plan.after] == [
        ("Care and support planning: one register", 1550, "after"),
        ("Care and support planning: two or more registers", 350, "after-multi"),
    ]
    assert "1,900" in plan.notes[1]


def test_plan_split_without_people_is_refused():
    with pytest.raises(estimator.PeopleError):
        estimator.plan_cohorts(_estimates(), period=engine.Period.YEAR, include=["DM"], after=estimator.AfterPlan.SPLIT)


def test_plan_refuses_a_per_patient_model():
    with pytest.raises(ValueError, match="month or a year"):
        estimator.plan_cohorts(
            _estimates(), period=engine.Period.PER_PATIENT, include=["DM"], after=estimator.AfterPlan.NONE
        )
