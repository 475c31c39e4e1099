"""The PDF report: a real PDF holding the model's figures, built from nothing but the app."""

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from pathways.services import cost_model_import
from practices.models import Membership
from reports.pdf import RefusedURL, ReportSubject, render_pdf
from reports.pdf_writer import AppStaticFetcher
from tests.factories import MembershipFactory, PracticeFactory

ROOT = Path(__file__).resolve().parents[2]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_report_for_example_cd_holds_the_totals(example_cd):
    pdf = render_pdf(example_cd, ReportSubject(model_name=example_cd.name, practice_name="Demo practice"))

    text = _text(pdf)
    assert pdf.startswith(b"%PDF")
    assert "£2,785.50" in text
    assert "£2,108.47" in text
    assert "£677.03 (24.3%)" in text
    assert "Reconciliation with the printed source" in text
    assert "Assumptions" in text


def test_report_escapes_html_in_names(example_b):
    pdf = render_pdf(example_b, ReportSubject(model_name="<b>Bold</b> & co", practice_name="<script>x</script>"))

    text = _text(pdf)
    assert "<b>Bold</b> & co" in text
    assert "<script>x</script>" in text


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "https://example.com/x.css", "http://127.0.0.1:8000/", "ftp://x/y"],
)
def test_report_fetcher_refuses_files_and_the_network(url):
    with pytest.raises(RefusedURL):
        AppStaticFetcher().fetch(url)


def test_report_fetcher_refuses_path_traversal_in_static():
    with pytest.raises(RefusedURL):
        AppStaticFetcher().fetch("https://app-static.invalid/../../config/settings.py")


def test_report_fetcher_serves_the_apps_stylesheet():
    response = AppStaticFetcher().fetch("https://app-static.invalid/reports/report.css")

    assert b"@page" in response.read()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "one_page"), [("report.pdf", False), ("summary.pdf", True)])
def test_pdf_download_by_practice_staff(client, example_cd, name, one_page):
    practice = PracticeFactory(ods_code="C83001", name="Riverside Surgery")
    model = cost_model_import(practice=practice, model=example_cd, by=None)
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.STAFF).user)

    response = client.get(f"/practices/C83001/models/{model.pk}/{name}")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('-summary.pdf"') == one_page
    assert (len(PdfReader(io.BytesIO(response.content)).pages) == 1) == one_page
    text = _text(response.content)
    assert "Riverside Surgery" in text
    assert "£2,785.50" in text


def _render_report_without_a_database(tmp_path, out: Path) -> None:
    """manage.py render_report on example B in a fresh process whose database cannot exist."""
    result = subprocess.run(
        [sys.executable, "manage.py", "render_report", str(ROOT / "costing/fixtures/example_b.json"), "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'none' / 'db.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr


def test_render_report_command_needs_no_database(tmp_path):
    out = tmp_path / "b.pdf"

    _render_report_without_a_database(tmp_path, out)

    text = " ".join(_text(out.read_bytes()).split())
    assert "£31.39" in text
    assert "1 person: 3 reviews → 1" in text


# Run in a fresh interpreter where importing WeasyPrint fails as it does without Pango;
# prints what was imported, as JSON.
WITHOUT_WEASYPRINT = """
import json, os, sys

attempts = []


class NoPango:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "weasyprint":
            attempts.append(name)
            raise OSError("cannot load library 'libpango-1.0-0'")


sys.meta_path.insert(0, NoPango())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django

django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import resolve

setup_test_environment()
resolve("/practices/A81001/models/1/report.pdf")
page = Client().get("/accounts/login/")
result = {"page": page.status_code, "attempts_before_pdf": list(attempts), "loaded": "weasyprint" in sys.modules}
from reports import pdf

try:
    pdf.load_pdf_writer()
except pdf.PdfUnavailable as unavailable:
    result["unavailable"] = str(unavailable)
result["attempts"] = attempts
print(json.dumps(result))
"""


def test_pages_serve_where_weasyprint_cannot_load(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_WEASYPRINT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'none' / 'db.sqlite3'}"},
    )

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["page"] == 200
    assert seen["attempts_before_pdf"] == [] and not seen["loaded"]
    assert seen["attempts"] == ["weasyprint"]
    assert "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" in seen["unavailable"]


@pytest.mark.django_db
def test_pdf_download_where_weasyprint_cannot_load_says_what_to_install(client, example_cd, no_weasyprint, caplog):
    practice = PracticeFactory(ods_code="C83001")
    model = cost_model_import(practice=practice, model=example_cd, by=None)
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.STAFF).user)

    response = client.get(f"/practices/C83001/models/{model.pk}/report.pdf")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "PDF reports are unavailable on this server" in page
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" in page
    assert model.get_absolute_url() in page
    assert "WeasyPrint cannot be imported (cannot load library 'libpango-1.0-0'" in caplog.text


def test_render_report_command_where_weasyprint_cannot_load_says_what_to_install(tmp_path, no_weasyprint):
    out = tmp_path / "b.pdf"

    with pytest.raises(CommandError, match="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"):
        call_command("render_report", str(ROOT / "costing/fixtures/example_b.json"), "-o", str(out))

    assert not out.exists()


def test_report_cohort_tables_show_times_people_and_reviews(example_b_copd_twice):
    pdf = render_pdf(example_b_copd_twice, ReportSubject(model_name="COPD twice", practice_name="Demo practice"))

    text = " ".join(_text(pdf).split())
    assert "£40.47 for 1 person, 4 reviews" in text and "£10.12 a review" in text
    assert "People Times Reviews Per review Per person Cost Visits Contact min" in text
    assert "Patients" not in text


def test_report_cohort_tables_leave_out_times_when_every_cohort_is_once_a_period(example_cd):
    pdf = render_pdf(example_cd, ReportSubject(model_name=example_cd.name, practice_name="Demo practice"))

    text = " ".join(_text(pdf).split())
    assert "£2,785.50 for 194 people, 194 reviews" in text
    assert "People Reviews Per review Cost Visits Contact min" in text


# ------------------------------------------------------------------ page 1, the appendix, accessibility


def _struct_elements(node, found):
    """Every structure element under ``node`` (a pypdf dictionary), in reading order."""
    node = node.get_object()
    kids = node.get("/K")
    if kids is None:
        return found
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if hasattr(kid, "get") and kid.get("/Type") == "/StructElem":
            found.append(kid)
            _struct_elements(kid, found)
    return found


def test_report_page_one_is_the_summary_and_the_rest_an_appendix(example_cd):
    pdf = render_pdf(example_cd, ReportSubject(model_name=example_cd.name, practice_name="Demo practice"))

    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    first = pages[0]
    assert "£2,785.50 → £2,108.47" in first and "Saving £677.03 (24.3%)" in first
    assert "a saving of £677.03 (24.3%), £8,124.36 a year." in first
    assert "Reviews go from 194 to 136 reviews; visits go from 276 to 245" in first
    assert "Staff time goes from 123.4 to 108.6 hours a month: it frees 45.4 hours of Practice nurse (band 6)" in first
    assert "Staff hours by role" in first and "All staff 123.4 108.6 14.8" in first
    assert "Appendix" not in first
    assert pages[1].startswith("Appendix: the figures in full")
    text = " ".join(pages)
    assert "Seed" not in text and "Draws" not in text


def test_summary_pdf_is_page_one_alone(example_cd):
    from reports.pdf import render_summary_pdf

    pdf = render_summary_pdf(example_cd, ReportSubject(model_name=example_cd.name))

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert "£2,785.50 → £2,108.47" in " ".join(reader.pages[0].extract_text().split())
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_report_is_tagged_pdf_ua_with_alt_text_stating_each_charts_figures(example_cd):
    pdf = render_pdf(example_cd, ReportSubject(model_name=example_cd.name, practice_name="Demo practice"))

    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == f"{example_cd.name}: Demo practice"
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    elements = _struct_elements(root["/StructTreeRoot"], [])
    kinds = [e["/S"] for e in elements]
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert len(figures) == 6  # page 1's, 3 in the appendix, tornado, capacity (a histogram only with uncertainty)
    assert all(str(f.get("/Alt", "")).strip() for f in figures)
    alts = [str(f["/Alt"]) for f in figures]
    assert "Recall and invitation: £419.04 before, £293.76 after" in alts[0]
    assert any("Practice nurse (band 6): 45.4 hours before, 0.0 hours after" in alt for alt in alts)
    assert kinds.count("/TH") > 50 and "/Table" in kinds and "/H1" in kinds
    headers = [e for e in elements if e["/S"] == "/TD" and e.get("/A") and e["/A"].get("/Headers")]
    assert headers, "data cells name their header cells"


def test_report_running_header_and_footer_are_artefacts(example_b):
    from pypdf.generic import ContentStream

    pdf = render_pdf(example_b, ReportSubject(model_name=example_b.name))

    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        operations = ContentStream(page.get_contents(), reader).operations
        stack, artefact_text = [], 0
        for operands, operator in operations:
            if operator in (b"BMC", b"BDC"):
                stack.append(operands[0])
            elif operator == b"EMC":
                stack.pop()
            elif operator == b"BT" and stack and stack[-1] == "/Artifact":
                artefact_text += 1
        assert artefact_text >= 2, "the footer's title and page number are artefacts"


def test_report_says_person_for_one(example_b):
    text = " ".join(_text(render_pdf(example_b, ReportSubject(model_name="B"))).split())

    assert "1 patients" not in text and "1 people" not in text
    assert "1 person: 3 reviews → 1" in text


def test_render_report_command_writes_the_workbook_with_no_database(tmp_path):
    out = tmp_path / "b.xlsx"

    _render_report_without_a_database(tmp_path, out)

    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["Summary", "Staff"]
    assert wb["Summary"]["A4"].value == "Cost before" and wb["Summary"]["B4"].data_type == "f"


def test_render_report_command_refuses_other_extensions(tmp_path):
    with pytest.raises(CommandError, match=r"name a \.pdf or \.xlsx file"):
        call_command("render_report", str(ROOT / "costing/fixtures/example_b.json"), "-o", str(tmp_path / "b.docx"))


def _report_html(model) -> str:
    from django.template.loader import render_to_string

    from costing import engine
    from reports.pdf import report_context

    context = report_context(model, engine.compare(model), ReportSubject(model_name=model.name))
    return " ".join(render_to_string("reports/model_report.html", context).split())


def test_report_lists_every_stage_of_a_model_of_a_practices_size(example_cd):
    html = _report_html(example_cd)

    assert "Stages of each pathway (per review)" in html and "Pathways (per review)" not in html
    assert html.count('<tr class="pathway">') == len({c.pathway for c in (*example_cd.before, *example_cd.after)})


def test_report_of_a_model_with_more_stages_than_it_lists_has_a_row_a_pathway(example_cd, monkeypatch):
    """At the limits (600 stages) a row a stage was 43 of the report's 76 pages and most of its time."""
    from costing import engine
    from reports import pdf

    monkeypatch.setattr(pdf, "MAX_STAGE_ROWS", 100)
    comparison = engine.compare(example_cd)
    shown = [comparison.pathways[key] for key in {c.pathway for c in (*example_cd.before, *example_cd.after)}]
    stages = sum(len(p.stages) for p in shown)

    html = _report_html(example_cd)

    assert "Stages of each pathway" not in html and '<tr class="pathway">' not in html
    assert f"This model has {stages} stages, more than the 100 this report lists one by one" in html
    assert "is in the model's workbook (the .xlsx download, sheet Stages)" in html
    for p in shown:
        staff = sum(s.minutes for s in p.stages if s.role is not None)
        assert f'<td class="num">{len(p.stages)}</td><td class="num">{engine.normalise_minutes(staff)}</td>' in html
        assert f"£{p.cost_per_patient:,}</td></tr>" in html


def test_a_report_leaves_the_cycle_collector_running_even_when_it_fails(example_b, monkeypatch):
    import gc

    render_pdf(example_b, ReportSubject(model_name="B"))
    assert gc.isenabled()

    def broken(*args, **kwargs):
        raise RuntimeError("the writer failed")

    monkeypatch.setattr("reports.pdf.render_to_string", broken)
    with pytest.raises(RuntimeError):
        render_pdf(example_b, ReportSubject(model_name="B"))
    assert gc.isenabled()


@pytest.mark.parametrize(
    "start",
    [
        "from reports import batch_worker; batch_worker.setup()",  # a pool's process
        "import django; django.setup(); from celery.signals import worker_process_init; "
        "import reports.tasks; worker_process_init.send(sender=None)",  # a Celery worker's
    ],
    ids=["pool", "celery"],
)
def test_a_process_that_renders_reports_loads_the_writer_and_freezes_what_it_loaded(start):
    """In a process of its own: freezing is for the life of the process."""
    code = f"{start}; import gc, sys; print(gc.get_freeze_count() > 10000, 'reports.pdf_writer' in sys.modules)"
    env = {**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)

    assert out.stdout.split() == ["True", "True"]


def test_the_footer_names_the_model_cut_short_so_it_never_runs_into_the_page_number(example_b):
    name = "Diabetes review " + "with a very long name " * 9  # 214 characters
    pdf = render_pdf(example_b, ReportSubject(model_name=name.strip()))

    last = PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    assert name[:80] in last and "…" in last
    assert name.strip() not in last.replace("\n", " ")
    short = render_pdf(example_b, ReportSubject(model_name="Worked example B"))
    assert "Worked example B" in PdfReader(io.BytesIO(short)).pages[-1].extract_text()


def test_large_figures_have_thousands_separators_in_the_report(example_b):
    """A practice's thousands of patients read as 1,200, not 1200, as money already did."""
    from dataclasses import replace

    big = replace(
        example_b,
        before=tuple(replace(c, patients=1200) for c in example_b.before),
        after=tuple(replace(c, patients=1200) for c in example_b.after),
    )
    text = _text(render_pdf(big, ReportSubject(model_name="Big")))

    assert "1,200" in text
    assert not re.search(r"(?<![\d,.£])\d{5,}(?![\d,])", text.replace("Z90000", "")), "a figure without separators"


def test_an_extra_cost_is_stated_as_an_amount_not_a_negative_one(example_b):
    from dataclasses import replace

    dearer = replace(example_b, before=example_b.after, after=example_b.before)  # £13.67 a patient more
    text = " ".join(_text(render_pdf(dearer, ReportSubject(model_name="Dearer"))).split())

    assert "As modelled, an extra cost of £13.67 per patient." in text
    assert "extra cost of −" not in text
