"""The what-if panel over htmx: the results and charts change in place, and each chart is drawn once."""

from __future__ import annotations

import re

import pytest

from tests.functional.support import Traffic, log_in_as, skip_without_browser, wait_for_charts, wait_until

skip_without_browser()

from playwright.sync_api import expect  # noqa: E402

from pathways.models import CostModel  # noqa: E402

pytestmark = pytest.mark.functional

# Counts the page's calls of Plotly.react (static/js/charts.js draws every chart with it).
COUNT_DRAWS = """() => {
  window.__draws = [];
  const react = Plotly.react;
  Plotly.react = function (el) { window.__draws.push(el.dataset.chart); return react.apply(this, arguments); };
}"""


def test_what_if_redraws_each_chart_once_per_update_in_place(page, world):
    log_in_as(page, world["admin"], world["base_url"])
    url = f"/practices/{world['ods']}/models/{world['model_b'].pk}/"
    page.goto(url)
    wait_for_charts(page)
    charts = sorted(page.locator(".chart").evaluate_all("els => els.map(el => el.dataset.chart)"))
    page.evaluate(COUNT_DRAWS)
    page.evaluate("window.__sameDocument = true")

    page.get_by_label("Practice nurse: cost per hour (£)").fill("30.00")

    expect(page.get_by_test_id("headline-cost")).to_have_text("£42.79 → £23.42", timeout=60_000)
    assert page.evaluate("window.__sameDocument") is True and page.url.endswith(url)
    draws = page.evaluate("window.__draws")
    # static/js/charts.js draws on every htmx:afterSwap, and the response swaps each field's error
    # placeholder out of band: the four charts were drawn dozens of times, freezing the page for seconds.
    assert sorted(draws) == charts, (
        f"one what-if update drew the charts {len(draws)} times, not once each ({len(charts)}): {draws[:12]}…"
    )


def test_what_if_scenario_saved_while_results_load_is_saved_once(page, world):
    """Name the scenario and Tab to "Save as scenario" while the panel's results are still loading.

    htmx queues the panel's next request behind the one in flight and sends it when that one is
    answered, to the formaction of the submit button that has the focus by then: "Save as scenario".
    So the scenario is saved by htmx (the scenario's whole page lands in the results), then by Enter.
    The test holds the first results request until the focus is on the button (a slow answer).
    """
    name = "Practice nurse at £30 an hour"
    log_in_as(page, world["admin"], world["base_url"])
    page.goto(f"/practices/{world['ods']}/models/{world['model_b'].pk}/")
    wait_for_charts(page)
    traffic = Traffic(page)
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/what-if/$"), hold_the_first)

    page.get_by_label("Practice nurse: cost per hour (£)").fill("30.00")
    page.get_by_label("Scenario name").fill(name)  # leaving the rate asks for the results at once
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save as scenario")).to_be_focused()
    wait_until(lambda: page.wait_for_timeout(50) or held, message="the panel's request for results")
    held[0].continue_()
    traffic.settle()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(name, timeout=60_000)
    traffic.settle()
    saved = CostModel.objects.filter(practice=world["practice"], name=name)
    assert saved.count() == 1, f"one Save as scenario saved {saved.count()} scenarios"
