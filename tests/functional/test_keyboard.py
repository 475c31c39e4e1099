"""The editors work with the keyboard alone: once the page is open, only key presses (Tab,
Shift+Tab, Enter, Space, arrows and typing) edit a pathway and create a staff role."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.functional.support import axe_violations, focused_is, log_in_as, skip_without_browser, tab_to

skip_without_browser()

from playwright.sync_api import expect  # noqa: E402

from costing.models import PayBand  # noqa: E402
from pathways.models import Pathway  # noqa: E402
from practices.models import StaffRole  # noqa: E402

pytestmark = pytest.mark.functional


def test_pathway_edit_with_the_keyboard_alone(page, world):
    pathway = Pathway.objects.get(practice=world["practice"], key="dm")
    nurse = StaffRole.objects.get(practice=world["practice"], key="pn")
    log_in_as(page, world["admin"], world["base_url"])
    page.goto(f"/practices/{world['ods']}/pathways/{pathway.pk}/edit/")
    keyboard = page.keyboard

    # Add a fifth stage: Enter on "Add a stage" puts the focus in the new row's first field.
    tab_to(page, page.get_by_role("button", name="Add a stage"), limit=150)
    keyboard.press("Enter")
    expect(page.get_by_label("Name, stage 5", exact=True)).to_be_focused()
    keyboard.type("Follow-up phone call")
    keyboard.press("Tab")
    step = page.get_by_label("Step, stage 5", exact=True)
    expect(step).to_be_focused()
    keyboard.type("Follow")  # the select's type-ahead
    expect(step).to_have_value("follow_up")
    keyboard.press("Tab")
    role = page.get_by_label("Role, stage 5", exact=True)
    expect(role).to_be_focused()
    keyboard.type("Practice nurse")
    expect(role).to_have_value(str(nurse.pk))
    keyboard.press("Tab")
    keyboard.type("5")
    keyboard.press("Tab")
    keyboard.type("0.85")
    keyboard.press("Tab")
    # The letter price choice beside it; its date is asked for only once a class is chosen.
    expect(page.get_by_label("Letter price, stage 5", exact=True)).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_label("Visit, stage 5", exact=True)).to_be_focused()
    keyboard.type("3")

    # Move it up one place with Space on its "Move up" button; the focus stays on the button.
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move stage 5 up")).to_be_focused()
    keyboard.press("Space")
    expect(page.get_by_label("Name, stage 4", exact=True)).to_have_value("Follow-up phone call")
    expect(page.get_by_role("button", name="Move stage 4 up")).to_be_focused()
    expect(page.locator("[data-editor-status]")).to_have_text("Stage moved to position 4.")

    # Back into the row with Shift+Tab and save with Enter (the form's first button is Save).
    tab_to(page, page.get_by_label("Visit, stage 4", exact=True), backwards=True)
    keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Saved “Diabetes review”")).to_be_visible()

    stages = list(
        pathway.stages.order_by("position").values_list("name", "step", "role", "minutes", "extra_cost", "visit")
    )
    assert [s[0] for s in stages] == [
        "Admin and recall: recall lists, appointments and invitation",
        "Test taking: BP, weight, bloods",
        "Clinical review of tests",
        "Follow-up phone call",
        "Routine review",
    ]
    assert stages[3][1:] == ("follow_up", nurse.pk, Decimal(5), Decimal("0.85"), 3)


def test_letter_price_at_a_date_fills_a_stage_extra_cost(page, world):
    pathway = Pathway.objects.get(practice=world["practice"], key="dm")
    log_in_as(page, world["admin"], world["base_url"])
    page.goto(f"/practices/{world['ods']}/pathways/{pathway.pk}/edit/")
    cost = page.get_by_label("Extra cost (£), stage 1", exact=True)
    cost.fill("0.50")

    page.get_by_label("Letter price, stage 1", exact=True).select_option("second")
    page.get_by_label("Letter price on, stage 1", exact=True).fill("2026-04-06")

    expect(cost).to_have_value("0.87")
    expect(page.locator("[data-letter-source]").first).to_have_text("Royal Mail second class, from 7 April 2025")

    # A date whose price is not known says so and leaves the amount alone.
    page.get_by_label("Letter price on, stage 1", exact=True).fill("2016-01-01")
    expect(page.locator("[data-letter-source]").first).to_contain_text("is not known")
    expect(cost).to_have_value("0.87")


def test_role_from_a_pay_band_with_the_keyboard_alone(page, world):
    band = PayBand.objects.get(scale__key="afc-2025-26", band="6")
    log_in_as(page, world["admin"], world["base_url"])
    page.goto(f"/practices/{world['ods']}/roles/new/")
    keyboard = page.keyboard
    form = page.locator("#role-form")

    tab_to(page, form.locator("#id_name"))
    keyboard.type("Clinical pharmacist")
    expect(form.locator("#id_key")).to_have_value("clinical-pharmacist")

    # The pay band picker: the 2025/26 scale is chosen already; band 6 by arrows, then Space on its button.
    tab_to(page, page.locator("#id_payband-scale"))
    expect(page.locator("#id_payband-scale")).to_have_value("afc-2025-26")
    keyboard.press("Tab")
    band_select = page.locator("#id_payband-band")
    expect(band_select).to_be_focused()
    for _ in range(4):  # Band 2 → 3 → 4 → 5 → 6
        keyboard.press("ArrowDown")
    expect(band_select).to_have_value("6")
    keyboard.press("Tab")
    expect(page.locator("#id_payband-point")).to_be_focused()
    keyboard.press("Tab")
    assert focused_is(page, page.get_by_role("button", name="Fill in salary"))
    keyboard.press("Space")
    expect(form.locator("#id_annual_salary")).to_have_value(format(band.entry.normalize(), "f"))
    expect(form.locator("#id_entry_method_1")).to_be_checked()
    expect(form.locator("#id_cost_basis_1")).to_be_checked()
    expect(form.locator("#id_band")).to_have_value("AfC 6")
    expect(page.locator("#role-picker-status")).to_contain_text(
        re.compile(r"Filled in from Agenda for Change 2025/26\b.*, band 6, entry")
    )

    # Back to the role form's Save button with Shift+Tab; Enter saves.
    tab_to(page, form.get_by_role("button", name="Save role"), backwards=True)
    keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Saved “Clinical pharmacist”")).to_be_visible()

    role = StaffRole.objects.get(practice=world["practice"], name="Clinical pharmacist")
    assert (role.key, role.band, role.annual_salary, role.cost_basis) == (
        "clinical-pharmacist",
        "AfC 6",
        band.entry,
        "salary_on_costs",
    )
    assert role.paid_hours_per_year == Decimal(1950) and role.cost_per_hour is None


def test_what_if_panel_with_the_keyboard_alone(page, world):
    """The what-if panel by keyboard: a new rate recosts in place; a value out of range marks its
    field invalid, tied to its message, until it is put right."""
    log_in_as(page, world["admin"], world["base_url"])
    page.goto(f"/practices/{world['ods']}/models/{world['model_b'].pk}/")
    keyboard = page.keyboard
    rate = page.get_by_label("Practice nurse: cost per hour (£)")

    # The headline comes before the panel, on screen and in the tab order.
    tab_to(page, rate, limit=400)
    keyboard.press("Control+A")
    keyboard.type("30")
    keyboard.press("Tab")  # leaving the field asks for the results at once

    expect(page.get_by_test_id("headline-cost")).to_have_text("£42.79 → £23.42", timeout=60_000)
    expect(page.locator("#whatif-status")).to_contain_text("£42.79 before, £23.42 after")

    keyboard.press("Shift+Tab")
    expect(rate).to_be_focused()
    keyboard.press("Control+A")
    keyboard.type("-5")
    keyboard.press("Tab")
    expect(rate).to_have_attribute("aria-invalid", "true", timeout=60_000)
    message = page.locator(f"#{rate.get_attribute('name')}-error")
    expect(message).not_to_be_empty()
    assert message.get_attribute("id") in rate.get_attribute("aria-describedby").split()

    keyboard.press("Shift+Tab")
    keyboard.press("Control+A")
    keyboard.type("18.60")
    keyboard.press("Tab")
    expect(rate).not_to_have_attribute("aria-invalid", "true", timeout=60_000)
    expect(page.get_by_test_id("headline-cost")).to_have_text("£31.39 → £17.72", timeout=60_000)


def test_a_stages_role_is_chosen_with_the_keyboard_from_the_models_roles(page, world):
    """The what-if panel writes each stage's role as a text box and the model's roles once; opening a
    pathway's stages turns its boxes into selects of those roles, labelled as the boxes were."""
    log_in_as(page, world["admin"], world["base_url"])
    page.goto(f"/practices/{world['ods']}/models/{world['model_b'].pk}/")
    keyboard = page.keyboard
    panel = page.locator("#whatif-form")
    expect(page.get_by_test_id("headline-cost")).to_have_text("£31.39 → £17.72")

    summary = panel.locator("summary", has_text="Diabetes review")
    tab_to(page, summary, limit=400)
    keyboard.press("Enter")
    role = page.get_by_role("combobox", name="Routine review Diabetes review done by", exact=True)
    expect(role).to_have_value("pn")  # the stage's own role chosen
    options = role.locator("option").evaluate_all("os => os.map(o => [o.value, o.textContent])")
    assert options == [
        ["admin", "Administrator"],
        ["hca", "Healthcare assistant"],
        ["np", "Nurse practitioner"],
        ["pn", "Practice nurse"],
    ]
    # The other pathways' stages are still text boxes: nothing is built until it is opened.
    closed = panel.locator("details", has=page.locator("summary", has_text="CHD review")).first
    stage = closed.locator("label span", has_text="Routine review/consultation").first.get_attribute("id")
    expect(closed.locator(f'input[data-role-choice][aria-labelledby^="{stage} "]')).to_have_value("Practice nurse")
    tab_to(page, role, limit=20)
    keyboard.press("ArrowUp")  # Practice nurse → Nurse practitioner
    expect(role).to_have_value("np")
    expect(page.get_by_test_id("headline-cost")).not_to_have_text("£31.39 → £17.72", timeout=60_000)
    expect(page.locator("#whatif-status")).to_contain_text("before")
    expect(role).to_be_focused()

    # axe on both kinds open: Diabetes review's selects, and CHD review's text boxes as a page without scripts has them.
    unmarked = "i => i.removeAttribute('data-role-choice')"
    page.evaluate(f"() => document.querySelectorAll('[id^=id_stage_1_][data-role-choice]').forEach({unmarked})")
    panel.locator("summary", has_text="CHD review").click()
    expect(page.locator("#id_stage_1_0_role")).to_have_attribute("type", "text")
    assert not axe_violations(page, {"include": ["#whatif-form"]})
