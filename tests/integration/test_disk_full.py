"""With the temporary folder full, the XLSX exports say so (503 with a page), never a 500."""

import errno

import pytest
from django.urls import reverse

from pathways.services import cost_model_import
from practices.models import FacilitatorAssignment
from tests.factories import FacilitatorFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_temp_folder(monkeypatch):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("openpyxl.worksheet._writer.NamedTemporaryFile", no_space)


@pytest.fixture
def facilitator_and_model(example_cd):
    practice = PracticeFactory(ods_code="A81001")
    model = cost_model_import(practice=practice, model=example_cd, by=None)
    facilitator = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    return facilitator.user, model


@pytest.mark.parametrize("name", ["model_xlsx", "rollup_export"])
def test_xlsx_export_with_the_temporary_folder_full_says_so(client, facilitator_and_model, full_temp_folder, name):
    user, model = facilitator_and_model
    client.force_login(user)
    url = reverse(name, args=[model.practice.ods_code, model.pk]) if name == "model_xlsx" else reverse(name)

    response = client.get(url)

    assert response.status_code == 503
    assert "no room left" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
