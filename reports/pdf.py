"""The PDF report of a cost model, rendered by WeasyPrint from a Django template.

WeasyPrint reads nothing from the network or the disk except the app's own
static files: every other URL (file://, http(s)://, anything) is refused by
AppStaticFetcher. Charts are grey-scale images drawn by reports/pdf_charts.py;
the fonts are the system's (fonts-dejavu-core, installed by the project's set-up).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from costing import engine
from costing.decisions.settings import DecisionResults, DecisionSettings, analyse
from reports import pdf_charts

logger = logging.getLogger(__name__)

# The origin under which the report's template names the app's static files.
STATIC_ORIGIN = "https://app-static.invalid/"
# Where, under that origin, the report names its own chart images (never a static file).
CHARTS_PATH = "report-charts/"


class RefusedURL(ValueError):
    pass


class AppStaticFetcher(URLFetcher):
    """Serves the app's own static files, the report's chart images and data: URIs; refuses everything else.

    ``images``: the report's chart images (PNG) by their path under CHARTS_PATH,
    served from memory (as URLs they spare the HTML parser a base64 text each).
    """

    def __init__(self, images: Mapping[str, bytes] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.images = dict(images or {})

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_ORIGIN):
            relative = url[len(STATIC_ORIGIN) :].split("?")[0]
            if relative in self.images:
                return URLFetcherResponse(url, body=self.images[relative], headers={"Content-Type": "image/png"})
            if ".." not in Path(relative).parts:
                found = finders.find(relative)
                if found:
                    body = Path(found).read_bytes()
                    mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
        logger.warning("PDF report: refused to fetch %s", url[:200])
        raise RefusedURL(f"the report may not load {url[:200]}")


@dataclass(frozen=True)
class ReportSubject:
    """Who and what the report is about (no database needed)."""

    model_name: str
    practice_name: str = ""
    ods_code: str = ""
    list_size: int | None = None
    description: str = ""


def _chart(images: dict[str, bytes], name: str, png: bytes) -> str:
    """Keep a chart image for AppStaticFetcher; its URL for the template."""
    path = f"{CHARTS_PATH}{name}.png"
    images[path] = png
    return STATIC_ORIGIN + path


def decisions_context(results: DecisionResults, images: dict[str, bytes]) -> dict:
    """The report's decision support section: the analysis and its black-and-white charts (kept in ``images``)."""
    sim = results.simulation
    charts = {"capacity": None, "tornado": None, "histogram": None}
    if results.capacity.roles:
        charts["capacity"] = _chart(images, "capacity", pdf_charts.capacity_freed(results.capacity))
    if results.tornado:
        charts["tornado"] = _chart(images, "tornado", pdf_charts.tornado(results.tornado, results.comparison.saving))
    if results.histogram:
        histogram = pdf_charts.saving_histogram(results.histogram, p5=sim.p5, median=sim.median, p95=sim.p95)
        charts["histogram"] = _chart(images, "histogram", histogram)
    return {"r": results, "s": results.settings, "sim": sim, "charts": charts}


def report_context(
    model: engine.CostModel,
    comparison: engine.Comparison,
    subject: ReportSubject,
    decisions: DecisionSettings | None = None,
) -> dict:
    """Everything the report shows; ``decisions``: the model's decision inputs (default: the defaults).

    ``chart_images``: the chart images the template names, for AppStaticFetcher.
    """
    images: dict[str, bytes] = {}
    staff = [
        {
            "name": role.name,
            "before_minutes": comparison.before.staff_minutes[role.key],
            "after_minutes": comparison.after.staff_minutes[role.key],
            "before_cost": comparison.before.staff_cost[role.key],
            "after_cost": comparison.after.staff_cost[role.key],
            "before_fte": engine.hours_to_fte(comparison.before.staff_minutes[role.key], comparison.period),
            "after_fte": engine.hours_to_fte(comparison.after.staff_minutes[role.key], comparison.period),
        }
        for role in comparison.roles
    ]
    extras = sorted({s.extra_cost for p in model.pathways for s in p.stages if s.extra_cost})
    used = {c.pathway for c in comparison.before.cohorts} | {c.pathway for c in comparison.after.cohorts}
    factor = comparison.periods_per_year
    return {
        "subject": subject,
        "c": comparison,
        "roles": comparison.roles,
        "staff": staff,
        "steps": [
            {"label": s.label, "before": comparison.before.cost_by_step[s], "after": comparison.after.cost_by_step[s]}
            for s in engine.Step
            if comparison.before.cost_by_step[s] or comparison.after.cost_by_step[s]
        ],
        "extra_costs": [
            {"amount": amount, "uses": sum(1 for p in model.pathways for s in p.stages if s.extra_cost == amount)}
            for amount in extras
        ],
        "pathways": [p for key, p in comparison.pathways.items() if key in used],
        "role_names": {r.key: r.name for r in comparison.roles},
        "annual": None
        if factor in (None, 1)
        else {
            "before": comparison.before.cost * factor,
            "after": comparison.after.cost * factor,
            "saving": comparison.saving * factor,
        },
        "charts": {name: _chart(images, name, png) for name, png in pdf_charts.all_charts(comparison).items()},
        "generated": timezone.localtime() if timezone.is_aware(timezone.now()) else date.today(),
        "static_origin": STATIC_ORIGIN,
        "decisions": decisions_context(analyse(model, comparison, decisions or DecisionSettings()), images),
        "chart_images": images,
    }


def render_pdf(model: engine.CostModel, subject: ReportSubject, decisions: DecisionSettings | None = None) -> bytes:
    """The report as PDF bytes; ``decisions``: the model's decision inputs (default: the defaults)."""
    comparison = engine.compare(model)
    context = report_context(model, comparison, subject, decisions)
    html = render_to_string("reports/model_report.html", context)
    fetcher = AppStaticFetcher(images=context["chart_images"])
    return HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher).write_pdf()
