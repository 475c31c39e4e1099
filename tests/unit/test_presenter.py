"""The presenter: the figures the comparison page and the PDF both show, from the engine's comparison."""

import dataclasses
from decimal import Decimal

from costing import engine, presenter


def test_present_example_b_staff_steps_and_extra_costs_come_from_the_comparison(example_b):
    comparison = engine.compare(example_b)

    figures = presenter.present(example_b, comparison)

    assert [row.key for row in figures.staff] == [role.key for role in comparison.roles]
    for row in figures.staff:
        assert row.before_cost == comparison.before.staff_cost[row.key]
        assert row.change_minutes == comparison.after.staff_minutes[row.key] - comparison.before.staff_minutes[row.key]
    assert sum(step.before for step in figures.steps) == comparison.before.cost
    assert sum(step.after for step in figures.steps) == comparison.after.cost
    assert all(step.before or step.after for step in figures.steps)
    stamps = [s.extra_cost for p in example_b.pathways for s in p.stages if s.extra_cost]
    assert sum(e.uses for e in figures.extra_costs) == len(stamps)
    assert [e.amount for e in figures.extra_costs] == sorted(set(stamps))


def test_present_gives_a_year_only_for_a_model_counted_per_month(example_b, example_cd):
    cd = engine.compare(example_cd)

    annual = presenter.present(example_cd, cd).annual

    assert (annual.before, annual.after, annual.saving) == (cd.before.cost * 12, cd.after.cost * 12, cd.saving * 12)
    assert presenter.present(example_b, engine.compare(example_b)).annual is None
    assert isinstance(annual.before, Decimal)


def test_present_lists_only_the_pathways_the_cohorts_use(example_cd):
    comparison = engine.compare(example_cd)

    figures = presenter.present(example_cd, comparison)

    used = {c.pathway for c in example_cd.before + example_cd.after}
    assert {p.key for p in figures.pathways} == used


def test_present_counts_one_person_reviewed_four_times_then_once(example_b_copd_twice):
    figures = presenter.present(example_b_copd_twice, engine.compare(example_b_copd_twice))

    assert figures.counts == "1 person: 4 reviews → 1"


def test_present_counts_example_b_as_one_person_reviewed_three_times_then_once(example_b):
    figures = presenter.present(example_b, engine.compare(example_b))

    assert figures.counts == "1 person: 3 reviews → 1"


def test_present_counts_reviews_and_people_apart_for_a_model_without_groups(example_cd):
    figures = presenter.present(example_cd, engine.compare(example_cd))

    assert figures.counts == "194 → 136 reviews; 194 → 136 people"


def test_present_gives_cost_and_staff_time_per_person_beside_cost_per_review(example_b_copd_twice):
    figures = presenter.present(example_b_copd_twice, engine.compare(example_b_copd_twice))

    before, after = figures.before_side, figures.after_side
    assert (before.people, before.reviews, before.cost_per_person) == (1, 4, Decimal("40.47"))
    assert before.cost_per_review == Decimal("10.12")  # 40.47 / 4 = 10.1175, half up
    assert before.staff_minutes_per_person == sum(figures.comparison.before.staff_minutes.values())
    assert (after.people, after.reviews, after.cost_per_person, after.cost_per_review) == (
        1,
        1,
        Decimal("17.72"),
        Decimal("17.72"),
    )
    copd = before.cohorts[2]
    assert (copd.result.times, copd.reviews, copd.cost_per_person) == (2, 2, Decimal("18.16"))
    assert figures.shows_times


def test_present_shows_times_only_where_a_cohort_is_not_once_a_period(example_b, example_cd):
    for model in (example_b, example_cd):
        assert not presenter.present(model, engine.compare(model)).shows_times


def test_present_has_no_cost_per_person_for_a_side_with_no_one(example_b):
    model = dataclasses.replace(example_b, after=())

    after = presenter.present(model, engine.compare(model)).after_side

    assert (after.people, after.cost_per_person, after.cost_per_review, after.staff_minutes_per_person) == (
        0,
        None,
        None,
        None,
    )


def test_side_by_side_measures_each_model_against_the_first(example_b, example_cd):
    D = Decimal
    b = engine.compare(example_b)
    doubled = engine.compare(dataclasses.replace(example_b, patient_scale=D(2)))
    monthly = engine.compare(example_cd)

    rows = {row.label: row for row in presenter.side_by_side([b, doubled, monthly])}

    cost = rows["Cost before"]
    assert cost.values == (D("31.39"), D("62.78"), D("2785.50"))
    assert cost.differences[0] is None and cost.differences[2] is None  # a month is not subtracted from a patient
    assert cost.differences[1] == presenter.Difference(D("31.39"), D("100.0"))
    assert rows["People after"].differences[1] == presenter.Difference(D(1), D("100.0"))
    assert rows["Contact hours after"].values[:2] == (D(60), D(120))  # minutes, shown as hours
    assert "Practice nurse: staff hours after" in rows
