"""Every field a form accepts survives export and import (issue 15, item 4).

One set of limits for forms, model files and the database: a value the editor
takes at its limit is written to the model file, read back by the importer and
stored again unchanged, so backup and restore never refuse the app's own export.
Each form's fields are listed with where they go in the file; a new field fails
the first test until it is placed (or said not to be data).
"""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from costing import limits
from pathways.forms.editor import CohortForm, CostModelForm, PathwayForm, StageForm
from pathways.models import CostModel, Pathway
from practices.forms.roles import StaffRoleForm
from practices.models import Membership, StaffRole
from tests.factories import MembershipFactory, PracticeFactory
from tests.factories.editor import cohort, model_post, pathway_post, stage

pytestmark = pytest.mark.django_db

NOT_DATA = "not data: the edit's concurrency check, a row's id, or how a value is entered"
WHERE = {
    StaffRoleForm: {
        "name": "roles[].name",
        "key": "roles[].key",
        "band": "roles[].band",
        "entry_method": NOT_DATA,
        "cost_per_hour": "roles[].cost_per_hour",
        "annual_salary": "roles[].annual_salary",
        "on_cost_percent": "roles[].on_cost_percent",
        "paid_hours_per_year": "roles[].paid_hours_per_year",
        "cost_basis": "roles[].cost_basis",
        "version": NOT_DATA,
    },
    PathwayForm: {"name": "pathways[].name", "description": "pathways[].description", "version": NOT_DATA},
    StageForm: {
        "id": NOT_DATA,
        "name": "pathways[].stages[].name",
        "step": "pathways[].stages[].step",
        "role": "pathways[].stages[].role",
        "minutes": "pathways[].stages[].minutes",
        "extra_cost": "pathways[].stages[].extra_cost",
        "letter_class": NOT_DATA + " (sets extra_cost)",
        "letter_date": NOT_DATA + " (sets extra_cost)",
        "visit": "pathways[].stages[].visit",
    },
    CostModelForm: {"name": "name", "description": "description", "period": "period", "version": NOT_DATA},
    CohortForm: {
        "id": NOT_DATA,
        "label": "before[].label",
        "conditions": "before[].conditions",
        "patients": "before[].patients",
        "times": "before[].times",
        "exceptions": "before[].exceptions",
        "pathway": "before[].pathway",
    },
}
# Text at its limit, with what a person might type: accents, right-to-left, markup, quotes.
AWKWARD = "Dr O'Brien & <Søren> ‫שלום‬ “quoted” — "


def _longest(length: int) -> str:
    return (AWKWARD * (length // len(AWKWARD) + 1))[: length - 1] + "z"


@pytest.mark.parametrize("form", list(WHERE))
def test_every_form_field_has_a_place_in_the_model_file(form):
    assert set(form.base_fields) == set(WHERE[form])


def test_every_form_field_at_its_limit_survives_export_and_import(client):
    practice = PracticeFactory(ods_code="R00001")
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user)
    name = _longest(limits.MAX_NAME_LENGTH)
    description = _longest(limits.MAX_DESCRIPTION_LENGTH)

    created = client.post(
        reverse("role_create", args=["R00001"]),
        {
            "name": name,
            "key": "k" * limits.MAX_KEY_LENGTH,
            "band": _longest(limits.MAX_BAND_LENGTH),
            "entry_method": "salary",
            "annual_salary": str(limits.MAX_ANNUAL_SALARY),
            "on_cost_percent": "99.999",
            "paid_hours_per_year": str(limits.MAX_PAID_HOURS_PER_YEAR),
            "cost_basis": StaffRole.CostBasis.choices[-1][0],
        },
    )
    assert created.status_code == 302, created.content.decode()[:3000]
    role = StaffRole.objects.get(practice=practice)
    client.post(reverse("pathway_create", args=["R00001"]), {"name": "P"})
    pathway = Pathway.objects.get(practice=practice)
    saved = client.post(
        reverse("pathway_edit", args=["R00001", pathway.pk]),
        pathway_post(
            name,
            [
                stage(
                    name,
                    "review",
                    role.pk,
                    str(limits.MAX_STAGE_MINUTES),
                    "999.9999",
                    limits.MAX_VISIT_NUMBER,
                )
            ],
            description=description,
        )
        | {"pathway-version": str(pathway.version)},
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    client.post(reverse("model_create", args=["R00001"]), {"model-name": "M", "model-period": "year"})
    cost_model = CostModel.objects.get(practice=practice)
    saved = client.post(
        reverse("model_edit", args=["R00001", cost_model.pk]),
        model_post(
            name,
            before=[
                cohort(
                    name,
                    pathway,
                    patients=limits.MAX_COHORT_PATIENTS,
                    conditions=["DM", "COPD"],
                    times=limits.MAX_TIMES,
                    exceptions=limits.MAX_COHORT_PATIENTS,
                )
            ],
            period="year",
            description=description,
            version=cost_model.version,
        ),
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]

    exported = client.get(reverse("model_export", args=["R00001", cost_model.pk])).content
    imported = client.post(
        reverse("model_import", args=["R00001"]),
        {"file": _upload(exported)},
    )
    assert imported.status_code == 302, imported.content.decode()[:3000]
    again = CostModel.objects.filter(practice=practice).exclude(pk=cost_model.pk).get()
    exported_again = client.get(reverse("model_export", args=["R00001", again.pk])).content

    first, second = json.loads(exported), json.loads(exported_again)
    assert first == second
    assert first["description"] == description
    assert first["pathways"][0]["description"] == description
    assert first["roles"][0]["band"] == _longest(limits.MAX_BAND_LENGTH)
    assert Decimal(first["pathways"][0]["stages"][0]["extra_cost"]) == Decimal("999.9999")
    assert first["before"][0]["exceptions"] == limits.MAX_COHORT_PATIENTS


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("m.json", content)
