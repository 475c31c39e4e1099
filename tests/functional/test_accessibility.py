"""WCAG 2.2 AA checks in a real browser: axe-core on every page of each kind of user at 320, 390,
1366 and 1920 px, no page scrolling sideways, charts' text alternatives (and readable at 390, 1366
and 1920 px), visible focus, and colour never the only signal. Each page is also screenshotted into
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
    axe_violations,
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


WIDTHS = (320, 390, 1366, 1920)  # a small phone (and 400 % zoom), a phone, a laptop, a desktop


@dataclass(frozen=True)
class Page:
    name: str
    user: str | None  # "admin", "staff" (read-only), "facilitator" or None (not logged in)
    path: Any  # world -> path

    def __str__(self) -> str:
        return self.name


def _first_pathway(world) -> int:
    return world["model_b"].cohorts.order_by("pk").first().pathway_id


def _first_role(world) -> int:
    return world["practice"].staff_roles.order_by("pk").first().pk


def _practice(w, rest: str = "") -> str:
    return f"/practices/{w['ods']}/{rest}"


# Every page of each kind of user; a page the same for two kinds of user is checked as one of them.
MAIN_PAGES = [
    Page("login", None, lambda w: "/accounts/login/"),
    Page("password-reset", None, lambda w: "/accounts/password/reset/"),
    Page("invitation", None, lambda w: f"/accounts/invitations/{w['invitation'].token}/"),
    Page("dashboard", "admin", lambda w: "/"),
    Page("practice", "admin", lambda w: _practice(w)),
    Page("roles", "admin", lambda w: _practice(w, "roles/")),
    Page("role-new", "admin", lambda w: _practice(w, "roles/new/")),
    Page("role-edit", "admin", lambda w: _practice(w, f"roles/{_first_role(w)}/edit/")),
    Page("pathways", "admin", lambda w: _practice(w, "pathways/")),
    Page("pathway", "admin", lambda w: _practice(w, f"pathways/{_first_pathway(w)}/")),
    Page("pathway-new", "admin", lambda w: _practice(w, f"pathways/new/?template=practice:{_first_pathway(w)}")),
    Page("pathway-editor", "admin", lambda w: _practice(w, f"pathways/{_first_pathway(w)}/edit/")),
    Page("model-new", "admin", lambda w: _practice(w, "models/new/")),
    Page("model-import", "admin", lambda w: _practice(w, "models/import/")),
    Page("model-editor", "admin", lambda w: _practice(w, f"models/{w['model_b'].pk}/edit/")),
    Page("model-delete", "admin", lambda w: _practice(w, f"models/{w['model_dearer'].pk}/delete/")),
    Page("model-history", "admin", lambda w: _practice(w, f"models/{w['model_b'].pk}/history/")),
    Page("cohort-import", "admin", lambda w: _practice(w, f"models/{w['model_b'].pk}/cohorts/import/")),
    Page("comparison", "admin", lambda w: _practice(w, f"models/{w['model_cd'].pk}/")),
    Page(
        "side-by-side",
        "admin",
        lambda w: _practice(w, f"scenarios/?m={w['model_b'].pk}&m={w['model_cd'].pk}&m={w['model_dearer'].pk}"),
    ),
    Page("decisions", "admin", lambda w: _practice(w, f"models/{w['model_cd'].pk}/decisions/")),
    Page("decisions-edit", "admin", lambda w: _practice(w, f"models/{w['model_cd'].pk}/decisions/edit/")),
    Page("estimator", "admin", lambda w: _practice(w, "estimator/?list_size=9699")),
    Page("deleted", "admin", lambda w: _practice(w, "deleted/")),
    Page("members", "admin", lambda w: _practice(w, "members/")),
    Page("password-change", "admin", lambda w: "/accounts/password/change/"),
    Page("profiles", "admin", lambda w: f"/practices/{w['ods']}/profiles/"),
    Page("profile-new", "admin", lambda w: f"/practices/{w['ods']}/profiles/new/"),
    Page("profile-import", "admin", lambda w: f"/practices/{w['ods']}/profiles/import/"),
    Page("profile", "admin", lambda w: f"/practices/{w['ods']}/profiles/{w['profile'].pk}/"),
    Page("profile-generate", "admin", lambda w: f"/practices/{w['ods']}/profiles/{w['profile'].pk}/generate/"),
    # Read-only staff: the pages that differ for them (no editing controls).
    Page("practice (read-only)", "staff", lambda w: _practice(w)),
    Page("roles (read-only)", "staff", lambda w: _practice(w, "roles/")),
    Page("pathways (read-only)", "staff", lambda w: _practice(w, "pathways/")),
    Page("comparison (read-only)", "staff", lambda w: _practice(w, f"models/{w['model_b'].pk}/")),
    Page("decisions (read-only)", "staff", lambda w: _practice(w, f"models/{w['model_cd'].pk}/decisions/")),
    # The facilitator: every practice, the roll-up, a new practice, and a new practice's first steps.
    Page("dashboard (facilitator)", "facilitator", lambda w: "/"),
    Page("rollup", "facilitator", lambda w: "/rollup/"),
    Page("practice-new", "facilitator", lambda w: "/new-practice/"),
    Page("empty practice (start here)", "facilitator", lambda w: f"/practices/{w['empty_ods']}/"),
]


def open_as(page, world, user: str | None, path: str):
    if user is not None:
        log_in_as(page, world[user], world["base_url"])
    response = page.goto(path)
    assert response.status == 200, (path, response.status)
    wait_for_charts(page)
    return response


@pytest.fixture
def every_kind_of_user(world):
    """The world, with a read-only member of its practice and a new, empty practice of its facilitator."""
    from practices.models import FacilitatorAssignment, Membership
    from tests.factories import MembershipFactory, PracticeFactory, UserFactory

    staff = MembershipFactory(practice=world["practice"], role=Membership.Role.STAFF, user=UserFactory()).user
    empty = PracticeFactory(name="Hilltop Medical Centre", ods_code="Y05678", list_size=5200)
    FacilitatorAssignment.objects.create(facilitator=world["facilitator"].facilitator, practice=empty)
    return {**world, "staff": staff, "empty_ods": empty.ods_code}


def reflow_problem(page, width: int) -> str:
    """WCAG 1.4.10: the page does not scroll sideways as a whole (wide tables scroll in their own box)."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    return f"the page is {scroll_width} px wide at {width} px (scrolls sideways)" if scroll_width > width else ""


@pytest.mark.parametrize("user", [None, "admin", "staff", "facilitator"], ids=lambda u: u or "logged-out")
def test_every_page_has_no_axe_violation_and_reflows_at_every_width(page, every_kind_of_user, user):
    """axe-core (every rule on by default, every impact) on each page of this kind of user, at 320, 390,
    1366 and 1920 px; and no page scrolls sideways. One browser, one page load per page and width."""
    world = every_kind_of_user
    if user is not None:
        log_in_as(page, world[user], world["base_url"])
    problems = []
    for target in (p for p in MAIN_PAGES if p.user == user):
        path = target.path(world)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(path)
            assert response.status == 200, (path, response.status)
            wait_for_charts(page)
            if width in (390, 1366):
                screenshot(page, f"{target.name}-{width}")
            found = axe_violations(page)
            if wide := reflow_problem(page, width):
                found.append(wide)
            problems += [f"{target.name} at {width} px ({path}): {line}" for line in found]

    assert not problems, "accessibility problems:\n" + "\n".join(problems)


def test_the_rollup_in_pages_passes_axe_and_its_pages_are_reached_by_keyboard(page, every_kind_of_user, monkeypatch):
    """A roll-up of more practices than a page holds (one a page here): its page links, the status
    line and the carried choices pass axe and reflow at phone and desktop widths, and the next page
    is reached from the keyboard."""
    monkeypatch.setattr("reports.views.rollup.PAGE_SIZE", 1)
    world = every_kind_of_user
    log_in_as(page, world["facilitator"], world["base_url"])
    problems = []
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.goto("/rollup/").status == 200
        wait_for_charts(page)
        screenshot(page, f"rollup-pages-{width}")
        found = axe_violations(page) + [p for p in [reflow_problem(page, width)] if p]
        problems += [f"rollup in pages at {width} px: {line}" for line in found]
    assert not problems, "accessibility problems:\n" + "\n".join(problems)

    expect(page.get_by_text("Practices 1 to 1 of 2, by name.", exact=False)).to_be_visible()
    page.get_by_role("link", name="Next page").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/rollup/\?page=2$"))
    expect(page.get_by_role("navigation", name="Pages of the roll-up").locator("[aria-current=page]")).to_have_text(
        "Page 2"
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


@pytest.mark.parametrize("width", [390, 1366, 1920])
@pytest.mark.parametrize("name", CHART_PAGES)
def test_every_chart_has_a_text_alternative_and_does_not_rely_on_colour(page, world, name, width):
    target = next(p for p in MAIN_PAGES if p.name == name)
    page.set_viewport_size({"width": width, "height": 900})
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
        assert_readable_at_this_width(chart, f"{name}: chart {key} at {width} px")


def assert_readable_at_this_width(chart, what: str) -> None:
    """The plot is tall enough to read, and the title is whole: inside the chart, not cut off."""
    plot = (
        chart.locator(".cartesianlayer .bg").first.bounding_box()
        if chart.locator(".cartesianlayer .bg").count()
        else None
    )
    if plot is not None:
        assert plot["height"] >= 150, f"{what}: the plot is {plot['height']:.0f} px tall"
    title = chart.locator(".gtitle")
    if title.count():
        box, frame = title.first.bounding_box(), chart.bounding_box()
        assert box["x"] >= frame["x"] - 1 and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1, (
            f"{what}: the title runs outside the chart"
        )


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
        # In contrast with what is behind it (1.4.11): yellow on the blue header, near-black elsewhere.
        on_header = what in ("navigation link", "log out button")
        assert outline_of(locator)["color"] == ("rgb(255, 191, 71)" if on_header else "rgb(33, 43, 50)"), what
    # The skip link, once focused, is on screen.
    page.goto(f"/practices/{world['ods']}/")
    skip = page.get_by_role("link", name="Skip to main content")
    tab_to(page, skip)
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
