"""WCAG 2.2 AA checks in a real browser: axe-core on every main page, charts' text alternatives,
visible focus, and colour never the only signal. Each main page is also screenshotted into
$SCREENSHOT_DIR when it is set.

axe-core (bundled by axe-playwright-python) is injected with Playwright's evaluate, which goes
through the DevTools protocol and is not subject to the page's Content-Security-Policy, so the
pages are checked with their real CSP (test_axe_runs_under_the_pages_csp proves it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.functional.support import (
    axe_serious_violations,
    log_in_as,
    login,
    screenshot,
    skip_without_browser,
    tab_to,
    wait_for_charts,
    wait_until,
)

skip_without_browser()

from playwright.sync_api import expect  # noqa: E402

from tests.factories.practices import PASSWORD  # noqa: E402

pytestmark = pytest.mark.functional


@dataclass(frozen=True)
class Page:
    name: str
    user: str | None  # "admin", "facilitator" or None (not logged in)
    path: Any  # world -> path

    def __str__(self) -> str:
        return self.name


def _first_pathway(world) -> int:
    return world["model_b"].cohorts.order_by("pk").first().pathway_id


def _first_role(world) -> int:
    return world["practice"].staff_roles.order_by("pk").first().pk


MAIN_PAGES = [
    Page("login", None, lambda w: "/accounts/login/"),
    Page("dashboard", "admin", lambda w: "/"),
    Page("practice", "admin", lambda w: f"/practices/{w['ods']}/"),
    Page("roles", "admin", lambda w: f"/practices/{w['ods']}/roles/"),
    Page("role-new", "admin", lambda w: f"/practices/{w['ods']}/roles/new/"),
    Page("role-edit", "admin", lambda w: f"/practices/{w['ods']}/roles/{_first_role(w)}/edit/"),
    Page("pathways", "admin", lambda w: f"/practices/{w['ods']}/pathways/"),
    Page("pathway", "admin", lambda w: f"/practices/{w['ods']}/pathways/{_first_pathway(w)}/"),
    Page("pathway-editor", "admin", lambda w: f"/practices/{w['ods']}/pathways/{_first_pathway(w)}/edit/"),
    Page("model-editor", "admin", lambda w: f"/practices/{w['ods']}/models/{w['model_b'].pk}/edit/"),
    Page("comparison", "admin", lambda w: f"/practices/{w['ods']}/models/{w['model_cd'].pk}/"),
    Page(
        "side-by-side",
        "admin",
        lambda w: f"/practices/{w['ods']}/scenarios/?m={w['model_b'].pk}&m={w['model_cd'].pk}&m={w['model_dearer'].pk}",
    ),
    Page("members", "admin", lambda w: f"/practices/{w['ods']}/members/"),
    Page("profiles", "admin", lambda w: f"/practices/{w['ods']}/profiles/"),
    Page("profile-new", "admin", lambda w: f"/practices/{w['ods']}/profiles/new/"),
    Page("profile-import", "admin", lambda w: f"/practices/{w['ods']}/profiles/import/"),
    Page("profile", "admin", lambda w: f"/practices/{w['ods']}/profiles/{w['profile'].pk}/"),
    Page("profile-generate", "admin", lambda w: f"/practices/{w['ods']}/profiles/{w['profile'].pk}/generate/"),
    Page("rollup", "facilitator", lambda w: "/rollup/"),
    Page("practice-new", "facilitator", lambda w: "/new-practice/"),
    Page("invitation", None, lambda w: f"/accounts/invitations/{w['invitation'].token}/"),
]


def open_as(page, world, user: str | None, path: str):
    if user is not None:
        log_in_as(page, world[user], world["base_url"])
    response = page.goto(path)
    assert response.status == 200, (path, response.status)
    wait_for_charts(page)
    return response


# The site header (templates/base.html) is the same on every page: checked once, by the test after this.
PAGE_ONLY = {"exclude": [["header"]]}


@pytest.mark.parametrize("target", MAIN_PAGES, ids=str)
def test_page_has_no_serious_or_critical_axe_violations(page, world, target):
    open_as(page, world, target.user, target.path(world))
    screenshot(page, target.name)

    violations = axe_serious_violations(page, PAGE_ONLY)

    assert not violations, f"{target.name} ({page.url}): serious or critical axe violations:\n" + "\n".join(violations)


@pytest.mark.parametrize("user", [None, "facilitator"], ids=["logged-out", "logged-in"])
def test_site_header_has_no_serious_or_critical_axe_violations(page, world, user):
    """templates/base.html's header and navigation, as a visitor and with every link a facilitator has."""
    open_as(page, world, user, "/" if user else "/accounts/login/")

    violations = axe_serious_violations(page, {"include": [["header"]]})

    assert not violations, "the site header (templates/base.html): serious or critical axe violations:\n" + "\n".join(
        violations
    )


def test_axe_runs_under_the_pages_csp(page, world):
    """The check above is real: the page keeps its strict CSP and axe still reports a planted fault."""
    response = open_as(page, world, None, "/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Remove the username's label: axe must now report the unlabelled field (critical).
    page.evaluate("document.querySelector('label[for=id_username]').remove()")

    violations = axe_serious_violations(page)

    assert any(v.startswith("label (critical)") for v in violations), violations


def test_the_browser_enforces_the_csp_and_the_tests_notice_violations(page, world, browser_problems):
    """An inline script is refused, and the browser's report of it would fail any of these tests."""
    open_as(page, world, None, "/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1';"
        " document.body.appendChild(s); }"
    )

    assert page.evaluate("typeof window.__inline") == "undefined"
    wait_until(lambda: page.wait_for_timeout(50) or browser_problems.messages, message="the CSP report")
    assert "Content Security Policy" in browser_problems.messages[0]
    browser_problems.messages.clear()  # planted on purpose: do not fail this test for it


# ------------------------------------------------------------------ charts


CHART_PAGES = ["comparison", "side-by-side", "rollup"]


def chart_figure(page, chart) -> dict:
    source = page.locator(f"#{chart.get_attribute('data-chart')}-data")
    return json.loads(source.text_content())


@pytest.mark.parametrize("name", CHART_PAGES)
def test_every_chart_has_a_text_alternative_and_does_not_rely_on_colour(page, world, name):
    target = next(p for p in MAIN_PAGES if p.name == name)
    open_as(page, world, target.user, target.path(world))
    charts = page.locator(".chart")
    assert charts.count() >= 1
    tables = " ".join(page.locator("main table").all_text_contents())

    for i in range(charts.count()):
        chart = charts.nth(i)
        key = chart.get_attribute("data-chart")
        figure = chart_figure(page, chart)
        # A text alternative: an accessible name that says where the figures are, and that table.
        expect(chart).to_have_attribute("role", "img")
        expect(chart).to_have_accessible_name(re.compile(r"\btables?\b"))
        in_section = chart.locator("xpath=ancestor::section[1]//table").count()
        adjacent = (
            chart.locator("xpath=following::table[1]").count() + chart.locator("xpath=preceding::table[1]").count()
        )
        assert in_section or adjacent, f"{name}: chart {key} has no table of its figures beside it"
        # Every category the chart plots is named in a table on the page.
        for trace in figure["data"]:
            categories = trace.get("y") if trace.get("orientation") == "h" else trace.get("x")
            for category in categories or []:
                plain = re.sub(r"^(Before|After): ", "", str(category))
                if plain not in ("Before", "After"):
                    assert plain in tables, f"{name}: {plain!r} is in chart {key} but in no table"
        assert_not_colour_alone(chart, figure, f"{name}: chart {key}")


def assert_not_colour_alone(chart, figure: dict, what: str) -> None:
    traces = figure["data"]
    names = [t.get("name") for t in traces]
    if {"Before", "After"} <= set(names):
        # Two series told apart by colour: a pattern on one too, and each named in the legend.
        shapes = {t["name"]: (t.get("marker", {}).get("pattern") or {}).get("shape", "") for t in traces}
        assert shapes["Before"] != shapes["After"], f"{what}: before and after differ only by colour"
        assert figure["layout"].get("showlegend", True) is not False, f"{what}: no legend"
        expect(chart.locator(".legend text", has_text="Before")).to_have_count(1)
        expect(chart.locator(".legend text", has_text="After")).to_have_count(1)
    elif traces and traces[0]["type"] == "waterfall":
        # Rises (red) and falls (green) also carry their sign in the text on each bar.
        for measure, text in zip(traces[0]["measure"], traces[0]["text"], strict=True):
            if measure == "relative":
                assert text[0] in "+−", f"{what}: waterfall step {text!r} shows no sign"
    else:
        # Stacked by step: Before and After are the axis labels; each step is named in the legend.
        assert all(t.get("name") for t in traces), f"{what}: a series without a name"
        for trace in traces:
            expect(chart.locator(".legend text", has_text=trace["name"])).to_have_count(1)


def test_saving_and_extra_cost_are_stated_in_words(page, world):
    login(page, world["admin"].username, PASSWORD)
    ods = world["ods"]

    page.goto(f"/practices/{ods}/models/{world['model_b'].pk}/")
    saving = page.get_by_test_id("headline-saving")
    expect(saving).to_have_text(re.compile(r"^Saving £13\.67"))

    page.goto(f"/practices/{ods}/models/{world['model_dearer'].pk}/")
    # After: 17.72 + 90 more minutes of practice nurse at £0.31 = £45.62; £14.23 more than before.
    expect(page.get_by_test_id("headline-cost")).to_have_text("£31.39 → £45.62")
    expect(page.get_by_test_id("headline-saving")).to_have_text(re.compile(r"^Extra cost −?£14\.23"))
    # The sign in the text too, not only the colour of the figure.
    expect(page.get_by_test_id("headline-saving")).not_to_have_text(re.compile(r"Saving"))


# ------------------------------------------------------------------ focus


def outline_of(locator) -> dict:
    return locator.evaluate(
        "el => { const s = getComputedStyle(el); return {outline: s.outlineStyle, width: s.outlineWidth,"
        " color: s.outlineColor, shadow: s.boxShadow}; }"
    )


def assert_focus_visible(page, locator, what: str) -> None:
    style = outline_of(locator)
    outlined = style["outline"] not in ("none", "") and style["width"] not in ("0px", "")
    shadowed = style["shadow"] not in ("none", "")
    assert outlined or shadowed, f"{what} shows no focus indicator: {style}"


def test_focus_is_visible_on_links_buttons_and_fields(page, world):
    login(page, world["admin"].username, PASSWORD)
    page.goto(f"/practices/{world['ods']}/roles/new/")
    checks = [
        ("skip link", page.get_by_role("link", name="Skip to main content")),
        ("navigation link", page.get_by_role("link", name="My practices").first),
        ("log out button", page.get_by_role("button", name="Log out")),
        ("breadcrumb link", page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").last),
        ("text field", page.locator("#id_name")),
        ("radio button", page.locator("#id_entry_method_0")),
        ("submit button", page.get_by_role("button", name="Save role")),
        ("select", page.locator("#id_payband-scale")),
        ("secondary button", page.get_by_role("button", name="Fill in salary")),
    ]
    for what, locator in checks:
        tab_to(page, locator)
        assert_focus_visible(page, locator, what)
    # The skip link, once focused, is on screen.
    page.goto(f"/practices/{world['ods']}/")
    skip = page.get_by_role("link", name="Skip to main content")
    tab_to(page, skip)
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
