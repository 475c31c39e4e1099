"""Every chart figure the pages send is valid for plotly.js, by plotly's own schema.

The pages send plain dicts (costing/charts.py, costing/decisions/charts.py) that
static/js/charts.js hands to Plotly.react. plotly.js ignores a property it does
not know, so a misspelt one just draws a different chart; plotly.py's
``graph_objects.Figure`` checks every property and value against the schema of
plotly.js and raises instead. The figures are read back from the pages of the
demo practice (the seed's worked examples B and C/D, C/D with stated uncertainty
and set-up costs), so every chart a user sees is checked as sent.

plotly.py stays a test dependency: building Figure objects on each request would
add plotly's validators (about 0.1 s to import, more on the first figure) to
every worker for nothing the browser needs. Its schema is that of plotly.js
4.1.1; the app serves 4.1.0 (static/vendor), the same minor version.
"""

import io
import json
import re

import plotly.graph_objects as go
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from pathways.models import CostModel

pytestmark = pytest.mark.django_db

# The trace types of the plotly.js finance bundle the pages load (static/vendor/plotly-finance-4.1.0/SOURCE.md).
BUNDLE_TRACES = {
    "bar",
    "candlestick",
    "funnel",
    "funnelarea",
    "histogram",
    "indicator",
    "ohlc",
    "pie",
    "scatter",
    "waterfall",
}
CHART = re.compile(r'data-chart="([\w-]+)"')
DATA = re.compile(r'<script id="([\w-]+)-data" type="application/json">(.*?)</script>', re.DOTALL)


@pytest.fixture
def demo(client):
    call_command("setup_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(username="facilitator"))
    return client


def _models(name: str) -> list[CostModel]:
    return list(CostModel.objects.filter(practice__ods_code="Y00001", name=name))


def _figures(response) -> dict[str, dict]:
    """The figure of every chart the page draws, as sent; a chart without its figure fails."""
    assert response.status_code == 200
    html = response.content.decode()
    figures = {name: json.loads(text) for name, text in DATA.findall(html)}
    drawn = set(CHART.findall(html))
    assert drawn and drawn == set(figures)
    return figures


def _assert_valid(figures: dict[str, dict]) -> None:
    for name, figure in figures.items():
        go.Figure(figure)  # raises ValueError naming the first invalid property or value
        assert {trace["type"] for trace in figure["data"]} <= BUNDLE_TRACES, name


def test_validation_catches_a_misspelt_property():
    with pytest.raises(ValueError, match="colour"):
        go.Figure({"data": [{"type": "bar", "marker": {"colour": "#005eb8"}}]})


def test_comparison_page_charts_are_valid_plotly_figures(demo):
    for cost_model in CostModel.objects.filter(practice__ods_code="Y00001"):
        figures = _figures(demo.get(cost_model.get_absolute_url()))

        assert set(figures) == {"chart-steps", "chart-staff", "chart-cohorts", "chart-waterfall"}
        _assert_valid(figures)


def test_whatif_response_charts_are_valid_plotly_figures(demo):
    cost_model = CostModel.objects.filter(practice__ods_code="Y00001").first()
    form = demo.get(cost_model.get_absolute_url()).context["form"]
    data = {name: "" if form[name].value() is None else str(form[name].value()) for name in form.fields}
    url = reverse("model_whatif", args=["Y00001", cost_model.pk])

    figures = _figures(demo.post(url, data, HTTP_HX_REQUEST="true"))

    assert set(figures) == {"chart-steps", "chart-staff", "chart-cohorts", "chart-waterfall"}
    _assert_valid(figures)


def test_scenario_comparison_chart_is_a_valid_plotly_figure(demo):
    chosen = CostModel.objects.filter(practice__ods_code="Y00001").values_list("pk", flat=True)

    figures = _figures(demo.get(reverse("scenario_compare", args=["Y00001"]), {"m": list(chosen)}))

    assert set(figures) == {"chart-scenarios"}
    _assert_valid(figures)


def test_decisions_page_charts_are_valid_plotly_figures(demo):
    expected = {"chart-tornado", "chart-capacity"}
    for cost_model in CostModel.objects.filter(practice__ods_code="Y00001"):
        url = reverse("model_decisions", args=["Y00001", cost_model.pk])
        figures = _figures(demo.get(url))

        # C/D states an uncertainty, so its page has the Monte Carlo histogram too.
        uncertain = hasattr(cost_model, "decision_inputs")
        assert set(figures) == (expected | {"chart-montecarlo"} if uncertain else expected)
        _assert_valid(figures)


def test_rollup_chart_is_a_valid_plotly_figure(demo):
    figures = _figures(demo.get(reverse("rollup")))

    assert set(figures) == {"chart-rollup"}
    _assert_valid(figures)


def test_demo_example_b_is_one_group_reviewed_three_times_then_once(demo):
    (model,) = _models("Worked example B: diabetes + CHD + COPD, one person")

    response = demo.get(model.get_absolute_url())

    assert model.groups.count() == 1
    assert set(model.cohorts.values_list("group__key", flat=True)) == {"dm-chd-copd"}
    assert '<div data-testid="headline-counts">1 person: 3 reviews → 1</div>' in response.content.decode()
