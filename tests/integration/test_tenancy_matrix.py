"""The tenancy matrix: every practice-scoped URL of the project, for every kind of user.

Generated from the URL configuration, so a new view is in the matrix the moment
it has a URL. A practice-scoped URL names its objects by kind (model_pk,
pathway_pk...); a kind this test does not know fails it until it is taught here.

What must hold for every URL and method:
- anonymous: sent to the login page;
- a user of another practice, an unassigned facilitator, a user with no practice:
  404 (the practice's existence is not disclosed; a GET of a POST-only URL may
  be 405, which is the same for every practice), and nothing changes;
- practice staff: never a write (the database is unchanged after any POST);
- practice admin and assigned facilitator: every GET answers (no 404 or 500).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from costing import profiles
from pathways.models import Cohort, CostModel, Stage
from pathways.services import cost_model_import, profile_create
from practices.models import FacilitatorAssignment, Membership
from tests.factories import FacilitatorFactory, MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "costing" / "fixtures"

# URLs that are not about one practice, each for a stated reason.
GLOBAL_URLS = {
    "admin:",  # Django admin: superusers only (its own checks)
    "login",
    "logout",
    "dashboard",  # lists only visible_practices(user)
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",  # a secret token, not a practice URL
    "practice_create",  # facilitators only
    # The facilitator's roll-up across their assigned practices, and their own batch jobs
    # (tests/integration/test_rollup.py and test_batch_reports.py check who may see them).
    "rollup",
    "rollup_export",
    "batch_report_start",
    "batch_report_detail",
    "batch_report_progress",
    "batch_report_download",
    "batch_report_retry",
    # The user's own API tokens (tests/integration/test_api.py: another user's token is a 404).
    "api_tokens",
    "api_token_revoke",
    # The API's schema and docs (no practice data), its list of the user's visible practices, and the
    # facilitator's roll-up (test_api.py checks each); the API's practice-scoped routes are in this matrix.
    "api:schema",
    "api:docs",
    "api:practices",
    "api:rollup",
}

APP_MODELS = [m for m in apps.get_models() if m._meta.app_label in {"practices", "pathways", "costing", "auth"}]


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (namespace + p.name) if p.name else None


ALL_URLS = list(_walk(get_resolver().url_patterns))
# Pages answer an anonymous user with the login page; the JSON API (api/) with 401, and takes tokens, not sessions.
SCOPED = sorted(
    {name for route, name in ALL_URLS if "<str:ods_code>" in route and name and not route.startswith("api/")}
)
API_SCOPED = sorted(
    {name for route, name in ALL_URLS if "<str:ods_code>" in route and name and route.startswith("api/")}
)


def test_every_url_is_practice_scoped_or_declared_global():
    undeclared = [
        (route, name)
        for route, name in ALL_URLS
        if "<str:ods_code>" not in route
        and not (name in GLOBAL_URLS or (name or "").startswith("admin:") or route.startswith("admin/"))
    ]

    assert undeclared == [], "declare these in GLOBAL_URLS (with a reason) or scope them to a practice"


def test_matrix_covers_practice_scoped_urls():
    assert {"practice_detail", "model_detail", "model_whatif", "model_export"} <= set(SCOPED)
    assert {"profile_list", "profile_detail", "profile_import", "profile_generate", "model_profile_derive"} <= set(
        SCOPED
    )
    assert {"api:models", "api:model", "api:costing", "api:cohorts", "api:profiles", "api:profile"} <= set(API_SCOPED)


def test_matrix_covers_the_cohort_estimator_and_its_accept():
    assert {"cohort_estimator", "cohort_estimate_accept"} <= set(SCOPED)


@pytest.fixture
def world(example_b):
    practice = PracticeFactory(ods_code="T00001")
    model = cost_model_import(practice=practice, model=example_b, by=None)
    cohort = Cohort.objects.filter(cost_model=model).first()
    stage = Stage.objects.filter(pathway=cohort.pathway).first()
    staff = MembershipFactory(practice=practice, role=Membership.Role.STAFF)
    admin = MembershipFactory(practice=practice, role=Membership.Role.ADMIN)
    assigned = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=assigned, practice=practice)
    other_practice = PracticeFactory()
    cost_model_import(practice=other_practice, model=example_b, by=None)
    doomed = cost_model_import(practice=practice, model=example_b, by=None, name="Deleted model")
    doomed_pk = doomed.pk
    doomed.delete()
    deleted_history_pk = CostModel.history.filter(id=doomed_pk, history_type="-").get().history_id
    profile = profile_create(
        practice=practice, read_on=date(2026, 11, 1), profile=profiles.from_model(example_b), by=None
    )
    invitation = None
    Invitation = apps.get_model("practices", "Invitation") if _has_model("practices", "Invitation") else None
    if Invitation is not None:
        invitation = _make_invitation(Invitation, practice, admin.user)
    objects = {
        "ods_code": practice.ods_code,
        "model_pk": model.pk,
        "pathway_pk": cohort.pathway_id,
        "stage_pk": stage.pk,
        "cohort_pk": cohort.pk,
        "role_pk": stage.role_id,
        "membership_pk": staff.pk,
        "invitation_pk": invitation.pk if invitation else 0,
        "kind": "model",
        "history_pk": deleted_history_pk,
        "profile_pk": profile.pk,
    }
    users = {
        "staff": staff.user,
        "admin": admin.user,
        "assigned_facilitator": assigned.user,
        "outsider": MembershipFactory(practice=other_practice, role=Membership.Role.ADMIN).user,
        "unassigned_facilitator": FacilitatorFactory().user,
        "no_practice": UserFactory(),
    }
    return {"objects": objects, "users": users}


def _has_model(app_label: str, name: str) -> bool:
    try:
        apps.get_model(app_label, name)
    except LookupError:
        return False
    return True


def _make_invitation(Invitation, practice, by):
    from practices.services import accounts

    return accounts.invitation_create(practice=practice, email="new.person@example.nhs.uk", role="staff", by=by)[0]


def _url(name: str, objects: dict) -> str:
    route = next(route for route, n in ALL_URLS if n == name)
    kwargs = {}
    for kind in re.findall(r"<(?:\w+:)?(\w+)>", route):
        assert kind in objects, f"{name}: the matrix does not know the URL kwarg {kind!r}; teach it"
        kwargs[kind] = objects[kind]
    return reverse(name, kwargs=kwargs)


def _snapshot() -> str:
    return "".join(serializers.serialize("json", model.objects.order_by("pk")) for model in APP_MODELS)


@pytest.mark.parametrize("name", SCOPED)
def test_anonymous_is_sent_to_login(client, world, name):
    url = _url(name, world["objects"])

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["outsider", "unassigned_facilitator", "no_practice"])
@pytest.mark.parametrize("name", SCOPED)
def test_users_without_the_practice_get_404_and_change_nothing(client, world, name, who):
    url = _url(name, world["objects"])
    client.force_login(world["users"][who])
    before = _snapshot()

    # 405 for a GET of a POST-only URL is the same for every practice: it discloses nothing.
    assert client.get(url).status_code in {404, 405}, url
    assert client.post(url, {"name": "hijack"}).status_code == 404, url
    assert _snapshot() == before


@pytest.mark.parametrize("name", SCOPED)
def test_practice_staff_never_write(client, world, name):
    url = _url(name, world["objects"])
    client.force_login(world["users"]["staff"])
    before = _snapshot()

    get = client.get(url)
    post = client.post(url, {"name": "staff edit", "scenario_name": "staff scenario", "confirm": "yes"})

    assert get.status_code in {200, 302, 403, 405}, url
    assert post.status_code in {200, 302, 403, 405, 422}, url
    assert _snapshot() == before, f"{name}: practice staff changed data"


@pytest.mark.parametrize("who", ["admin", "assigned_facilitator"])
@pytest.mark.parametrize("name", SCOPED)
def test_editors_can_reach_every_page(client, world, name, who):
    url = _url(name, world["objects"])
    client.force_login(world["users"][who])

    assert client.get(url).status_code in {200, 302, 405}, url


# ------------------------------------------------------------------ the JSON API
# Every method of every practice-scoped API route, with a body that would write if a check were missing.

API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _api_client(user=None):
    from rest_framework.test import APIClient

    from api.services import api_token_create

    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='matrix').secret}")
    return client


def _api_call(client, method: str, url: str, world):
    body = (FIXTURES / "example_b.json").read_bytes()
    version = CostModel.objects.get(pk=world["objects"]["model_pk"]).version
    return client.generic(method, url, body, content_type="application/json", HTTP_IF_MATCH=f'"{version}"')


@pytest.mark.parametrize("method", API_METHODS)
@pytest.mark.parametrize("name", API_SCOPED)
def test_api_without_a_token_is_401(world, name, method):
    assert _api_call(_api_client(), method, _url(name, world["objects"]), world).status_code == 401


@pytest.mark.parametrize("who", ["outsider", "unassigned_facilitator", "no_practice"])
@pytest.mark.parametrize("name", API_SCOPED)
def test_api_users_without_the_practice_get_404_and_change_nothing(world, name, who):
    client = _api_client(world["users"][who])
    url = _url(name, world["objects"])
    before = _snapshot()

    for method in API_METHODS:
        # 405 for a method the route does not have is the same for every practice: it discloses nothing.
        assert _api_call(client, method, url, world).status_code in {404, 405}, (method, url)
    assert _snapshot() == before


@pytest.mark.parametrize("name", API_SCOPED)
def test_api_practice_staff_never_write(world, name):
    client = _api_client(world["users"]["staff"])
    url = _url(name, world["objects"])
    before = _snapshot()

    assert client.get(url).status_code == 200, url
    for method in API_METHODS[1:]:
        assert _api_call(client, method, url, world).status_code in {403, 405}, (method, url)
    assert _snapshot() == before, f"{name}: practice staff changed data"


@pytest.mark.parametrize("who", ["admin", "assigned_facilitator"])
@pytest.mark.parametrize("name", API_SCOPED)
def test_api_editors_can_read_every_route(world, name, who):
    assert _api_client(world["users"][who]).get(_url(name, world["objects"])).status_code == 200
