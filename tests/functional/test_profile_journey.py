"""Profile → model → comparison in a browser.

A practice admin imports a profile spreadsheet with mistakes in it (told each
by row and column, nothing saved), imports it corrected, generates a model from
the profile (worked example B's person: diabetes, CHD and COPD) and reads the
comparison: £31.39 → £17.72, 1 person: 3 reviews → 1. The practice's pathways
(example B's) are set up through the services: the journey is the profile's.
"""

from __future__ import annotations

import re

import pytest

from tests.functional.support import log_in_as, screenshot, skip_without_browser

skip_without_browser()

from playwright.sync_api import expect  # noqa: E402

from pathways.models import CostModel, PracticeProfile  # noqa: E402

pytestmark = pytest.mark.functional

HEADER = "kind,ages,conditions,number of conditions,people\n"
WITH_MISTAKES = (
    HEADER + "list size,,,,1\n"
    "age band,adults,,,1\n"  # row 3: not an age band
    "register,,DM,,1\n"
    "register,,CHD,,one\n"  # row 5: not a number
    "register,,COPD,,1\n"
    "group,,DM;CHD;COPD;XYZ,,1\n"  # row 7: no such register
)
CORRECT = (
    HEADER + "list size,,,,1\nage band,18+,,,1\nregister,,DM,,1\nregister,,CHD,,1\nregister,,COPD,,1\n"
    "group,,DM;CHD;COPD,,1\n"
)


def _csv(text: str) -> dict:
    return {"name": "profile.csv", "mimeType": "text/csv", "buffer": text.encode()}


def test_profile_import_then_generate_then_compare(page, world):
    profiles_before = PracticeProfile.objects.count()
    log_in_as(page, world["admin"], world["base_url"])
    page.goto(f"/practices/{world['ods']}/")
    page.get_by_role("link", name="Practice profiles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Practice profiles")
    page.get_by_role("link", name="Import a profile spreadsheet").click()

    # A file with mistakes: each is named by row and column, and nothing is saved.
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(_csv(WITH_MISTAKES))
    page.get_by_label("Date of the search").fill("2026-11-16")
    page.get_by_label("Note").fill("Registers by combination")
    page.get_by_role("button", name="Check and import").click()
    problems = page.get_by_role("table", name="Problems found in the file")
    expect(page.locator("#import-errors")).to_contain_text("Nothing was imported")
    expect(problems.get_by_role("row")).to_have_count(4)  # the header and three problems
    expect(problems.get_by_role("row").nth(1)).to_have_text(re.compile(r"^3\s*ages\s*'adults' is not an age band"))
    expect(problems.get_by_role("row").nth(2)).to_have_text(re.compile(r"^5\s*people\s*'one' is not a number"))
    expect(problems.get_by_role("row").nth(3)).to_have_text(
        re.compile(r"^7\s*conditions\s*unknown condition code 'XYZ'")
    )
    assert PracticeProfile.objects.count() == profiles_before
    screenshot(page, "profile-01-import-errors")

    # Corrected: saved, and the profile page shows its group.
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(_csv(CORRECT))
    page.get_by_label("Date of the search").fill("2026-11-16")
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Practice profile of 16 November 2026")
    groups = page.get_by_role("table", name=re.compile("^People by their set or number of conditions"))
    expect(groups.get_by_role("row", name=re.compile("DM \\+ CHD \\+ COPD"))).to_contain_text("1")
    assert PracticeProfile.objects.count() == profiles_before + 1
    assert PracticeProfile.objects.latest("pk").list_size == 1
    screenshot(page, "profile-02-profile")

    # Generate: each register's review is proposed from the pathway of its code; the CSP is chosen.
    page.get_by_role("link", name="Generate a cost model").click()
    expect(page.get_by_label("Current review of Diabetes mellitus (aged 17+) (DM)")).to_have_value("dm")
    page.get_by_label("Name of the new model").fill("Example B from its profile")
    page.get_by_role("combobox", name=re.compile("^Period")).select_option("per patient")
    page.get_by_label("Care and support planning pathway (after)").select_option("csp")
    screenshot(page, "profile-03-generate")
    page.get_by_role("button", name="Generate the model").click()

    # The comparison: the published figures, people and reviews.
    expect(page.get_by_role("heading", level=1)).to_have_text("Example B from its profile")
    expect(page.get_by_test_id("headline-cost")).to_have_text("£31.39 → £17.72")
    expect(page.get_by_test_id("headline-saving")).to_have_text(re.compile(r"^Saving £13\.67 \(43\.5%\)"))
    expect(page.get_by_test_id("headline-counts")).to_contain_text("1 person")
    expect(page.get_by_test_id("headline-counts")).to_contain_text("3 reviews → 1")
    assert CostModel.objects.get(name="Example B from its profile").groups.count() == 1
    screenshot(page, "profile-04-comparison")
