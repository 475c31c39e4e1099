"""Schemathesis fuzzes the JSON API on the live test server, signed in as a practice admin with a token.

Every operation of the schema, with data that fits it and data that does not, on the
admin's own practice and model and on generated ones, under every check schemathesis
has (no 500, every status, header and body as the schema says, auth not ignored,
unsupported methods refused...), and one of ours: no response carries anything of
another practice. The number of examples is bounded, so it takes about a minute.
"""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from api.services import api_token_create
from costing import profiles
from pathways.services import cost_model_import, profile_create
from practices.models import Membership
from tests.factories import MembershipFactory, PracticeFactory

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 10  # per operation, mode and target: about 400 requests in all
OTHER_ODS = "Z99999"
OTHER_SECRET = "Another practice's model, never to be seen"

# Statuses the API documents for a request that fits the schema but not the data: a file whose keys do
# not resolve (400), a stale If-Match (412), a missing one (428), a generated practice or model (404).
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "412", "428"]},
            "missing_required_header": {"expected-statuses": ["400", "401", "403", "412", "428"]},
        }
    }
)


@schemathesis.check
def no_other_practice(ctx, response, case):
    text = response.text
    if OTHER_ODS in text or OTHER_SECRET in text:
        raise AssertionError(f"{case.method} {case.formatted_path}: the response shows another practice's data")


@pytest.fixture(scope="module", autouse=True)
def reference_data_restored(django_db_setup, django_db_blocker):
    """The live server's test flushes the database: the reference data the later tests expect is put back."""
    yield
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture
def world(live_server, example_b, settings):
    settings.API_THROTTLE_RATE = "100000/min"  # the fuzzer, not the throttle, is under test here
    call_command("load_reference_data", verbosity=0)
    admin = MembershipFactory(practice=PracticeFactory(ods_code="A11111"), role=Membership.Role.ADMIN)
    model = cost_model_import(practice=admin.practice, model=example_b, by=None)
    other = PracticeFactory(ods_code=OTHER_ODS, name=OTHER_SECRET)
    cost_model_import(practice=other, model=example_b, by=None, name=OTHER_SECRET)
    profile = profiles.from_model(example_b)
    own_profile = profile_create(practice=admin.practice, read_on=date(2026, 11, 1), profile=profile, by=None)
    profile_create(practice=other, read_on=date(2026, 11, 1), profile=profile, by=None, note=OTHER_SECRET)
    headers = {"Authorization": f"Bearer {api_token_create(user=admin.user, name='fuzz').secret}"}
    return {"headers": headers, "own": {"ods_code": "A11111", "model_pk": model.pk, "profile_pk": own_profile.pk}}


def test_schemathesis_finds_no_failure(live_server, world):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/", headers=world["headers"], config=CONFIG)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    assert {o.label for o in operations} >= {
        "GET /api/v1/practices/{ods_code}/profiles/",
        "POST /api/v1/practices/{ods_code}/profiles/",
        "GET /api/v1/practices/{ods_code}/profiles/{profile_pk}/",
        "PUT /api/v1/practices/{ods_code}/profiles/{profile_pk}/",
        "DELETE /api/v1/practices/{ods_code}/profiles/{profile_pk}/",
    }

    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        own = {k: v for k, v in world["own"].items() if k in names}
        strategies = [operation.as_strategy(mode) for mode in GenerationMode]
        if own:
            strategies += [operation.as_strategy(mode, path_parameters=own) for mode in GenerationMode]

        @settings(
            max_examples=EXAMPLES * len(strategies),
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies))
        def fuzz(case):
            case.call_and_validate(base_url=live_server.url, headers=world["headers"])

        fuzz()
