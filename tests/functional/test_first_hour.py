"""The first hour in a browser: what the forms show as they are filled in, and after a refusal."""

from __future__ import annotations

import pytest

from tests.functional.support import log_in_as, skip_without_browser

skip_without_browser()

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.functional


def test_the_roles_live_rate_survives_a_validation_error(page, world):
    log_in_as(page, world["admin"], world["base_url"])
    page.goto(f"/practices/{world['ods']}/roles/new/")
    form = page.locator("#role-form")
    form.get_by_label("Cost per hour", exact=True).check()
    form.get_by_label("Cost per hour (£)").fill("18.60")
    expect(page.locator("#role-rate-preview")).to_contain_text("£18.60 an hour, £0.3100 a minute")

    form.get_by_role("button", name="Save role").click()  # no name: refused

    expect(page).to_have_title("Error: New staff role – Riverside Surgery – Year of Care")
    expect(form.locator("#id_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#role-rate-preview")).to_contain_text("£18.60 an hour, £0.3100 a minute")


def test_a_pathway_delete_asks_first_and_says_it_can_be_restored(page, world):
    from pathways.models import Pathway
    from pathways.services import pathway_create

    spare = pathway_create(practice=world["practice"], name="Spare pathway", by=None)
    log_in_as(page, world["admin"], world["base_url"])
    page.goto(f"/practices/{world['ods']}/pathways/{spare.pk}/edit/")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    delete = page.get_by_role("button", name="Delete “Spare pathway”")
    delete.click()
    assert Pathway.objects.filter(pk=spare.pk).exists()  # dismissed: nothing deleted

    delete.click()
    expect(page.get_by_role("status").first).to_be_visible()

    assert "can be restored" in asked[0] and len(asked) == 2
    assert not Pathway.objects.filter(pk=spare.pk).exists()
