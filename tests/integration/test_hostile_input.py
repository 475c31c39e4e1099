"""Random and hostile input at every form and upload: never a 500, never a partial write.

Hypothesis generates the values; a request that is refused must leave the
database exactly as it was, and no request may fail with a server error.
"""

import io
from datetime import date

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costing import profiles
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
