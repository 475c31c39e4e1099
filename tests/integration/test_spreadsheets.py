"""Spreadsheets out (XLSX, CSV) and cohorts in (CSV, XLSX): numbers as numbers, all or nothing."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from pathways import selectors
from pathways.models import Cohort, CostModel
from pathways.services import cost_model_import
from practices.models import Membership
from reports import sheet_format, spreadsheets
from tests.factories import MembershipFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="D84001")


@pytest.fixture
def model_cd(practice, example_cd):
    return cost_model_import(practice=practice, model=example_cd, by=None)


@pytest.fixture
def admin_client(client, practice):
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user)
    return client


def _upload(client, model, name: str, body: bytes, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("cohort_import", args=[model.practice.ods_code, model.pk]),
        {"file": SimpleUploadedFile(name, body), **fields},
    )


def test_xlsx_export_is_live_with_formulas_and_pound_format(admin_client, model_cd):
    response = admin_client.get(reverse("model_xlsx", args=["D84001", model_cd.pk]))

    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "Summary"
    summary = {row[0].value: row[1] for row in wb["Summary"].iter_rows(min_row=2) if row[0].value}
    for label in ("Cost before", "Cost after", "Saving", "Saving %", "People before", "Reviews after"):
        assert summary[label].data_type == "f", label
    assert summary["Cost before"].number_format == sheet_format.MONEY_FORMAT
    assert summary["Saving %"].number_format == sheet_format.PERCENT_FORMAT
    stages = wb["Stages"]
    header = [c.value for c in stages[1]]
    assert "Minutes" in header
    assert isinstance(stages.cell(row=2, column=header.index("Minutes") + 1).value, (int, float))
    assert stages.cell(row=2, column=header.index("Cost (£)") + 1).data_type == "f"
    roles = wb["Roles"]
    assert roles.cell(row=2, column=[c.value for c in roles[1]].index("Rate per hour (£)") + 1).data_type == "f"
    assert [c.value for c in wb["Staff"]["A"]][-2:] == ["Postage and other extra costs", "Total"]
    assert wb["Staff"].page_setup.fitToWidth == 1


def test_xlsx_export_shows_people_apart_from_reviews_and_times_per_cohort(admin_client, practice, example_b_copd_twice):
    model = cost_model_import(practice=practice, model=example_b_copd_twice, by=None)

    wb = load_workbook(io.BytesIO(admin_client.get(reverse("model_xlsx", args=["D84001", model.pk])).content))

    groups = list(wb["Groups"].iter_rows(min_row=2, values_only=True))
    assert [(g[0], g[2]) for g in groups] == [("dm-chd-copd", 1)]
    header = [c.value for c in wb["Cohorts"][1]]
    rows = [dict(zip(header, r, strict=True)) for r in wb["Cohorts"].iter_rows(min_row=2, values_only=True)]
    copd = next(r for r in rows if r["Label"] == "COPD")
    assert copd["Times"] == 2 and copd["Group"] == "dm-chd-copd"
    assert copd["Patients"].startswith("=INDEX('Groups'!")


def test_xlsx_export_then_import_gives_the_same_figures(admin_client, practice, model_cd):
    exported = admin_client.get(reverse("model_xlsx", args=["D84001", model_cd.pk])).content
    wb = load_workbook(io.BytesIO(exported))
    cohorts_sheet = Workbook()
    target = cohorts_sheet.active
    for row in wb["Cohorts"].iter_rows(values_only=True):
        target.append(row[:8])  # the inputs; the rest are formulas
    buffer = io.BytesIO()
    cohorts_sheet.save(buffer)
    empty = CostModel.objects.create(practice=practice, name="Rebuilt", period="month")

    response = _upload(admin_client, empty, "cohorts.xlsx", buffer.getvalue())

    assert response.status_code == 302
    assert selectors.compare_cost_model(empty).after.cost == D("2108.47")
    assert selectors.compare_cost_model(empty).before.cost == D("2785.50")


def test_csv_export_lists_every_cohort_and_totals(admin_client, model_cd):
    text = admin_client.get(reverse("model_csv", args=["D84001", model_cd.pk])).content.decode()

    rows = list(csv.reader(io.StringIO(text)))
    headline = dict(r for r in rows[: rows.index([])])
    assert headline["Cost before (£)"] == "2785.50" and headline["Cost after (£)"] == "2108.47"
    assert headline["Saving %"] == "24.3%" and headline["Saving a year (£)"] == "8124.36"
    assert (headline["People before"], headline["Reviews after"]) == ("194", "136")
    assert (headline["Staff hours before"], headline["Staff hours freed"]) == ("123.4", "14.8")
    table = rows[rows.index([]) + 1 :]
    assert table[0][0] == "side"
    assert ["before", "Total", "", "194", "", "194", "194", "", "", "", "2785.50", "276", "5085"] in table
    assert table[1][:6] == ["before", "Asthma", "AST", "38", "1", "38"]


def test_csv_import_errors_are_reported_by_row_and_nothing_is_written(admin_client, model_cd):
    before = Cohort.objects.filter(cost_model=model_cd).count()
    body = (
        b"side,label,conditions,patients,pathway\n"
        b"before,Asthma extra,AST,5,before-asthma\n"
        b"after,Bad count,AST,-3,before-asthma\n"
        b"sideways,Unknown side,XYZ,abc,no-such-pathway\n"
    )

    response = _upload(admin_client, model_cd, "cohorts.csv", body)

    html = response.content.decode()
    assert response.status_code == 422
    assert Cohort.objects.filter(cost_model=model_cd).count() == before
    errors = [(e.row, e.column) for e in response.context["errors"]]
    assert (3, "patients") in errors
    assert (4, "side") in errors
    assert (4, "conditions") in errors
    assert (4, "patients") in errors
    assert (4, "pathway") in errors
    assert "Nothing was imported" in html


def test_csv_import_adds_cohorts_and_bumps_the_version(admin_client, model_cd):
    version = model_cd.version
    body = b"label,conditions,patients,pathway\nExtra asthma,AST,10,before-asthma\n"

    response = _upload(admin_client, model_cd, "more.csv", body, default_side="before")

    model_cd.refresh_from_db()
    assert response.status_code == 302
    assert model_cd.version == version + 1
    assert selectors.compare_cost_model(model_cd).before.cost == D("2785.50") + 10 * D("9.52")


def test_import_refuses_other_file_kinds_and_garbage(admin_client, model_cd):
    for name, body in [("x.txt", b"hello"), ("x.xlsx", b"not a zip"), ("x.csv", b"\xff\xfe\x00bad")]:
        response = _upload(admin_client, model_cd, name, body)
        assert response.status_code == 422
        assert response.context["errors"]


def test_import_by_practice_staff_is_403(client, practice, model_cd):
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.STAFF).user)

    assert client.get(reverse("cohort_import", args=["D84001", model_cd.pk])).status_code == 403


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "\tx", "\rx"])
def test_exported_text_that_looks_like_a_formula_is_neutralised(text):
    assert spreadsheets.safe_text(text) == "'" + text


def test_exported_cohort_named_like_a_formula_is_text_in_xlsx_and_csv(admin_client, practice, model_cd):
    Cohort.objects.filter(cost_model=model_cd, label="Asthma").update(label='=HYPERLINK("http://evil")')

    wb = load_workbook(io.BytesIO(admin_client.get(reverse("model_xlsx", args=["D84001", model_cd.pk])).content))
    text = admin_client.get(reverse("model_csv", args=["D84001", model_cd.pk])).content.decode()

    assert wb["Cohorts"]["B2"].value == '\'=HYPERLINK("http://evil")'
    assert wb["Cohorts"]["B2"].data_type == "s"
    assert "'=HYPERLINK" in text


def test_csv_import_reads_an_optional_times_column(admin_client, model_cd):
    body = b"label,patients,times,pathway\nAsthma twice,10,2,before-asthma\nAsthma once,10,,before-asthma\n"

    response = _upload(admin_client, model_cd, "times.csv", body, default_side="before")

    assert response.status_code == 302
    assert dict(Cohort.objects.filter(label__in=["Asthma twice", "Asthma once"]).values_list("label", "times")) == {
        "Asthma twice": 2,
        "Asthma once": 1,
    }
    assert selectors.compare_cost_model(model_cd).before.cost == D("2785.50") + 30 * D("9.52")


def test_csv_import_refuses_times_out_of_range_by_row(admin_client, model_cd):
    body = b"label,patients,times,pathway\nA,1,13,before-asthma\nB,1,0,before-asthma\n"

    response = _upload(admin_client, model_cd, "times.csv", body, default_side="before")

    assert response.status_code == 422
    assert [(e.row, e.column, e.message) for e in response.context["errors"]] == [
        (2, "times", "more than the maximum of 12"),
        (3, "times", "less than 1"),
    ]


def test_csv_import_reads_an_optional_exceptions_column(admin_client, model_cd):
    body = b"label,patients,exceptions,pathway\nAsthma screened,10,3,before-asthma\nAsthma all,10,,before-asthma\n"

    response = _upload(admin_client, model_cd, "exceptions.csv", body, default_side="before")

    assert response.status_code == 302
    stored = dict(Cohort.objects.filter(label__in=["Asthma screened", "Asthma all"]).values_list("label", "exceptions"))
    assert stored == {"Asthma screened": 3, "Asthma all": 0}
    # C/D's asthma pathway: recall and triage cost 2.32 of its 9.52; an exception stops after triage (rule 7).
    assert selectors.compare_cost_model(model_cd).before.cost == D("2785.50") + 17 * D("9.52") + 3 * D("2.32")
    assert selectors.compare_cost_model(model_cd).before.reviews == 194 + 20 - 3


def test_csv_import_refuses_bad_exceptions_by_row_and_column(admin_client, model_cd):
    before = Cohort.objects.filter(cost_model=model_cd).count()
    body = (
        b"label,patients,exceptions,pathway\n"
        b"A,5,6,before-asthma\n"
        b"B,5,-1,before-asthma\n"
        b"C,5,1.5,before-asthma\n"
        b"D,5,some,before-asthma\n"
        b"E,x,1,before-asthma\n"
    )

    response = _upload(admin_client, model_cd, "exceptions.csv", body, default_side="before")

    assert response.status_code == 422
    assert [(e.row, e.column, e.message) for e in response.context["errors"]] == [
        (2, "exceptions", "6 is more than the row's 5 patients"),
        (3, "exceptions", "must not be negative"),
        (4, "exceptions", "1.5 is not a whole number"),
        (5, "exceptions", "'some' is not a number"),
        (6, "patients", "'x' is not a number"),
    ]
    assert Cohort.objects.filter(cost_model=model_cd).count() == before


def test_xlsx_export_and_import_carry_exceptions(admin_client, practice, example_b):
    from dataclasses import replace

    # Cohorts of their own patients (a group's cohorts take its people by formula; the sheet import has no groups).
    ungrouped = replace(
        example_b,
        groups=(),
        before=tuple(replace(c, group=None, patients=1) for c in example_b.before),
        after=tuple(replace(c, group=None, patients=1) for c in example_b.after),
    )
    diabetes = replace(ungrouped.before[0], patients=2, exceptions=1)
    model = cost_model_import(
        practice=practice, model=replace(ungrouped, before=(diabetes, *ungrouped.before[1:])), by=None
    )
    wb = load_workbook(io.BytesIO(admin_client.get(reverse("model_xlsx", args=["D84001", model.pk])).content))
    header = [str(c.value).lower() for c in wb["Cohorts"][1]]
    assert set(spreadsheets.COHORT_COLUMNS) <= set(header)
    sheet = Workbook()
    for row in wb["Cohorts"].iter_rows(values_only=True):
        sheet.active.append(row)
    buffer = io.BytesIO()
    sheet.save(buffer)
    empty = CostModel.objects.create(practice=practice, name="Rebuilt", period=model.period)

    response = _upload(admin_client, empty, "cohorts.xlsx", buffer.getvalue())

    assert response.status_code == 302
    assert list(empty.cohorts.filter(side="before").values_list("patients", "exceptions")) == list(
        model.cohorts.filter(side="before").values_list("patients", "exceptions")
    )
    assert selectors.compare_cost_model(empty).before.cost == selectors.compare_cost_model(model).before.cost
