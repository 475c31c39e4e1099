"""Scenarios follow their base; a practice's baseline is what the roll-up uses; the roll-up adds up."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.functional.support import log_in_as, screenshot, skip_without_browser

skip_without_browser()

from playwright.sync_api import expect  # noqa: E402

from costing import engine  # noqa: E402
from costing.templatetags.costing_tags import gbp  # noqa: E402
from pathways import selectors  # noqa: E402
from pathways.models import CostModel  # noqa: E402

pytestmark = pytest.mark.functional

SLOW = 30_000


def _money(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", "").replace("−", "-").strip())


def test_a_saved_scenario_follows_an_edit_to_its_base(page, world):
    log_in_as(page, world["admin"], world["base_url"])
    base = world["model_cd"]
    page.goto(f"/practices/{world['ods']}/models/{base.pk}/")
    headline = page.get_by_test_id("headline-cost")
    expect(headline).to_have_text("£2,785.50 → £2,108.47")

    # What if twice the patients: exact, every figure doubled.
    page.get_by_label("Patient numbers", exact=True).select_option(label="× 2")
    expect(headline).to_have_text("£5,571.00 → £4,216.94", timeout=SLOW)
    page.get_by_label("Scenario name", exact=True).fill("C/D, twice the patients")
    page.get_by_role("button", name="Save as scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("C/D, twice the patients")
    differences = page.get_by_test_id("scenario-differences")
    expect(differences).to_contain_text("Patient numbers × 2")
    expect(headline).to_have_text("£5,571.00 → £4,216.94")
    scenario_url = page.url

    # The base is edited: ten more asthma patients before.
    page.goto(f"/practices/{world['ods']}/models/{base.pk}/edit/")
    patients = page.get_by_label("Patients, before cohort 1", exact=True)
    expect(patients).to_have_value("38")
    patients.fill("48")
    page.get_by_role("button", name="Save cost model").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(base.name)

    # The scenario follows: twice the base as it is now, from the engine.
    edited = selectors.compare_cost_model(base.pk)
    assert edited.before.cost > Decimal("2785.50")
    page.goto(scenario_url)
    expected = f"{gbp(edited.before.cost * 2)} → {gbp(edited.after.cost * 2)}"
    expect(page.get_by_test_id("headline-cost")).to_have_text(expected)
    expect(page.get_by_test_id("scenario-differences")).to_contain_text("an edit to the base reaches it")


def test_marking_a_baseline_makes_the_rollup_use_it(page, new_context, world):
    log_in_as(page, world["facilitator"], world["base_url"])
    page.goto("/rollup/")
    table = page.get_by_role("table", name=re.compile("^Cost a year"))
    row = table.get_by_role("row", name=re.compile("Riverside Surgery"))
    # C/D is the practice's baseline: a month's figures, £2,785.50 x 12 a year.
    expect(row).to_contain_text("a month × 12")
    expect(row).to_contain_text("£33,426.00")

    admin = new_context().new_page()
    log_in_as(admin, world["admin"], world["base_url"])
    b = world["model_b"]
    admin.goto(f"/practices/{world['ods']}/models/{b.pk}/")
    admin.get_by_role("button", name="Mark as the practice's baseline").click()
    expect(admin.get_by_text("is now Riverside Surgery's baseline")).to_be_visible()
    assert CostModel.objects.get(is_baseline=True) == b

    page.goto("/rollup/")
    select = row.get_by_label("Cost model of Riverside Surgery")
    expect(select.locator("option:checked")).to_have_text(f"{b.name} (baseline)")
    # Example B counts per patient: shown apart with its reason, not in a year's total.
    expect(row).to_contain_text("shown apart")
    expect(page.locator("#rollup-apart")).to_contain_text("£31.39")
    expect(row).not_to_contain_text("£33,426.00")


def test_rollup_totals_are_the_sum_of_the_rows_shown_on_one_basis(page, world, example_b, example_cd):
    from pathways.services import cost_model_import
    from practices.models import FacilitatorAssignment
    from tests.factories import FacilitatorFactory, PracticeFactory

    facilitator = FacilitatorFactory()
    # Riverside's baseline is C/D, a month's figures.
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=world["practice"])
    practices = (
        ("Hilltop", "Y02001", replace(example_cd, period=engine.Period.YEAR)),
        ("Moor Lane", "Y02002", example_b),
    )
    for name, ods, model in practices:
        practice = PracticeFactory(name=name, ods_code=ods, list_size=5000)
        cost_model_import(practice=practice, model=model, by=None)
        FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    log_in_as(page, facilitator.user, world["base_url"])

    page.goto("/rollup/")

    table = page.locator("#rollup-table")
    headers = [" ".join(t.split()) for t in table.locator("thead th").all_inner_texts()]
    rows = table.get_by_test_id("rollup-row")
    expect(rows).to_have_count(2)  # the per-patient model is shown apart
    total = table.get_by_test_id("rollup-total")

    def cells(row, column: str, offset: int = 0) -> str:
        # A row's cells line up with the header; the total's heading spans its first two columns.
        return row.locator("th, td").nth(headers.index(column) - offset).inner_text()

    for column in ("Before a year", "After a year", "Saving a year"):
        shown = [_money(cells(rows.nth(i), column)) for i in range(2)]
        assert sum(shown) == _money(cells(total, column, 1)), column
    for column in ("People before", "Reviews after", "Visits before"):
        shown = [int(cells(rows.nth(i), column).replace(",", "")) for i in range(2)]
        assert sum(shown) == int(cells(total, column, 1).replace(",", "")), column
    # Riverside's £2,785.50 a month x 12 + Hilltop's £2,785.50 a year; Moor Lane's B per patient is apart.
    expect(total).to_contain_text("£36,211.50")
    apart = page.locator("#rollup-apart")
    expect(apart).to_contain_text("not a span of time")
    expect(apart).to_contain_text("£31.39")


def test_a_scenario_removes_a_stage_and_adds_one_as_an_edited_copy_would(page, world, example_b):
    log_in_as(page, world["admin"], world["base_url"])
    page.goto(f"/practices/{world['ods']}/models/{world['model_b'].pk}/")
    headline = page.get_by_test_id("headline-cost")
    expect(headline).to_have_text("£31.39 → £17.72")
    # The same change made by hand to a copy: the diabetes review loses its clinical review of tests
    # and ends with a 5-minute results letter from the administrator.
    dm = example_b.pathways[0]
    letter = engine.Stage(name="Results letter", step=engine.Step.INFORMATION_SHARING, role="admin", minutes=Decimal(5))
    stages = (*(s for s in dm.stages if s.name != "Clinical review of tests"), letter)
    edited = engine.compare(replace(example_b, pathways=(replace(dm, stages=stages), *example_b.pathways[1:])))
    expected = f"{gbp(edited.before.cost)} → {gbp(edited.after.cost)}"

    # Remove: the pathway's section opened and its stage's box ticked, from the keyboard.
    page.locator("#whatif-form summary", has_text=re.compile("^Diabetes review$")).focus()
    page.keyboard.press("Enter")
    remove = page.get_by_role("checkbox", name="Remove Clinical review of tests Diabetes review", exact=True)
    remove.focus()
    page.keyboard.press("Space")
    expect(remove).to_be_checked()
    # Add: one row, its pathway chosen from a list; every field labelled.
    add = page.get_by_role("group", name="Add a stage")
    add.get_by_label("Add a stage to", exact=True).select_option(label="Diabetes review")
    add.get_by_label("Name of the stage", exact=True).fill("Results letter")
    add.get_by_label("Step", exact=True).select_option(label="Information sharing")
    add.get_by_label("Done by", exact=True).select_option(label="Administrator")
    add.get_by_label("Minutes", exact=True).fill("5")
    expect(headline).to_have_text(expected, timeout=SLOW)
    screenshot(page, "whatif-remove-and-add-a-stage")

    page.get_by_label("Scenario name", exact=True).fill("B, a letter for the clinical review")
    page.get_by_role("button", name="Save as scenario").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("B, a letter for the clinical review")
    differences = page.get_by_test_id("scenario-differences")
    expect(differences).to_contain_text("Removed: Clinical review of tests from Diabetes review")
    expect(differences).to_contain_text("Added: Results letter (Administrator, 5 min) to Diabetes review")
    expect(headline).to_have_text(expected)
    screenshot(page, "scenario-with-a-stage-removed-and-one-added")
    scenario = CostModel.objects.get(name="B, a letter for the clinical review")
    assert selectors.compare_cost_model(scenario).before == edited.before
