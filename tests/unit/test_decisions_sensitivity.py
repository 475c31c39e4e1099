from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costing import engine
from costing.decisions import sensitivity
from costing.decisions.sensitivity import InputGroup, SensitivityRanges
from tests.unit.test_engine_property import cost_models


def _model(nurse: engine.Role | None = None) -> engine.CostModel:
    """10 patients a month: recall (admin 10 min + 50p) then a nurse review of 30 minutes
    before, a nurse conversation of 20 minutes after. Per patient £17.50 before, £12.50
    after: a saving of £50.00."""
    admin = engine.Role(key="admin", name="Administrator", cost_per_hour=D("12.00"))
    nurse = nurse or engine.Role(key="pn", name="Practice nurse", cost_per_hour=D("30.00"))
    recall = engine.Stage(name="Recall", step=engine.Step.RECALL, role="admin", minutes=D(10), extra_cost=D("0.50"))
    old = engine.Pathway(
        key="old",
        name="Old",
        stages=(recall, engine.Stage(name="Review", step=engine.Step.REVIEW, role="pn", minutes=D(30), visit=1)),
    )
    new = engine.Pathway(
        key="new",
        name="New",
        stages=(recall, engine.Stage(name="CSP", step=engine.Step.CONVERSATION, role="pn", minutes=D(20), visit=1)),
    )
    return engine.CostModel(
        name="m",
        period=engine.Period.MONTH,
        roles=(admin, nurse),
        pathways=(old, new),
        before=(engine.Cohort(label="old", patients=10, pathway="old"),),
        after=(engine.Cohort(label="new", patients=10, pathway="new"),),
    )


def test_tornado_of_a_known_model_is_widest_first_with_hand_worked_savings():
    bars = sensitivity.tornado(_model())

    # Review 24/36 min: £12.00/£18.00 instead of £15.00 before only, x 10 patients.
    # Conversation 16/24 min: £8.00/£12.00 instead of £10.00 after only.
    # Nurse £24/£36 an hour: before £14.50/£20.50, after £10.50/£14.50.
    # Patients 8/12: 8 x £5 and 12 x £5. Admin, recall and postage are the same on both sides.
    assert [(b.label, b.kind, b.saving_low, b.saving_high, b.swing) for b in bars] == [
        ("Routine review: minutes", InputGroup.STEP_MINUTES, D("20.00"), D("80.00"), D("60.00")),
        (
            "Care and support planning conversation: minutes",
            InputGroup.STEP_MINUTES,
            D("70.00"),
            D("30.00"),
            D("40.00"),
        ),
        ("Patient numbers", InputGroup.PATIENTS, D("40.00"), D("60.00"), D("20.00")),
        ("Practice nurse: cost per hour", InputGroup.ROLE_RATE, D("40.00"), D("60.00"), D("20.00")),
        ("Administrator: cost per hour", InputGroup.ROLE_RATE, D("50.00"), D("50.00"), D("0.00")),
        ("Postage and other extra costs", InputGroup.EXTRA_COSTS, D("50.00"), D("50.00"), D("0.00")),
        ("Recall and invitation: minutes", InputGroup.STEP_MINUTES, D("50.00"), D("50.00"), D("0.00")),
    ]
    assert {b.base_saving for b in bars} == {D("50.00")}


def test_default_ranges_and_value_labels():
    bars = {b.label: b for b in sensitivity.tornado(_model())}

    assert SensitivityRanges() == SensitivityRanges(
        role_rate_percent=D(20), step_minutes_percent=D(20), extra_costs_percent=D(50), patients_percent=D(20)
    )
    nurse = bars["Practice nurse: cost per hour"]
    assert (nurse.key, nurse.percent) == ("pn", D(20))
    assert (nurse.low_value_label, nurse.high_value_label) == ("£24.00/h (−20%)", "£36.00/h (+20%)")
    assert bars["Postage and other extra costs"].percent == D(50)
    assert bars["Routine review: minutes"].key == "review"


def test_overrides_change_one_role_or_step_and_zero_leaves_it_out():
    ranges = SensitivityRanges(role_rates={"pn": D(10)}, step_minutes={engine.Step.REVIEW: D(0)}, patients_percent=D(0))

    bars = {b.label: b for b in sensitivity.tornado(_model(), ranges=ranges)}

    assert bars["Practice nurse: cost per hour"].swing == D("10.00")
    assert bars["Administrator: cost per hour"].percent == D(20)
    assert "Routine review: minutes" not in bars
    assert "Patient numbers" not in bars


def test_salaried_role_scales_its_salary_so_the_rate_stays_exact():
    nurse = engine.Role(
        key="pn", name="Practice nurse", annual_salary=D(33000), on_cost_percent=D("28.5"), paid_hours_per_year=D(1950)
    )
    model = _model(nurse)

    bar = next(b for b in sensitivity.tornado(model) if b.key == "pn")

    raised = replace(model, roles=(model.roles[0], replace(nurse, annual_salary=D(39600))))
    assert bar.saving_high == engine.compare(raised).saving
    assert bar.high_value_label == "£26.10/h (+20%)"  # 21.7461... x 1.2 = 26.0953...


def test_scaled_extra_costs_round_half_up_to_the_penny():
    model = _model()
    stamp = engine.Stage(name="Letter", step=engine.Step.OTHER, role=None, minutes=D(0), extra_cost=D("0.85"))
    old = replace(model.pathways[0], stages=(*model.pathways[0].stages, stamp))
    model = replace(model, pathways=(old, model.pathways[1]))

    bar = next(b for b in sensitivity.tornado(model) if b.kind is InputGroup.EXTRA_COSTS)

    # Before only: 85p x 0.5 = 42.5p -> 43p; x 1.5 = 127.5p -> £1.28; for 10 patients.
    assert bar.saving_low == D("50.00") + 10 * D("0.43")
    assert bar.saving_high == D("50.00") + 10 * D("1.28")


def test_patients_scale_exactly_without_whole_people():
    model = replace(_model(), before=(engine.Cohort(label="old", patients=5, pathway="old"),))
    model = replace(model, after=(engine.Cohort(label="new", patients=5, pathway="new"),))

    bar = next(b for b in sensitivity.tornado(model, ranges=SensitivityRanges(patients_percent=D(10))) if b.key is None)

    assert bar.kind is InputGroup.PATIENTS
    # 5 x 0.9 = 4.5 and 5 x 1.1 = 5.5 patients, exactly (costing rule 8): £5.00 saved a patient.
    assert (bar.saving_low, bar.saving_high) == (D("22.50"), D("27.50"))


def test_patients_bar_of_example_b_has_its_swing(example_b):
    bar = next(b for b in sensitivity.tornado(example_b) if b.kind is InputGroup.PATIENTS)

    # One person, £31.39 -> £17.72: x 0.8 is £25.11 -> £14.18 (25.112, 14.176), saving £10.93;
    # x 1.2 is £37.67 -> £21.26, saving £16.41 (the saving of the shown figures, rule 8).
    assert (bar.saving_low, bar.saving_high) == (D("10.93"), D("16.41"))
    assert bar.swing == D("5.48")


@pytest.mark.parametrize("percent", [D(-1), D("100.1")])
def test_out_of_range_percentages_are_refused(percent):
    with pytest.raises(ValueError):
        SensitivityRanges(extra_costs_percent=percent)


def test_example_cd_tornado(example_cd):
    bars = sensitivity.tornado(example_cd)

    assert bars
    assert [b.swing for b in bars] == sorted((b.swing for b in bars), reverse=True)
    assert {b.base_saving for b in bars} == {D("677.03")}
    top = bars[0]
    assert (top.label, top.saving_low, top.saving_high) == ("Routine review: minutes", D("290.01"), D("1064.05"))
    assert len({b.label for b in bars}) == len(bars)


percents = st.integers(0, 100).map(D) | st.decimals(0, 100, places=2)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models(), data=st.data())
def test_each_bar_equals_a_full_costing_of_the_varied_model_on_random_models(model, data):
    # Arrange: a random patient scale (costing rule 8), and random ranges, one for a random role and
    # one for a random step besides the groups'
    model = replace(model, patient_scale=data.draw(st.sampled_from([D(1), D("0.5"), D("1.37"), D("2.125")])))
    roles = {r.key for r in model.roles}
    ranges = SensitivityRanges(
        role_rate_percent=data.draw(percents),
        step_minutes_percent=data.draw(percents),
        extra_costs_percent=data.draw(percents),
        patients_percent=data.draw(percents),
        role_rates={data.draw(st.sampled_from(sorted(roles))): data.draw(percents)} if roles else {},
        step_minutes={data.draw(st.sampled_from(list(engine.Step))): data.draw(percents)},
    )

    # Act: the fast path
    bars = sensitivity.tornado(model, ranges=ranges)

    # Assert: every bar's savings are engine.headline's of the varied model, to the penny
    for bar in bars:
        key = engine.Step(bar.key) if bar.kind is InputGroup.STEP_MINUTES else bar.key
        factors = (1 - bar.percent / 100, 1 + bar.percent / 100)
        full = [engine.headline(sensitivity.varied_model(model, bar.kind, key, f)).saving for f in factors]
        assert [bar.saving_low, bar.saving_high] == full, bar.label
