"""The PDF report of a cost model, rendered by WeasyPrint from a Django template.

WeasyPrint reads nothing from the network or the disk except the app's own
static files: every other URL (file://, http(s)://, anything) is refused by
AppStaticFetcher (reports/pdf_writer.py). Page 1 is the one-page summary
(reports/summary.py), the rest an appendix; the summary is also a download of its
own. Charts are vector SVG drawn by matplotlib (reports/pdf_charts.py), each
with alternative text of its figures; the PDF is tagged PDF/UA-1. The fonts are
the system's (fonts-dejavu-core, installed by the project's set-up).

WeasyPrint is imported only when a PDF is made (``load_pdf_writer``): it needs Pango
and HarfBuzz, and a server without them must still serve every other page.
"""

from __future__ import annotations

import gc
import importlib
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import ModuleType

from django.template.loader import render_to_string
from django.utils import timezone

from costing import engine, presenter
from costing.decisions.settings import DecisionResults, DecisionSettings, analyse
from pathways import selectors
from reports import pdf_charts, summary

logger = logging.getLogger(__name__)

# The origin under which the report's template names the app's static files.
STATIC_ORIGIN = "https://app-static.invalid/"
# Where, under that origin, the report names its own chart images (never a static file).
CHARTS_PATH = "report-charts/"


# What a person asking for a PDF is told when WeasyPrint cannot load here.
PDF_UNAVAILABLE = (
    "PDF reports are unavailable on this server: WeasyPrint, which draws them, cannot load its system "
    "libraries. Whoever runs the server can install them (on Debian or Ubuntu: apt-get install "
    "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0) and restart it. Every other page and download works."
)


class RefusedURL(ValueError):
    pass


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot be imported on this server; the message says what to install."""


def _import_writer() -> ModuleType:
    return importlib.import_module("reports.pdf_writer")


def load_pdf_writer() -> ModuleType:
    """reports.pdf_writer, the one module that imports WeasyPrint; PdfUnavailable if it cannot load.

    WeasyPrint loads Pango and HarfBuzz when imported (OSError when they are missing).
    """
    try:
        return _import_writer()
    except (ImportError, OSError) as error:
        logger.error("PDF reports are unavailable: WeasyPrint cannot be imported (%s)", error)
        raise PdfUnavailable(PDF_UNAVAILABLE) from error


@dataclass(frozen=True)
class ReportSubject:
    """Who and what the report is about (no database needed)."""

    model_name: str
    practice_name: str = ""
    ods_code: str = ""
    list_size: int | None = None
    description: str = ""

    @classmethod
    def of(cls, cost_model) -> ReportSubject:
        """A stored model's report subject: its name and description, its practice's name, code and list."""
        practice = cost_model.practice
        return cls(
            model_name=cost_model.name,
            practice_name=practice.name,
            ods_code=practice.ods_code,
            list_size=practice.list_size,
            description=cost_model.description,
        )


# The most stages the appendix lists one by one, a row each (about 14 pages; example C/D has 128). A model
# with more (up to 600, costing/limits.py) gets a row a pathway instead, every stage being in its workbook:
# a row a stage was 43 of the 76 pages at the limits, and most of the report's time.
MAX_STAGE_ROWS = 300


@dataclass(frozen=True)
class PathwayLine:
    """A pathway in one row, for a model with too many stages to list (per review, as its stage rows say)."""

    name: str
    stages: int
    staff_minutes: Decimal
    extra_cost: Decimal
    visits: int
    contact_minutes: Decimal
    cost_per_patient: Decimal

    @classmethod
    def of(cls, pathway: engine.PathwayResult) -> PathwayLine:
        return cls(
            name=pathway.name,
            stages=len(pathway.stages),
            staff_minutes=sum((s.minutes for s in pathway.stages if s.role is not None), Decimal(0)),
            extra_cost=sum((s.extra_cost for s in pathway.stages), Decimal(0)),
            visits=pathway.visits,
            contact_minutes=pathway.contact_minutes,
            cost_per_patient=pathway.cost_per_patient,
        )


@dataclass(frozen=True)
class ChartImage:
    """A chart as the template names it: its URL (served from memory by AppStaticFetcher) and its alternative text."""

    url: str
    alt: str


def _chart(images: dict[str, bytes], name: str, chart: pdf_charts.Chart) -> ChartImage:
    """Keep a chart's SVG for AppStaticFetcher; its URL and alternative text for the template."""
    path = f"{CHARTS_PATH}{name}.svg"
    images[path] = chart.svg
    return ChartImage(STATIC_ORIGIN + path, chart.alt)


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
    *,
    summary_only: bool = False,
) -> dict:
    """Everything the report shows; ``decisions``: the model's decision inputs (default: the defaults).

    ``summary_only``: page 1 alone (no appendix, so no decision analysis).
    ``chart_images``: the chart drawings the template names, for AppStaticFetcher.
    """
    images: dict[str, bytes] = {}
    presentation = presenter.present(model, comparison)
    if summary_only:
        charts = {"steps": _chart(images, "steps", pdf_charts.cost_by_step(comparison))}
        decision_section = None
    else:
        charts = {name: _chart(images, name, chart) for name, chart in pdf_charts.all_charts(comparison).items()}
        decision_section = decisions_context(analyse(model, comparison, decisions or DecisionSettings()), images)
    stage_count = sum(len(p.stages) for p in presentation.pathways)
    return {
        **presentation.context(),
        "summary": summary.summarise(presentation),
        "summary_only": summary_only,
        "subject": subject,
        "roles": comparison.roles,
        "charts": charts,
        "generated": timezone.localtime() if timezone.is_aware(timezone.now()) else date.today(),
        "static_origin": STATIC_ORIGIN,
        "decisions": decision_section,
        "chart_images": images,
        "stage_count": stage_count,
        "max_stage_rows": MAX_STAGE_ROWS,
        # None: every stage has its row
        "pathway_lines": None if stage_count <= MAX_STAGE_ROWS else [PathwayLine.of(p) for p in presentation.pathways],
    }


def render_pdf(
    model: engine.CostModel,
    subject: ReportSubject,
    decisions: DecisionSettings | None = None,
    *,
    summary_only: bool = False,
) -> bytes:
    """The report as PDF bytes: page 1 the summary, then the appendix; ``summary_only``: page 1 alone.

    ``decisions``: the model's decision inputs (default: the defaults). PdfUnavailable
    (before any work) when WeasyPrint cannot load on this server.
    """
    writer = load_pdf_writer()
    # A report is hundreds of thousands of objects, WeasyPrint's boxes among them: with the cycle
    # collector running, its full passes walked everything the process holds again and again (a
    # quarter of a report's time). It is paused while the report is made and run once after, which
    # frees the report's cycles as before: a process's peak memory is the same.
    with selectors.cycle_collector_paused():
        comparison = engine.compare(model)
        context = report_context(model, comparison, subject, decisions, summary_only=summary_only)
        html = render_to_string("reports/model_report.html", context)
        content = writer.write_pdf(html, images=context["chart_images"])
    gc.collect()
    return content


def render_summary_pdf(model: engine.CostModel, subject: ReportSubject) -> bytes:
    """The one-page summary on its own (page 1 of render_pdf)."""
    return render_pdf(model, subject, summary_only=True)
