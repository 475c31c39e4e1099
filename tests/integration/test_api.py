"""The JSON API: tokens, the access rule, model files in and out, costing as cost_model --json, cohorts, roll-up."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import api_token_create
from costing import exchange
from pathways.models import CostModel
from pathways.services import cost_model_import
from practices.models import FacilitatorAssignment, Membership
from tests.factories import FacilitatorFactory, MembershipFactory, OrganisationFactory, PracticeFactory, UserFactory
from tests.unit.test_engine_property import cost_models

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "costing" / "fixtures"
WORKED = ["example_b.json", "example_cd.json", "example_b_copd_twice.json"]


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='test').secret}")
    return client


def post_file(client, ods: str, text: str | bytes):
    return client.generic("POST", f"/api/v1/practices/{ods}/models/", text, content_type="application/json")


def cost_model_json(path: Path) -> dict:
    out = io.StringIO()
    call_command("cost_model", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def admin():
    return MembershipFactory(practice=PracticeFactory(ods_code="A11111"), role=Membership.Role.ADMIN)


# ------------------------------------------------------------------ tokens


def test_request_without_a_token_is_401_with_a_bearer_challenge():
    response = APIClient().get("/api/v1/practices/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("problem", ["unknown", "revoked", "expired", "inactive"])
def test_refused_token_is_401_and_in_the_security_log(caplog, admin, problem):
    created = api_token_create(user=admin.user, name="dash")
    secret = created.secret
    if problem == "unknown":
        secret = secret[:-2] + "xx"
    elif problem == "revoked":
        ApiToken.objects.filter(pk=created.token.pk).update(revoked_at=timezone.now())
    elif problem == "expired":
        ApiToken.objects.filter(pk=created.token.pk).update(
            created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(seconds=1)
        )
    else:
        admin.user.is_active = False
        admin.user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    with caplog.at_level(logging.WARNING, logger="pcsp.security"):
        response = client.get("/api/v1/practices/")

    assert response.status_code == 401
    assert any("api token refused" in r.getMessage() for r in caplog.records)
    assert secret not in caplog.text


def test_token_is_stored_only_as_a_hash_and_records_its_last_use(admin):
    created = api_token_create(user=admin.user, name="dash")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.secret}")

    assert client.get("/api/v1/practices/").status_code == 200

    token = ApiToken.objects.get(pk=created.token.pk)
    assert token.token_hash == ApiToken.hash_token(created.secret) != created.secret
    assert token.last_used_at is not None


def test_session_login_does_not_open_the_api(client, admin):
    client.force_login(admin.user)

    assert client.get("/api/v1/practices/").status_code == 401


def test_api_token_command_prints_the_token_as_its_last_line(admin):
    out = io.StringIO()
    call_command("api_token", admin.user.username, "--name", "Power BI", stdout=out)

    secret = out.getvalue().strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/practices/").json()["results"][0]["ods_code"] == "A11111"


def test_account_page_makes_a_token_shown_once_and_revokes_it(client, admin):
    client.force_login(admin.user)

    page = client.post(reverse("api_tokens"), {"name": "Power BI", "expires": "90"})

    token = ApiToken.objects.get(user=admin.user)
    secret = page.context["created"].secret
    assert ApiToken.hash_token(secret) == token.token_hash
    assert secret in page.content.decode()
    assert secret not in client.get(reverse("api_tokens")).content.decode()
    assert token.expires_at > timezone.now() + timedelta(days=89)

    client.post(reverse("api_token_revoke", kwargs={"token_pk": token.pk}))

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_another_users_token_cannot_be_revoked(client, admin):
    token = api_token_create(user=admin.user, name="dash").token
    client.force_login(UserFactory())

    assert client.post(reverse("api_token_revoke", kwargs={"token_pk": token.pk})).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_throttling_is_per_token(settings, admin):
    settings.API_THROTTLE_RATE = "3/min"
    cache.clear()
    first, second = api_client(admin.user), api_client(admin.user)

    statuses = [first.get("/api/v1/practices/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert second.get("/api/v1/practices/").status_code == 200


def test_body_over_the_limit_is_413_and_writes_nothing(settings, admin):
    settings.API_MAX_BODY_BYTES = 1000
    client = api_client(admin.user)

    response = post_file(client, "A11111", (FIXTURES / "example_cd.json").read_bytes())

    assert response.status_code == 413
    assert CostModel.objects.count() == 0


# ------------------------------------------------------------ access rule


def test_practices_lists_only_the_users_practices(admin):
    PracticeFactory(ods_code="B22222")

    body = api_client(admin.user).get("/api/v1/practices/").json()

    assert [p["ods_code"] for p in body["results"]] == ["A11111"]
    assert body["count"] == 1


def test_staff_may_read_but_not_import(admin, example_b):
    stored = cost_model_import(practice=admin.practice, model=example_b, by=None)
    staff = MembershipFactory(practice=admin.practice, role=Membership.Role.STAFF)
    client = api_client(staff.user)

    assert client.get(f"/api/v1/practices/A11111/models/{stored.pk}/").status_code == 200
    response = post_file(client, "A11111", (FIXTURES / "example_b.json").read_bytes())
    assert response.status_code == 403
    assert CostModel.objects.count() == 1


def test_another_practices_model_is_404(admin, example_b):
    other = PracticeFactory(ods_code="B22222")
    theirs = cost_model_import(practice=other, model=example_b, by=None)
    client = api_client(admin.user)

    assert client.get(f"/api/v1/practices/B22222/models/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/practices/A11111/models/{theirs.pk}/costing/").status_code == 404


# ----------------------------------------------------------- model files


@pytest.mark.parametrize("name", WORKED)
def test_imported_worked_example_costs_as_cost_model_json(admin, name):
    client = api_client(admin.user)

    created = post_file(client, "A11111", (FIXTURES / name).read_bytes())

    assert created.status_code == 201, created.json()
    costing = client.get(f"/api/v1/practices/A11111/models/{created.json()['id']}/costing/")
    assert costing.json() == cost_model_json(FIXTURES / name)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(model=cost_models())
def test_random_valid_file_through_the_api_costs_as_cost_model_json(tmp_path, model):
    admin = MembershipFactory(practice=PracticeFactory(), role=Membership.Role.ADMIN)
    client = api_client(admin.user)
    whole, costed = tmp_path / "model.json", tmp_path / "costed.json"
    whole.write_text(exchange.dumps(model), encoding="utf-8")
    costed.write_text(exchange.dumps(costed_part(model)), encoding="utf-8")

    created = post_file(client, admin.practice.ods_code, whole.read_bytes())

    assert created.status_code == 201, created.json()
    api = client.get(f"/api/v1/practices/{admin.practice.ods_code}/models/{created.json()['id']}/costing/").json()
    assert api == cost_model_json(costed)
    file = cost_model_json(whole)
    for key in ("saving", "saving_percent", "annual"):
        assert api.get(key) == file.get(key)
    for side in ("before", "after"):
        assert {**api[side], "staff_minutes": None, "staff_cost": None} == {
            **file[side],
            "staff_minutes": None,
            "staff_cost": None,
        }


def costed_part(model):
    """The file without the pathways no cohort uses and the roles no stage of the others uses.

    A stored model is its cohorts, their pathways and the roles those use (pathways and
    roles belong to the practice): what a file lists but nothing costs is not part of it.
    """
    used_pathways = {c.pathway for c in model.before + model.after}
    pathways = tuple(p for p in model.pathways if p.key in used_pathways)
    used_roles = {s.role for p in pathways for s in p.stages if s.role}
    return dataclasses.replace(model, pathways=pathways, roles=tuple(r for r in model.roles if r.key in used_roles))


def test_invalid_file_is_400_with_cost_models_message_and_writes_nothing(admin):
    data = json.loads((FIXTURES / "example_b.json").read_text())
    data["before"][0]["pathway"] = "copd-typo"

    response = post_file(api_client(admin.user), "A11111", json.dumps(data))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "before[0].pathway: unknown pathway 'copd-typo'",
        "field": "before[0].pathway",
        "problem": "unknown pathway 'copd-typo'",
    }
    assert CostModel.objects.count() == 0


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b'"text"', b"\xff\xfe"])
def test_body_that_is_not_a_model_file_is_400(admin, body):
    assert post_file(api_client(admin.user), "A11111", body).status_code == 400


def test_model_file_round_trips_and_put_replaces_with_if_match(admin, tmp_path):
    client = api_client(admin.user)
    created = post_file(client, "A11111", (FIXTURES / "example_b.json").read_bytes()).json()
    url = f"/api/v1/practices/A11111/models/{created['id']}/"
    got = client.get(url)
    assert got["ETag"] == f'"{created["version"]}"'
    assert got.json()["version"] == 2

    changed = got.json()
    changed["name"] = "Example B, COPD reviewed twice"
    changed["before"][2]["times"] = 2
    replacement = json.dumps(changed)
    (tmp_path / "changed.json").write_text(replacement)
    assert client.generic("PUT", url, replacement, content_type="application/json").status_code == 428
    stale = client.generic("PUT", url, replacement, content_type="application/json", HTTP_IF_MATCH='"99"')
    assert stale.status_code == 412
    replaced = client.generic("PUT", url, replacement, content_type="application/json", HTTP_IF_MATCH=got["ETag"])

    assert replaced.status_code == 200, replaced.json()
    assert replaced.json() == {"id": created["id"], "version": created["version"] + 1}
    assert client.get(url + "costing/").json() == cost_model_json(tmp_path / "changed.json")
    assert CostModel.objects.count() == 1


def test_cohorts_read_and_replace(admin, tmp_path):
    client = api_client(admin.user)
    created = post_file(client, "A11111", (FIXTURES / "example_b.json").read_bytes()).json()
    url = f"/api/v1/practices/A11111/models/{created['id']}/cohorts/"
    cohorts = client.get(url).json()
    assert cohorts["version"] == created["version"]
    cohorts["groups"][0]["people"] = 2
    cohorts["after"][0]["times"] = 2

    body = json.dumps({k: cohorts[k] for k in ("groups", "before", "after")})
    replaced = client.generic(
        "PUT", url, body, content_type="application/json", HTTP_IF_MATCH=f'"{cohorts["version"]}"'
    )

    assert replaced.status_code == 200, replaced.json()
    assert client.get(url).json() == {**cohorts, "version": created["version"] + 1}
    changed = json.loads((FIXTURES / "example_b.json").read_text())
    changed.update({k: cohorts[k] for k in ("groups", "before", "after")})
    (tmp_path / "changed.json").write_text(json.dumps(changed))
    assert client.get(url.replace("cohorts/", "costing/")).json() == cost_model_json(tmp_path / "changed.json")


def test_cohorts_naming_an_unknown_pathway_are_400_and_change_nothing(admin):
    client = api_client(admin.user)
    created = post_file(client, "A11111", (FIXTURES / "example_b.json").read_bytes()).json()
    url = f"/api/v1/practices/A11111/models/{created['id']}/cohorts/"
    body = json.dumps({"before": [{"label": "X", "patients": 1, "pathway": "nope"}], "after": []})

    response = client.generic(
        "PUT", url, body, content_type="application/json", HTTP_IF_MATCH=f'"{created["version"]}"'
    )

    assert response.status_code == 400
    assert response.json()["field"] == "before[0].pathway"
    assert len(client.get(url).json()["before"]) == 3


# ---------------------------------------------------------------- roll-up


def test_rollup_is_the_pages_figures_filterable_by_organisation(example_b):
    facilitator = FacilitatorFactory()
    icb = OrganisationFactory()
    for ods, organisation in (("C33333", icb), ("D44444", None)):
        practice = PracticeFactory(ods_code=ods, organisation=organisation)
        FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
        cost_model_import(practice=practice, model=example_b, by=None)
    client = api_client(facilitator.user)

    everything = client.get("/api/v1/rollup/").json()
    one = client.get(f"/api/v1/rollup/?organisation={icb.pk}").json()

    assert everything["count"] == 2
    assert everything["totals"][0]["figures"]["before"] == "62.78"
    assert [r["ods_code"] for r in one["results"]] == ["C33333"]
    assert one["results"][0]["figures"]["before"] == "31.39"
    assert client.get("/api/v1/rollup/?organisation=999999").status_code == 400


def test_rollup_is_for_facilitators_only(admin):
    assert api_client(admin.user).get("/api/v1/rollup/").status_code == 403


# ------------------------------------------------------------- schema, docs


def test_schema_is_json_when_asked_and_docs_are_served_by_the_app(client, admin):
    schema = api_client(admin.user).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/practices/{ods_code}/models/{model_pk}/costing/" in schema.json()["paths"]

    client.force_login(admin.user)
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar" in html and "http" not in html.split("<body", 1)[1].split("swagger-ui")[0]
    assert "<script>" not in html  # the Content-Security-Policy allows no inline script


def test_a_user_has_at_most_twenty_usable_tokens_and_the_page_says_so(client, admin):
    for i in range(20):
        api_token_create(user=admin.user, name=f"token {i}")
    client.force_login(admin.user)

    page = client.post(reverse("api_tokens"), {"name": "one more"})

    assert "revoke one first" in page.content.decode()
    assert ApiToken.objects.filter(user=admin.user).count() == 20


def test_docs_page_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_unknown_query_parameter_is_400_naming_it(admin):
    response = api_client(admin.user).get("/api/v1/practices/?organization=1")

    assert response.status_code == 400
    assert response.json() == {"detail": "Unknown query parameter 'organization'."}


def test_rollup_picks_a_practices_model_as_the_page_does(example_b, example_cd):
    facilitator = FacilitatorFactory()
    practice = PracticeFactory(ods_code="C33333")
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    chosen = cost_model_import(practice=practice, model=example_b, by=None)
    cost_model_import(practice=practice, model=example_cd, by=None)

    body = api_client(facilitator.user).get(f"/api/v1/rollup/?model_C33333={chosen.pk}").json()

    assert body["results"][0]["model"] == {"id": chosen.pk, "name": chosen.name}
