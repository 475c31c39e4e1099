"""Exceptions screened out at triage (costing rule 7) stored, edited, copied, exported and totalled."""

import json
import re
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from costing import engine, exchange
from pathways import selectors
from pathways.models import Cohort
from pathways.services import cost_model_duplicate, cost_model_import
from practices.models import Membership
from tests.factories import MembershipFactory, PracticeFactory
from tests.factories.editor import cohort, model_post
from tests.unit.test_exceptions import example_b_with_triage

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="B82002")


@pytest.fixture
def admin(client, practice):
    user = MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user
    client.force_login(user)
    return user


@pytest.fixture
def excepted(practice):
    """Example B with a diabetes triage, 2 people, 1 excepted at triage (tests/unit/test_exceptions.py)."""
    return cost_model_import(
        practice=practice, model=exchange.parse(example_b_with_triage(people=2, exceptions=1)), by=None
    )


def _edit_url(model):
    return reverse("model_edit", args=[model.practice.ods_code, model.pk])


def _rows(model, side, **changes):
    rows = []
    for c in model.cohorts.filter(side=side).order_by("position", "id"):
        row = cohort(c.label, c.pathway, c.patients, id=c.pk, times=c.times, exceptions=c.exceptions)
        rows.append(row)
    rows[0].update(changes)
    return rows


def _post(model, **sides):
    data = {"before": _rows(model, "before"), "after": _rows(model, "after")}
    data.update(sides)
    return model_post(model.name, period=model.period, version=model.version, **data)


def test_an_imported_model_costs_its_exceptions_as_the_file_does(excepted):
    comparison = selectors.compare_cost_model(excepted.pk)

    assert excepted.cohorts.get(side="before", position=0).exceptions == 1
    assert (comparison.before.cost, comparison.before.reviews, comparison.before.people) == (D("51.44"), 5, 2)


def test_the_batch_totals_carry_exceptions(excepted):
    (versioned,) = selectors.headlines_from_rows(selectors.headline_rows([excepted.pk])).values()
    batched = versioned.headline

    assert batched == engine.Headline.of(selectors.compare_cost_model(excepted.pk))
    assert batched.before == D("51.44")
    assert batched.reviews_before == 5


def test_export_and_duplicate_carry_exceptions(excepted):
    exported = exchange.dump(selectors.engine_model(selectors.cost_model_with_rows(cost_model_id=excepted.pk)))
    copy = cost_model_duplicate(cost_model=excepted, by=None)

    assert exported["before"][0]["exceptions"] == 1
    assert "exceptions" not in exported["before"][1]
    assert selectors.compare_cost_model(copy.pk).before.cost == D("51.44")


def test_the_database_refuses_more_exceptions_than_patients(excepted):
    with pytest.raises(IntegrityError), transaction.atomic():
        Cohort.objects.filter(cost_model=excepted, side="before", position=0).update(exceptions=3)


def test_model_editor_saves_exceptions(client, admin, excepted):
    response = client.post(_edit_url(excepted), _post(excepted, before=_rows(excepted, "before", exceptions=2)))

    assert response.status_code == 302
    comparison = selectors.compare_cost_model(excepted.pk)
    # Both people excepted from the diabetes review: 2 x 1.71 + 2 x 8.88 + 2 x 9.08.
    assert (comparison.before.cost, comparison.before.reviews) == (D("39.34"), 4)
    assert "Exceptions (screened out at triage)" in client.get(_edit_url(excepted)).content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("3", "There cannot be more exceptions than patients: at most 2 here."),
        ("-1", "The number of exceptions cannot be negative."),
        ("some", "a whole number"),
    ],
)
def test_model_editor_shows_an_exceptions_error_beside_the_field(client, admin, excepted, typed, message):
    response = client.post(_edit_url(excepted), _post(excepted, before=_rows(excepted, "before", exceptions=typed)))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="id_before-0-exceptions_error"[^>]*>.*' + re.escape(message), html, re.S)
    assert excepted.cohorts.get(side="before", position=0).exceptions == 1


def test_an_empty_exceptions_field_is_none_excepted(client, admin, excepted):
    response = client.post(_edit_url(excepted), _post(excepted, before=_rows(excepted, "before", exceptions=None)))

    assert response.status_code == 302
    assert excepted.cohorts.get(side="before", position=0).exceptions == 0


def test_an_export_reads_back_to_the_same_costing(excepted):
    text = json.dumps(exchange.dump(selectors.engine_model(selectors.cost_model_with_rows(cost_model_id=excepted.pk))))

    assert engine.compare(exchange.loads(text)).before.cost == D("51.44")
