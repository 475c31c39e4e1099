from decimal import Decimal as D

import pytest

from costing import engine, whatif


def test_empty_whatif_changes_nothing(example_cd):
    assert whatif.apply(example_cd, whatif.WhatIf()) == example_cd
    assert whatif.WhatIf().is_empty


def test_practice_nurse_rate_changes_only_their_stages(example_b):
    changes = whatif.WhatIf(roles={"pn": engine.Role(key="pn", name="x", cost_per_hour=D("24.00"))})

    c = engine.compare(whatif.apply(example_b, changes))

    # The nurse's 60 minutes before cost 60 x £0.40 = £24.00 instead of £18.60.
    assert c.before.cost == D("31.39") + D("24.00") - D("18.60")
    assert c.after.staff_cost["pn"] == D("12.00")
    assert c.roles[3].name == "Practice nurse"  # names are kept


def test_postage_change_applies_to_every_stage_with_that_amount(example_cd):
    changes = whatif.WhatIf(extra_costs={D("0.56"): D("0.87")})

    c = engine.compare(whatif.apply(example_cd, changes))

    # Before: 194 recall letters; after: 136 recall letters + 136 results letters.
    assert c.before.cost == D("2785.50") + 194 * D("0.31")
    assert c.after.cost == D("2108.47") + 272 * D("0.31")


def test_minutes_and_role_of_one_stage(example_b):
    changes = whatif.WhatIf(stage_minutes={("csp", 4): D(20)}, stage_roles={("csp", 4): "np"})

    c = engine.compare(whatif.apply(example_b, changes))

    assert c.pathways["csp"].stages[4].cost == D("9.00")  # 20 min at £27/h
    assert c.after.contact_minutes == D(50)


def test_patient_scale_is_exact_not_whole_people(example_cd):
    c = engine.compare(whatif.apply(example_cd, whatif.WhatIf(patient_scale=D("0.5"))))

    # 38 asthma -> 19; 5 heart failure -> 2.5 (costing rule 8: never rounded to whole people)
    counts = {co.label: co.patients for co in c.before.cohorts}
    assert counts["Asthma"] == 19
    assert counts["Heart failure"] == D("2.5")
    assert c.before.cost == D("1392.75")  # half of £2,785.50
    assert c.saving_percent == D("24.3")  # as the model's own


@pytest.mark.parametrize(
    "kwargs",
    [
        {"patient_scale": D("0.4")},
        {"patient_scale": D("3.1")},
        {"stage_minutes": {("x", 0): D(10000)}},
        {"stage_minutes": {("x", 0): D(-1)}},
        {"extra_costs": {D("0.56"): D(-1)}},
    ],
)
def test_out_of_range_whatif_is_refused(kwargs):
    with pytest.raises(ValueError):
        whatif.WhatIf(**kwargs)


def test_describe_lists_only_real_changes(example_b):
    changes = whatif.WhatIf(
        roles={
            "pn": engine.Role(key="pn", name="x", cost_per_hour=D("24.00")),
            "hca": engine.Role(key="hca", name="x", cost_per_hour=D("12.00")),
        },
        patient_scale=D(2),
    )

    assert whatif.describe(example_b, changes) == ["Practice nurse £18.60 → £24.00 an hour", "Patient numbers × 2"]
