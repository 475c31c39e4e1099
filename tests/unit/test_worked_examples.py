"""The seed's worked examples B and C/D, reproduced figure by figure.

Figures from the reconciled reference (docs/worked-examples.md): every per-patient
cost, every total, visits and contact time.
"""

from dataclasses import replace
from decimal import Decimal as D

import pytest

from costing import engine


def test_example_b_totals(example_b):
    c = engine.compare(example_b)

    assert c.before.cost == D("31.39")
    assert c.after.cost == D("17.72")
    assert c.saving == D("13.67")
    assert c.saving_percent == D("43.5")
    assert (c.before.visits, c.after.visits) == (5, 2)
    assert (c.before.contact_minutes, c.after.contact_minutes) == (D(95), D(60))


@pytest.mark.parametrize(
    ("pathway", "cost", "visits", "contact"),
    [("dm", "13.43", 2, 45), ("chd", "8.88", 2, 25), ("copd", "9.08", 1, 25), ("csp", "17.72", 2, 60)],
)
def test_example_b_pathway_figures(example_b, pathway, cost, visits, contact):
    result = engine.compare(example_b).pathways[pathway]

    assert result.cost_per_patient == D(cost)
    assert result.visits == visits
    assert result.contact_minutes == D(contact)


def test_example_b_every_stage_cost(example_b):
    pathways = engine.compare(example_b).pathways
    costs = {key: [str(s.cost) for s in p.stages] for key, p in pathways.items()}

    assert costs == {
        "dm": ["1.33", "5.00", "0.90", "6.20"],
        "chd": ["1.33", "2.00", "0.90", "4.65"],
        "copd": ["1.33", "3.10", "4.65"],
        "csp": ["1.33", "6.00", "0.90", "0.19", "9.30"],
    }


def test_example_b_staff_minutes_by_role(example_b):
    c = engine.compare(example_b)

    assert c.before.staff_minutes == {"admin": D(21), "hca": D(35), "np": D(4), "pn": D(60)}
    assert c.after.staff_minutes == {"admin": D(8), "hca": D(30), "np": D(2), "pn": D(30)}


def test_example_b_with_posted_letter_costs_18_57(example_b):
    csp = next(p for p in example_b.pathways if p.key == "csp")
    letter = replace(csp.stages[3], extra_cost=D("0.85"))
    posted = replace(csp, stages=(*csp.stages[:3], letter, csp.stages[4]))
    model = replace(example_b, pathways=tuple(posted if p.key == "csp" else p for p in example_b.pathways))

    c = engine.compare(model)

    assert c.pathways["csp"].stages[3].cost == D("1.04")
    assert c.after.cost == D("18.57")
    assert c.saving == D("12.82")


def test_example_b_flags_printed_70_minutes_but_computes_60(example_b):
    c = engine.compare(example_b)

    assert [(d.what, d.printed, d.computed) for d in c.discrepancies] == [("contact minutes per patient", D(70), D(60))]


def test_example_cd_totals(example_cd):
    c = engine.compare(example_cd)

    assert c.before.cost == D("2785.50")
    assert c.after.cost == D("2108.47")
    assert c.saving == D("677.03")
    assert c.saving_percent == D("24.3")
    assert c.before.patients == 194
    assert c.after.patients == 136


BEFORE_PER_PATIENT = {
    "Asthma": (38, "9.52"),
    "COPD": (12, "16.72"),
    "Diabetes ± CVD ± stroke ± PAD": (23, "18.20"),
    "CHD": (9, "12.00"),
    "Stroke": (13, "12.00"),
    "Heart failure": (5, "12.00"),
    "PAD": (3, "12.00"),
    "Atrial fibrillation": (5, "16.00"),
    "Thyroid": (19, "11.72"),
    "Epilepsy": (5, "11.72"),
    "Mental health": (17, "25.40"),
    "Learning disability": (7, "27.12"),
    "Rheumatoid arthritis": (3, "16.42"),
    "Dementia": (5, "22.84"),
    "Osteoporosis": (1, "11.72"),
    "CKD": (23, "7.72"),
    "Cancer": (6, "18.14"),
}

AFTER_PER_PATIENT = {
    "Diabetes + co-morbidities (not COPD)": (23, "15.83"),
    "CHD, all types ± other LTC (not COPD)": (22, "13.43"),
    "COPD (+ any other single LTC)": (10, "19.43"),
    "COPD + diabetes": (2, "24.63"),
    "Asthma (no information gathering)": (20, "10.08"),
    "Asthma ± single LTC (information gathering)": (8, "13.22"),
    "Dementia (no information gathering)": (2, "21.89"),
    "Dementia (with other LTCs)": (5, "25.03"),
    "Mental health / learning disability": (14, "25.03"),
    "All other LTCs (epilepsy, RA, thyroid…)": (25, "10.62"),
    "Cancer": (5, "22.63"),
}


@pytest.mark.parametrize(("side", "expected"), [("before", BEFORE_PER_PATIENT), ("after", AFTER_PER_PATIENT)])
def test_example_cd_every_cohort(example_cd, side, expected):
    cohorts = getattr(engine.compare(example_cd), side).cohorts

    got = {c.label: (c.patients, str(c.cost_per_patient)) for c in cohorts}

    assert got == expected
    for cohort in cohorts:
        assert cohort.cost == cohort.cost_per_patient * cohort.patients


def test_example_cd_reconciles_three_printed_cells(example_cd):
    c = engine.compare(example_cd)

    assert sorted((d.printed, d.computed) for d in c.discrepancies) == [
        (D("0.00"), D("0.74")),
        (D("4.65"), D("5.40")),
        (D("4.65"), D("5.40")),
    ]


def test_example_cd_figures_add_up_every_way(example_cd):
    c = engine.compare(example_cd)

    for side in (c.before, c.after):
        assert sum(side.cost_by_step.values()) == side.cost
        assert sum(side.staff_cost.values()) + side.extra_cost == side.cost


def test_example_cd_annualised_is_twelve_months(example_cd):
    c = engine.compare(example_cd)

    assert c.annualised(c.saving) == D("8124.36")
