"""Random and hostile input at every form and upload: never a 500, never a partial write.

Hypothesis generates the values; a request that is refused must leave the
database exactly as it was, and no request may fail with a server error.
"""

import io
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from costing import limits, profiles
from pathways.models import Pathway
from pathways.services import cost_model_import, profile_create
from practices.models import FacilitatorAssignment, Membership, StaffRole
from tests.factories import FacilitatorFactory, MembershipFactory, PracticeFactory

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            "-1",
            "1e9",
            "1e999999",
            "NaN",
            "Infinity",
            "10000",
            "10000000",
            "0.0000001",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\u202egnp.exe",
            "שלום עולם",
            "x" * 5000,
            "\x00",
            '=HYPERLINK("http://x")',
            "٣٣",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
FIXTURES = Path(__file__).resolve().parents[2] / "costing" / "fixtures"
APP_MODELS = [m for m in apps.get_models() if m._meta.app_label in {"practices", "pathways", "costing", "reports"}]


def _snapshot() -> str:
    return "".join(serializers.serialize("json", m.objects.order_by("pk")) for m in APP_MODELS)


@pytest.fixture
def world(example_b):
    practice = PracticeFactory(ods_code="G87001")
    model = cost_model_import(practice=practice, model=example_b, by=None)
    admin = MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user
    facilitator = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    return {
        "practice": practice,
        "model": model,
        "admin": admin,
        "facilitator": facilitator.user,
        "role": StaffRole.objects.filter(practice=practice).first(),
        "pathway": Pathway.objects.filter(practice=practice).first(),
        "profile": profile_create(
            practice=practice, read_on=date(2026, 11, 2), profile=profiles.from_model(example_b), by=None
        ),
    }


def _post_checked(client, url, data, **kwargs):
    before = _snapshot()
    response = client.post(url, data, **kwargs)
    assert response.status_code < 500, (url, data)
    if response.status_code != 302:  # refused: nothing may have been written
        assert _snapshot() == before, (url, data)
    return response


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {
            k: HOSTILE
            for k in (
                "name",
                "key",
                "band",
                "cost_per_hour",
                "annual_salary",
                "on_cost_percent",
                "paid_hours_per_year",
                "entry_method",
                "cost_basis",
                "version",
            )
        }
    )
)
def test_role_form(client, world, values):
    client.force_login(world["admin"])
    _post_checked(client, reverse("role_create", args=["G87001"]), values)
    _post_checked(client, reverse("role_edit", args=["G87001", world["role"].pk]), values)


@FUZZ
@given(name=HOSTILE, minutes=HOSTILE, extra=HOSTILE, visit=HOSTILE, role=HOSTILE, step=HOSTILE, total=HOSTILE)
def test_pathway_editor(client, world, name, minutes, extra, visit, role, step, total):
    client.force_login(world["admin"])
    data = {
        "action": "save",
        "pathway-name": name,
        "pathway-version": str(world["pathway"].version),
        "stages-TOTAL_FORMS": total,
        "stages-INITIAL_FORMS": "0",
        "stages-0-name": name,
        "stages-0-step": step,
        "stages-0-role": role,
        "stages-0-minutes": minutes,
        "stages-0-extra_cost": extra,
        "stages-0-visit": visit,
    }
    _post_checked(client, reverse("pathway_edit", args=["G87001", world["pathway"].pk]), data)
    world["pathway"].refresh_from_db()


@FUZZ
@given(label=HOSTILE, patients=HOSTILE, pathway=HOSTILE, period=HOSTILE, conditions=HOSTILE)
def test_model_editor(client, world, label, patients, pathway, period, conditions):
    client.force_login(world["admin"])
    data = {
        "model-name": label,
        "model-period": period,
        "model-version": str(world["model"].version),
        "before-TOTAL_FORMS": "1",
        "before-INITIAL_FORMS": "0",
        "before-0-label": label,
        "before-0-patients": patients,
        "before-0-pathway": pathway,
        "before-0-conditions": conditions,
        "after-TOTAL_FORMS": "0",
        "after-INITIAL_FORMS": "0",
    }
    _post_checked(client, reverse("model_edit", args=["G87001", world["model"].pk]), data)
    world["model"].refresh_from_db()


@FUZZ
@given(
    values=st.dictionaries(
        st.sampled_from(
            [
                "scale",
                "version",
                "role_0_rate",
                "role_0_band",
                "extra_0",
                "stage_0_0_minutes",
                "stage_0_0_role",
                "scenario_name",
            ]
        ),
        HOSTILE,
    )
)
def test_whatif_panel(client, world, values):
    client.force_login(world["admin"])
    _post_checked(client, reverse("model_whatif", args=["G87001", world["model"].pk]), values, HTTP_HX_REQUEST="true")
    _post_checked(client, reverse("model_whatif_save", args=["G87001", world["model"].pk]), values)


@FUZZ
@given(
    body=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)),
    suffix=st.sampled_from([".json", ".csv", ".xlsx", ".txt", ""]),
)
def test_uploads(client, world, body, suffix):
    client.force_login(world["admin"])
    _post_checked(client, reverse("model_import", args=["G87001"]), {"file": SimpleUploadedFile("m" + suffix, body)})
    _post_checked(
        client,
        reverse("cohort_import", args=["G87001", world["model"].pk]),
        {"file": SimpleUploadedFile("c" + suffix, body), "default_side": "before"},
    )


@FUZZ
@given(cells=st.lists(st.lists(HOSTILE, min_size=5, max_size=5), min_size=1, max_size=5))
def test_cohort_csv_with_hostile_cells(client, world, cells):
    client.force_login(world["admin"])
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(["side", "label", "conditions", "patients", "pathway"])
    writer.writerows(cells)
    _post_checked(
        client,
        reverse("cohort_import", args=["G87001", world["model"].pk]),
        {"file": SimpleUploadedFile("c.csv", out.getvalue().encode("utf-8", "surrogatepass"))},
    )


@FUZZ
@given(
    body=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)),
    suffix=st.sampled_from([".csv", ".xlsx", ".txt", ""]),
    cells=st.lists(st.lists(HOSTILE, min_size=5, max_size=5), min_size=1, max_size=5),
    read_on=HOSTILE,
)
def test_profile_imports(client, world, body, suffix, cells, read_on):
    client.force_login(world["admin"])
    url = reverse("profile_import", args=["G87001"])
    _post_checked(client, url, {"file": SimpleUploadedFile("p" + suffix, body), "read_on": "2026-11-02"})
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(["kind", "ages", "conditions", "number of conditions", "people"])
    writer.writerows([["list size", "", "", "", "100"], *cells])
    upload = SimpleUploadedFile("p.csv", out.getvalue().encode("utf-8", "surrogatepass"))
    _post_checked(client, url, {"file": upload, "read_on": read_on})


@FUZZ
@given(values=st.lists(HOSTILE, min_size=12, max_size=12))
def test_profile_form_and_generate(client, world, values):
    client.force_login(world["admin"])
    names = (
        "read_on",
        "list_size",
        "register_DM",
        "register_CHD",
        "bands-0-ages",
        "bands-0-people",
        "groups-0-conditions",
        "groups-0-count",
        "groups-0-people",
        "groups-1-conditions",
        "groups-1-people",
        "note",
    )
    data = dict(zip(names, values, strict=True))
    data |= {
        "bands-TOTAL_FORMS": "1",
        "bands-INITIAL_FORMS": "0",
        "groups-TOTAL_FORMS": "2",
        "groups-INITIAL_FORMS": "0",
    }
    _post_checked(client, reverse("profile_create", args=["G87001"]), data)
    generate = dict(zip(("name", "period", "pathway_DM", "times_DM", "pathway_CHD", "times_CHD"), values, strict=False))
    generate |= {"csp_pathway": values[6], "complex_pathway": values[7], "complex_from": values[8]}
    _post_checked(client, reverse("profile_generate", args=["G87001", world["profile"].pk]), generate)


@FUZZ
@given(name=HOSTILE, ods=HOSTILE, size=HOSTILE, email=HOSTILE, role=HOSTILE)
def test_practice_and_invitation_forms(client, world, name, ods, size, email, role):
    client.force_login(world["facilitator"])
    _post_checked(client, reverse("practice_create"), {"name": name, "ods_code": ods, "list_size": size})
    _post_checked(client, reverse("member_invite", args=["G87001"]), {"email": email, "role": role})


def test_names_with_html_rtl_and_length_render_escaped(client, world):
    model = world["model"]
    model.name = "<img src=x onerror=alert(1)> \u202eevil ‫שלום " + "x" * 150
    model.save()
    client.force_login(world["admin"])

    html = client.get(model.get_absolute_url()).content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_upload_larger_than_the_limit_is_refused_with_a_message(client, world):
    client.force_login(world["admin"])
    big = SimpleUploadedFile("big.json", b"{" + b" " * (6 * 1024 * 1024) + b"}")

    response = _post_checked(client, reverse("model_import", args=["G87001"]), {"file": big})

    assert response.status_code in (200, 400, 413, 422)


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {
            k: HOSTILE
            for k in (
                "list_size",
                "list_aged_17",
                "list_aged_18",
                "register_DM",
                "people",
                "multimorbid",
                "pathway_DM",
                "pathway_HYP",
                "after",
                "after_pathway",
                "target",
                "name",
                "period",
            )
        }
    ),
    valid_pathway=st.booleans(),
)
def test_cohort_estimate_accept(client, world, values, valid_pathway):
    client.force_login(world["admin"])
    if valid_pathway:
        values = {**values, "pathway_HYP": str(world["pathway"].pk), "target": "new", "period": "year"}
    _post_checked(client, reverse("cohort_estimate_accept", args=["G87001"]), values)
    assert client.get(reverse("cohort_estimator", args=["G87001"]), values).status_code == 200


# --- Uploads built to be hostile (issue 15): no 500, bounded memory, nothing written -----------------------------

# A request may use this much Python memory at its peak: the 5 MB upload, its text, and the parse of it.
MEMORY_BOUND = 64 * 1024 * 1024


def _xlsx(
    rows: list[list], *, dimension: str | None = None, doctype: str = "", last_row_cell: bool = False, strict=True
) -> bytes:
    """A small workbook, its first sheet's XML edited: another declared dimension, a DTD, a cell in the last row."""
    import re
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                if dimension:
                    xml, count = re.subn(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
                    assert count == 1 or not strict
                if last_row_cell:
                    xml = xml.replace(
                        "</sheetData>",
                        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
                    )
                if doctype:
                    xml = '<?xml version="1.0" encoding="UTF-8"?>' + doctype + xml.split("?>", 1)[-1]
                data = xml.encode()
            target.writestr(item, data)
    return out.getvalue()


COHORT_ROWS = [["side", "label", "conditions", "patients", "pathway"], ["before", "Asthma", "", "10", "asthma"]]
BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)
EXTERNAL_ENTITY = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _measured_post(client, url, data):
    import tracemalloc

    tracemalloc.start()
    try:
        response = _post_checked(client, url, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, peak


@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("whole sheet declared", lambda: _xlsx(COHORT_ROWS, dimension="A1:XFD1048576", last_row_cell=True)),
        ("billion laughs", lambda: _xlsx(COHORT_ROWS, doctype=BILLION_LAUGHS)),
        ("external entity", lambda: _xlsx(COHORT_ROWS, doctype=EXTERNAL_ENTITY)),
    ],
)
def test_hostile_xlsx_cohort_upload_is_refused_in_bounded_memory(client, world, case, body):
    client.force_login(world["admin"])
    url = reverse("cohort_import", args=["G87001", world["model"].pk])

    response, peak = _measured_post(client, url, {"file": SimpleUploadedFile("c.xlsx", body())})

    assert response.status_code == 422, case
    assert peak < MEMORY_BOUND, (case, peak)
    assert "root:" not in response.content.decode()


def test_xlsx_whose_rows_unpack_past_the_limit_is_refused(client, world):
    import zipfile

    client.force_login(world["admin"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/worksheets/sheet1.xml", b" " * (200 * 1024 * 1024))

    response, peak = _measured_post(
        client,
        reverse("cohort_import", args=["G87001", world["model"].pk]),
        {"file": SimpleUploadedFile("c.xlsx", out.getvalue())},
    )

    assert response.status_code == 422
    assert peak < MEMORY_BOUND


@pytest.mark.parametrize(
    ("case", "cell"),
    [
        ("field over the csv module's limit", "x" * 140_000),
        ("NUL", "Asth\x00ma"),
        ("control character", "Ctrl\x01label"),
    ],
)
def test_hostile_csv_label_is_refused_with_a_message(client, world, case, cell):
    client.force_login(world["admin"])
    body = f"side,label,conditions,patients,pathway\nbefore,{cell},,10,{world['pathway'].key}\n".encode()

    response = _post_checked(
        client,
        reverse("cohort_import", args=["G87001", world["model"].pk]),
        {"file": SimpleUploadedFile("c.csv", body)},
    )

    assert response.status_code == 422, case
    assert "row" in response.content.decode()


def _model_file(**changes) -> bytes:
    import json

    base = json.loads((FIXTURES / "example_b.json").read_text())
    for path, value in changes.items():
        target = base
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return json.dumps(base).encode()


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        ("lone surrogate in the name", {"name": "\ud800"}),
        ("control character in the name", {"name": "Ctrl\x01model"}),
        ("control character in a role", {"roles.0.name": "Nurse\x1b[31m"}),
        ("description longer than the limit", {"description": "d" * 1_000_000}),
        ("band longer than its column", {"roles.0.band": "b" * 120}),
    ],
)
def test_hostile_model_file_is_refused_with_a_message(client, world, case, changes):
    client.force_login(world["admin"])
    body = _model_file(**changes)

    response = _post_checked(
        client, reverse("model_import", args=["G87001"]), {"file": SimpleUploadedFile("m.json", body)}
    )

    assert response.status_code == 200, case
    assert "cannot be imported" in response.content.decode(), case


def test_huge_decimal_in_a_model_file_is_kept_to_its_places():
    import json

    from costing import exchange

    data = json.loads((FIXTURES / "example_b.json").read_text())
    data["roles"][0].pop("annual_salary", None)
    data["roles"][0].pop("on_cost_percent", None)
    data["roles"][0].pop("paid_hours_per_year", None)
    data["roles"][0]["cost_per_hour"] = "1." + "0" * 100_000

    role = exchange.parse(json.loads(json.dumps(data), parse_float=__import__("decimal").Decimal)).roles[0]

    assert role.cost_per_hour == 1
    assert -role.cost_per_hour.as_tuple().exponent <= limits.RATE_PLACES


def test_model_with_a_control_character_in_its_name_still_exports_as_xlsx(client, world):
    model = world["model"]
    model.name = "Ctrl\x01model"
    model.save()
    client.force_login(world["admin"])

    response = client.get(reverse("model_xlsx", args=["G87001", model.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "description", "message"),
    [
        ("Ctrl\x01model", "", "control character"),
        ("M", "d" * (limits.MAX_DESCRIPTION_LENGTH + 1), "at most 10000 characters"),
    ],
)
def test_model_editor_refuses_hostile_text_with_a_message(client, world, name, description, message):
    client.force_login(world["admin"])
    model = world["model"]
    data = {
        "model-name": name,
        "model-description": description,
        "model-period": model.period,
        "model-version": str(model.version),
        "before-TOTAL_FORMS": "0",
        "before-INITIAL_FORMS": "0",
        "after-TOTAL_FORMS": "0",
        "after-INITIAL_FORMS": "0",
    }

    response = _post_checked(client, reverse("model_edit", args=["G87001", model.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_upload_past_the_limit_is_not_read_to_its_end(client, world, monkeypatch):
    from django.test.client import FakePayload

    read = []
    original = FakePayload.read

    def counting_read(self, *args, **kwargs):
        content = original(self, *args, **kwargs)
        read.append(len(content))
        return content

    monkeypatch.setattr(FakePayload, "read", counting_read)
    client.force_login(world["admin"])
    big = SimpleUploadedFile("big.json", b"{" + b" " * (20 * 1024 * 1024) + b"}")

    response = _post_checked(client, reverse("model_import", args=["G87001"]), {"file": big})

    assert response.status_code == 200
    assert "at most 5 MB" in response.content.decode()
    assert sum(read) < 6 * 1024 * 1024


PLOTLY_HTML = '<a href="https://evil.example/">A</a><span style="font-size:90px">BIG</span>'


def _chart_texts(value, key=""):
    """Every text in a figure that plotly renders as its subset of HTML (not the app's own hover templates)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k != "hovertemplate":
                yield from _chart_texts(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _chart_texts(v, key)
    elif isinstance(value, str):
        yield value


def test_names_reach_the_charts_as_plain_text(client, world):
    import json
    import re

    model = world["model"]
    model.name = PLOTLY_HTML
    model.save()
    StaffRole.objects.filter(practice=world["practice"]).update(name=PLOTLY_HTML)
    model.cohorts.update(label=PLOTLY_HTML)
    Pathway.objects.filter(practice=world["practice"]).update(name=PLOTLY_HTML)
    client.force_login(world["admin"])
    data = re.compile(r'<script id="([\w-]+)-data" type="application/json">(.*?)</script>', re.DOTALL)

    texts = []
    for url in (model.get_absolute_url(), reverse("model_decisions", args=["G87001", model.pk])):
        html = client.get(url).content.decode()
        for _name, text in data.findall(html):
            texts += list(_chart_texts(json.loads(text)))

    assert any("&lt;a href" in t for t in texts)
    assert not [t for t in texts if "<a" in t or "<span" in t]


# --- Hypothesis: uploads built to be hostile ---------------------------------------------------------------------

HOSTILE_FILE_VALUES = st.one_of(
    HOSTILE,
    st.sampled_from(
        [
            "\ud800",
            "a\udfffb",
            "Ctrl\x01model",
            "\x1b[31mred",
            "x" * 140_000,
            "1." + "0" * 100_000,
            "0." + "0" * 100_000 + "1",
            "1e999999999",
            "9" * 5000,
            "-0",
            "admin\n",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.none(),
    st.lists(st.integers(), max_size=3),
)
MODEL_FILE_FIELDS = [
    "name",
    "description",
    "period",
    "roles.0.key",
    "roles.0.name",
    "roles.0.band",
    "roles.0.cost_per_hour",
    "roles.0.annual_salary",
    "pathways.0.key",
    "pathways.0.name",
    "pathways.0.description",
    "pathways.0.stages.0.name",
    "pathways.0.stages.0.minutes",
    "pathways.0.stages.0.extra_cost",
    "pathways.0.stages.0.visit",
    "before.0.label",
    "before.0.patients",
    "before.0.pathway",
    "before.0.conditions",
]


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(MODEL_FILE_FIELDS), HOSTILE_FILE_VALUES, min_size=1, max_size=4))
def test_hostile_model_files(client, world, changes):
    client.force_login(world["admin"])
    body = _model_file(**changes)

    response, peak = _measured_post(
        client, reverse("model_import", args=["G87001"]), {"file": SimpleUploadedFile("m.json", body)}
    )

    assert response.status_code in (200, 302)
    assert peak < MEMORY_BOUND


HOSTILE_CELLS = st.one_of(
    HOSTILE.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),  # what an XLSX cell can hold
    st.sampled_from(["x" * 140_000, "1." + "0" * 100_000, "1e999999999", "9" * 5000]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
)


@FUZZ
@given(
    cells=st.lists(st.lists(HOSTILE_CELLS, min_size=1, max_size=6), min_size=1, max_size=4),
    dimension=st.sampled_from([None, "A1:XFD1048576", "A1:A1", "ZZZ0:A-1", "A1:XFD99999999"]),
    last_row_cell=st.booleans(),
    doctype=st.sampled_from(["", BILLION_LAUGHS, EXTERNAL_ENTITY]),
)
def test_hostile_workbooks(client, world, cells, dimension, last_row_cell, doctype):
    client.force_login(world["admin"])
    body = _xlsx(
        [COHORT_ROWS[0], *cells], dimension=dimension, last_row_cell=last_row_cell, doctype=doctype, strict=False
    )

    response, peak = _measured_post(
        client,
        reverse("cohort_import", args=["G87001", world["model"].pk]),
        {"file": SimpleUploadedFile("c.xlsx", body), "default_side": "before"},
    )

    assert response.status_code in (200, 302, 422)
    assert peak < MEMORY_BOUND


@FUZZ
@given(
    cells=st.lists(st.lists(HOSTILE_FILE_VALUES.map(str), min_size=5, max_size=5), min_size=1, max_size=3),
    bom=st.booleans(),
)
def test_hostile_csv_files(client, world, cells, bom):
    import csv

    client.force_login(world["admin"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["side", "label", "conditions", "patients", "pathway"])
    writer.writerows(cells)
    body = ("\ufeff" if bom else "") + out.getvalue()

    response, peak = _measured_post(
        client,
        reverse("cohort_import", args=["G87001", world["model"].pk]),
        {"file": SimpleUploadedFile("c.csv", body.encode("utf-8", "surrogatepass"))},
    )

    assert response.status_code in (200, 302, 422)
    assert peak < MEMORY_BOUND
