"""The pages with demo-like data: they render the engine's figures, and only to the practice's users."""

import pytest
from django.urls import reverse

from pathways.services import cost_model_import
from practices.models import FacilitatorAssignment, Membership
from tests.factories import FacilitatorFactory, MembershipFactory, PracticeFactory, UserFactory
from tests.factories.practices import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(example_cd):
    practice = PracticeFactory(ods_code="A81001")
    model = cost_model_import(practice=practice, model=example_cd, by=None)
    pathway = model.cohorts.first().pathway
    staff = MembershipFactory(practice=practice, role=Membership.Role.STAFF).user
    admin = MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user
    outsider = MembershipFactory(role=Membership.Role.ADMIN).user
    assigned = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=assigned, practice=practice)
    unassigned = FacilitatorFactory()
    urls = [
        reverse("practice_detail", args=[practice.ods_code]),
        reverse("model_detail", args=[practice.ods_code, model.pk]),
        reverse("model_export", args=[practice.ods_code, model.pk]),
        reverse("pathway_detail", args=[practice.ods_code, pathway.pk]),
    ]
    return {
        "practice": practice,
        "model": model,
        "urls": urls,
        "users": {
            "staff": staff,
            "admin": admin,
            "outsider": outsider,
            "assigned_facilitator": assigned.user,
            "unassigned_facilitator": unassigned.user,
            "no_practice": UserFactory(),
        },
    }


def test_comparison_page_shows_the_engines_figures(client, world):
    client.force_login(world["users"]["staff"])

    response = client.get(world["urls"][1])

    html = response.content.decode()
    assert response.status_code == 200
    assert "£2,785.50 → £2,108.47" in html
    assert "Saving £677.03 (24.3%)" in html
    assert "Reconciliation with the printed source" in html


def test_dashboard_lists_only_my_practices(client, world):
    other = PracticeFactory(name="Somebody else's practice")
    client.force_login(world["users"]["staff"])

    html = client.get(reverse("dashboard")).content.decode()

    assert world["practice"].name in html
    assert other.name not in html


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", 200),
        ("admin", 200),
        ("assigned_facilitator", 200),
        ("outsider", 404),
        ("unassigned_facilitator", 404),
        ("no_practice", 404),
    ],
)
def test_practice_scoped_pages_tenancy(client, world, who, expected):
    client.force_login(world["users"][who])

    for url in world["urls"]:
        assert client.get(url).status_code == expected, url


def test_practice_scoped_pages_send_anonymous_users_to_login(client, world):
    for url in world["urls"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_model_of_another_practice_under_my_practices_url_is_404(client, world, example_b):
    mine = PracticeFactory()
    MembershipFactory(practice=mine, user=world["users"]["outsider"], role=Membership.Role.STAFF)
    client.force_login(world["users"]["outsider"])

    response = client.get(reverse("model_detail", args=[mine.ods_code, world["model"].pk]))

    assert response.status_code == 404


def test_login_page_logs_in(client, world):
    user = world["users"]["staff"]

    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_export_downloads_a_model_file(client, world):
    client.force_login(world["users"]["staff"])

    response = client.get(world["urls"][2])

    assert response["Content-Type"].startswith("application/json")
    assert response.json()["format"] == "pcsp-cost-model"
