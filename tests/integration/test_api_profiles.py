"""Practice profiles through the JSON API: list, create, read, replace (If-Match), delete; the import's checks."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from costing import profiles
from pathways import selectors, services
from pathways.models import PracticeProfile
from practices.models import Membership
from tests.factories import MembershipFactory, PracticeFactory
from tests.integration.test_api import api_client

pytestmark = pytest.mark.django_db

BODY = {
    "read_on": "2026-11-02",
    "note": "EMIS search",
    "list_size": 9699,
    "age_bands": [{"ages": "0-17", "people": 1900}, {"ages": "18+", "people": 7799}],
    "registers": [{"code": "DM", "people": 60}, {"code": "CHD", "people": 40}, {"code": "COPD", "people": 30}],
    "groups": [
        {"conditions": ["DM", "CHD"], "people": 10},
        {"conditions": ["DM"], "number_of_conditions": None, "people": 50},
        {"conditions": ["CHD", "COPD"], "people": 5},
    ],
}
BY_NUMBER = {
    "read_on": "2026-10-01",
    "list_size": 500,
    "registers": [{"code": "DM", "people": 20}, {"code": "CHD", "people": 10}, {"code": "COPD", "people": 5}],
    "groups": [{"number_of_conditions": "1", "people": 15}, {"number_of_conditions": "2+", "people": 5}],
}


@pytest.fixture
def admin():
    return MembershipFactory(practice=PracticeFactory(ods_code="A11111"), role=Membership.Role.ADMIN)


@pytest.fixture
def api(admin):
    return api_client(admin.user)


def url(profile_pk: int | None = None, ods: str = "A11111") -> str:
    base = f"/api/v1/practices/{ods}/profiles/"
    return base if profile_pk is None else f"{base}{profile_pk}/"


def send(client, method: str, where: str, body, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.generic(method, where, data, content_type="application/json", **headers)


def stored_profile(pk: int) -> tuple:
    stored = selectors.profiles_with_rows().get(pk=pk)
    return stored.read_on, stored.note, selectors.engine_profile(stored)


def test_created_profile_reads_back_whole(api):
    response = send(api, "POST", url(), BODY)

    assert response.status_code == 201, response.json()
    created = response.json()
    assert response["Location"].endswith(url(created["id"]))
    got = api.get(url(created["id"]))
    assert got["ETag"] == f'"{created["version"]}"'
    body = got.json()
    assert {k: body[k] for k in BODY} == {
        **BODY,
        "groups": [{"number_of_conditions": None, **g, "conditions": g["conditions"]} for g in BODY["groups"]],
    }
    assert body["version"] == created["version"]


def test_list_is_paginated_latest_search_first(api, admin):
    older = send(api, "POST", url(), BY_NUMBER).json()["id"]
    newer = send(api, "POST", url(), BODY).json()["id"]

    page = api.get(url(), {"page_size": 1}).json()

    assert page["count"] == 2
    assert page["next"]
    row = page["results"][0]
    assert row["id"] == newer
    assert row["read_on"] == "2026-11-02"
    assert row["list_size"] == 9699
    assert set(row) == {"id", "read_on", "note", "list_size", "version", "created_at", "updated_at"}
    assert api.get(url(), {"page": 2, "page_size": 1}).json()["results"][0]["id"] == older


def test_read_and_put_back_unchanged_leaves_the_profile_equal(api):
    for body in (BODY, BY_NUMBER):
        pk = send(api, "POST", url(), body).json()["id"]
        before = stored_profile(pk)
        got = api.get(url(pk))

        put = send(api, "PUT", url(pk), got.json(), HTTP_IF_MATCH=got["ETag"])

        assert put.status_code == 200, put.json()
        assert put.json()["version"] == got.json()["version"] + 1
        assert stored_profile(pk) == before
        assert {k: v for k, v in api.get(url(pk)).json().items() if k not in ("version", "updated_at")} == {
            k: v for k, v in got.json().items() if k not in ("version", "updated_at")
        }


def test_created_through_the_api_equals_the_same_data_imported_on_the_page(client, api, admin):
    rows = [list(profiles.PROFILE_COLUMNS)]
    rows.append(["list size", "", "", "", str(BODY["list_size"])])
    rows += [["age band", b["ages"], "", "", str(b["people"])] for b in BODY["age_bands"]]
    rows += [["register", "", r["code"], "", str(r["people"])] for r in BODY["registers"]]
    rows += [["group", "", ";".join(g["conditions"]), "", str(g["people"])] for g in BODY["groups"]]
    csv = "\n".join(",".join(r) for r in rows).encode()
    client.force_login(admin.user)
    page = client.post(
        reverse("profile_import", args=["A11111"]),
        {"file": SimpleUploadedFile("profile.csv", csv), "read_on": BODY["read_on"], "note": BODY["note"]},
    )
    assert page.status_code == 302
    imported = PracticeProfile.objects.get()

    through_api = send(api, "POST", url(), BODY).json()["id"]

    assert stored_profile(through_api) == stored_profile(imported.pk)


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"list_size": -1}, "list_size", "must not be negative"),
        ({"list_size": "9699"}, "list_size", "expected a whole number"),
        ({"read_on": "yesterday"}, "read_on", "Enter a valid date"),
        ({"note": "x" * 201}, "note", "Ensure this value has at most 200 characters (it has 201)"),
        ({"note": "EMIS\x00"}, "note", "Null characters are not allowed"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"groups": {"DM": 5}}, "groups", "expected a list"),
        ({"groups": [{"conditions": "DM", "people": 5}]}, "groups[0].conditions", "expected a list"),
        ({"age_bands": [{"ages": "18+", "people": 5, "low": 18}]}, "age_bands[0].low", "unknown field"),
        ({"age_bands": [{"ages": "18+", "people": 9700}]}, "age_bands[0].people", None),
        ({"age_bands": [{"ages": "eighteen", "people": 1}]}, "age_bands[0].ages", None),
        ({"registers": [{"code": "XX", "people": 1}]}, "registers[0].code", "unknown condition code 'XX'"),
        ({"registers": [{"code": "DM", "people": True}]}, "registers[0].people", "expected a whole number"),
        ({"groups": [{"conditions": ["DM;CHD"], "people": 1}]}, "groups[0].conditions[0]", None),
        (
            {"groups": [{"conditions": ["DM"], "number_of_conditions": "1", "people": 1}]},
            "groups[0].number_of_conditions",
            None,
        ),
        ({"groups": [{"conditions": ["DM", "CHD"], "people": 45}]}, "groups[0].people", None),
        ({"groups": [{"conditions": ["DM"], "people": 50}, {"conditions": ["DM", "CHD"], "people": 11}]}, None, None),
    ],
)
def test_invalid_body_is_400_at_its_place_and_writes_nothing(api, change, field, problem):
    response = send(api, "POST", url(), {**BODY, **change})

    assert response.status_code == 400
    error = response.json()
    assert error["field"] == (field or "groups[1].people")
    assert error["detail"].startswith(f"{error['field']}: {error['problem']}")
    assert error["problems"][0] == {"field": error["field"], "problem": error["problem"]}
    if problem:
        assert error["problem"] == problem
    assert PracticeProfile.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b'"text"', b"\xff\xfe", b'{"\\udc80": 1}', b'{"list_size": 1e400}', b"[" * 10_000],
)
def test_body_that_is_not_a_profile_is_400(api, body):
    response = send(api, "POST", url(), body)

    assert response.status_code == 400
    assert response.json()["detail"]
    assert PracticeProfile.objects.count() == 0


def test_put_needs_the_current_version(api):
    pk = send(api, "POST", url(), BODY).json()["id"]
    got = api.get(url(pk))
    changed = {**got.json(), "note": "SystmOne search"}

    assert send(api, "PUT", url(pk), changed).status_code == 428
    assert send(api, "PUT", url(pk), changed, HTTP_IF_MATCH='"99"').status_code == 412
    assert send(api, "PUT", url(pk), changed, HTTP_IF_MATCH=got["ETag"]).status_code == 200
    assert send(api, "PUT", url(pk), changed, HTTP_IF_MATCH=got["ETag"]).status_code == 412
    assert PracticeProfile.objects.get(pk=pk).note == "SystmOne search"


def test_invalid_put_changes_nothing(api):
    pk = send(api, "POST", url(), BODY).json()["id"]
    before = stored_profile(pk)
    got = api.get(url(pk))
    bad = {**got.json(), "registers": [{"code": "DM", "people": 5}]}

    response = send(api, "PUT", url(pk), bad, HTTP_IF_MATCH=got["ETag"])

    assert response.status_code == 400
    assert response.json()["field"].startswith("groups[")
    assert stored_profile(pk) == before
    assert PracticeProfile.objects.get(pk=pk).version == got.json()["version"]


def test_too_many_groups_is_400_from_the_service(api, monkeypatch):
    monkeypatch.setattr(services.limits, "MAX_GROUPS", 2)

    response = send(api, "POST", url(), BODY)

    assert response.status_code == 400
    assert response.json()["field"] == "groups"
    assert PracticeProfile.objects.count() == 0


def test_delete_as_the_page_does_with_an_optional_if_match(api):
    pk = send(api, "POST", url(), BODY).json()["id"]

    assert send(api, "DELETE", url(pk), b"", HTTP_IF_MATCH='"99"').status_code == 412
    assert api.delete(url(pk) + "?force=1").status_code == 400
    assert api.delete(url(pk)).status_code == 204
    assert api.get(url(pk)).status_code == 404
    assert not PracticeProfile.objects.exists()


def test_staff_read_but_never_write(admin):
    stored = services.profile_create(
        practice=admin.practice, read_on=date(2026, 11, 2), profile=profiles.Profile(100), by=None
    )
    staff = api_client(MembershipFactory(practice=admin.practice, role=Membership.Role.STAFF).user)

    assert staff.get(url(stored.pk)).status_code == 200
    assert staff.get(url()).status_code == 200
    assert send(staff, "POST", url(), BODY).status_code == 403
    assert send(staff, "PUT", url(stored.pk), BODY, HTTP_IF_MATCH='"1"').status_code == 403
    assert staff.delete(url(stored.pk)).status_code == 403
    assert PracticeProfile.objects.count() == 1


def test_another_practices_profile_is_404_under_your_own_practice(api):
    other = services.profile_create(
        practice=PracticeFactory(ods_code="B22222"), read_on=date(2026, 11, 2), profile=profiles.Profile(100), by=None
    )

    assert api.get(url(other.pk)).status_code == 404
    assert send(api, "PUT", url(other.pk), BODY, HTTP_IF_MATCH='"1"').status_code == 404
    assert api.delete(url(other.pk)).status_code == 404
    assert api.get(url(other.pk, ods="B22222")).status_code == 404
    assert api.get(url()).json()["count"] == 0
    assert PracticeProfile.objects.filter(pk=other.pk, list_size=100).exists()


def test_profile_routes_are_in_the_schema_with_every_status(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    detail = schema["paths"]["/api/v1/practices/{ods_code}/profiles/{profile_pk}/"]
    listing = schema["paths"]["/api/v1/practices/{ods_code}/profiles/"]

    assert set(listing["post"]["responses"]) >= {"201", "400", "401", "403", "404", "413", "415", "429"}
    assert set(detail["put"]["responses"]) >= {"200", "400", "401", "403", "404", "412", "428", "429"}
    assert set(detail["delete"]["responses"]) >= {"204", "400", "401", "403", "404", "412", "429"}
    assert set(detail["get"]["responses"]) >= {"200", "401", "404", "429"}


def test_the_readmes_example_is_a_valid_profile(api):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    body = re.search(r"/profiles/ --data-binary '(\{.*?\})'", readme, re.S).group(1)

    response = send(api, "POST", url(), body)

    assert response.status_code == 201, response.json()
