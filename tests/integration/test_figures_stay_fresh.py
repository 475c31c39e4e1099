"""Figures are never stale: every page shows an edit at once.

The comparison page, the dashboard, the practice page, the roll-up and the PDF
are read (the lists and the roll-up from stored totals, pathways.totals.headlines),
then the model, a role it uses and a pathway it uses are edited in turn through
the services the editors use; after each edit every page shows the new figures.
"""

import io
from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from costing.templatetags.costing_tags import gbp
from pathways import history, selectors, services, totals
from pathways.models import CostModel, ModelTotals
from pathways.services import (
    CohortInput,
    StageInput,
    cost_model_delete,
    cost_model_import,
    cost_model_update,
    pathway_update,
)
from practices.models import FacilitatorAssignment, StaffRole
from practices.services.roles import staff_role_update
from tests.factories import FacilitatorFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(example_cd):
    practice = PracticeFactory(ods_code="C81001")
    model = cost_model_import(practice=practice, model=example_cd, by=None)
    facilitator = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    return {"practice": practice, "model": model, "user": facilitator.user}


def _pages(client, world, capture) -> dict[str, str]:
    """The text of every page that shows the model's figures, with on-commit caching as in production."""
    practice, model = world["practice"], world["model"]
    urls = {
        "comparison": model.get_absolute_url(),
        "dashboard": reverse("dashboard"),
        "practice": practice.get_absolute_url(),
        "roll-up": reverse("rollup"),
        "pdf": reverse("model_pdf", args=[practice.ods_code, model.pk]),
    }
    texts = {}
    with capture(execute=True):  # outside a test's transaction, figures are cached at once
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, name
            if name == "pdf":
                reader = PdfReader(io.BytesIO(response.content))
                texts[name] = "\n".join(page.extract_text() for page in reader.pages)
            else:
                texts[name] = response.content.decode()
    return texts


def _assert_shown(texts: dict[str, str], figures: list[D], gone: list[D]) -> None:
    for name, text in texts.items():
        # The roll-up shows every model a year: C/D counts a month, x 12.
        factor = 12 if name == "roll-up" else 1
        for value in figures:
            assert gbp(value * factor) in text, f"{name} does not show {gbp(value * factor)}"
        for value in gone:
            assert gbp(value * factor) not in text, f"{name} still shows {gbp(value * factor)}"


def _cohorts(model: CostModel, side: str, extra_patients: int = 0) -> list[CohortInput]:
    rows = model.cohorts.filter(side=side).order_by("position", "id").prefetch_related("cohort_conditions__condition")
    return [
        CohortInput(
            label=c.label,
            patients=c.patients + (extra_patients if i == 0 else 0),
            pathway=c.pathway,
            conditions=tuple(cc.condition for cc in c.cohort_conditions.all()),
            id=c.pk,
        )
        for i, c in enumerate(rows)
    ]


def test_an_edit_of_the_model_a_role_or_a_pathway_shows_at_once_everywhere(
    client, world, django_capture_on_commit_callbacks
):
    model = world["model"]
    client.force_login(world["user"])
    first = selectors.compare_cost_model(model.pk)
    assert (first.before.cost, first.after.cost) == (D("2785.50"), D("2108.47"))
    _assert_shown(_pages(client, world, django_capture_on_commit_callbacks), [first.before.cost, first.after.cost], [])
    model.refresh_from_db()
    assert ModelTotals.objects.get(pk=model.pk).version == model.version  # the lists and the roll-up read these

    # The model: 10 more patients in its first cohort before.
    cost_model_update(
        cost_model=model,
        name=model.name,
        description=model.description,
        period=model.period,
        before=_cohorts(model, "before", extra_patients=10),
        after=_cohorts(model, "after"),
        by=None,
    )
    second = selectors.compare_cost_model(model.pk)
    assert second.before.cost != first.before.cost and second.after.cost == first.after.cost
    _assert_shown(_pages(client, world, django_capture_on_commit_callbacks), [second.before.cost], [first.before.cost])

    # A role it uses before and after: the administrator's rate.
    admin = StaffRole.objects.get(practice=world["practice"], key="admin-b3")
    staff_role_update(
        role=admin,
        by=None,
        name=admin.name,
        key=admin.key,
        band=admin.band,
        cost_basis=admin.cost_basis,
        cost_per_hour=admin.cost_per_hour + D("1.20"),
    )
    third = selectors.compare_cost_model(model.pk)
    assert third.before.cost != second.before.cost and third.after.cost != second.after.cost
    _assert_shown(
        _pages(client, world, django_capture_on_commit_callbacks),
        [third.before.cost, third.after.cost],
        [second.before.cost, second.after.cost],
    )

    # A pathway it uses after: ten more minutes of its last stage.
    cohort = model.cohorts.filter(side="after").order_by("position", "id").select_related("pathway").first()
    pathway = cohort.pathway
    stages = [
        StageInput(
            name=s.name,
            step=s.step,
            role=s.role,
            minutes=s.minutes,
            extra_cost=s.extra_cost,
            visit=s.visit,
            id=s.pk,
        )
        for s in pathway.stages.order_by("position", "id").select_related("role")
    ]
    stages[-1] = replace(stages[-1], minutes=stages[-1].minutes + 10)
    pathway_update(pathway=pathway, name=pathway.name, stages=stages, by=None)
    fourth = selectors.compare_cost_model(model.pk)
    assert fourth.after.cost != third.after.cost
    _assert_shown(_pages(client, world, django_capture_on_commit_callbacks), [fourth.after.cost], [third.after.cost])


def test_a_restored_model_gets_a_new_version(world):
    model = world["model"]
    pk, version = model.pk, CostModel.objects.get(pk=model.pk).version
    cost_model_delete(cost_model=model, by=None)
    item = next(i for i in history.deleted_items(world["practice"]) if i.kind == "model")

    history.restore_deleted(practice=world["practice"], kind="model", history_id=item.history_id, by=None)

    assert CostModel.objects.get(pk=pk).version > version


def test_headline_figures_equal_the_full_costing(world, example_b):
    practice = world["practice"]
    model_b = cost_model_import(practice=practice, model=example_b, by=None)
    doubled = cost_model_import(
        practice=practice,
        model=replace(example_b, before=example_b.before + example_b.before, after=()),
        by=None,
        name="Two cohorts on each pathway, nothing after",
    )
    empty = CostModel.objects.create(practice=practice, name="Empty")
    models = [world["model"], model_b, doubled, empty]

    figures = totals.headlines(CostModel.objects.filter(pk__in=[m.pk for m in models]))

    for m in models:
        full = selectors.compare_cost_model(m.pk)
        assert figures[m.pk] == services.engine.Headline.of(full)
        assert figures[m.pk].saving_percent == full.saving_percent


def test_headlines_leave_out_a_deleted_model(world):
    model = world["model"]
    light = list(CostModel.objects.filter(pk=model.pk))
    CostModel.objects.filter(pk=model.pk).delete()

    assert totals.headlines(light) == {}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_and_practice_page_queries_do_not_grow_with_models(client, world, example_b):
    practice = world["practice"]
    client.force_login(world["user"])
    urls = [reverse("dashboard"), practice.get_absolute_url()]
    client.get(urls[0])  # anything cached per process
    before = [_queries(client, url) for url in urls]
    for n in range(4):
        cost_model_import(practice=practice, model=example_b, by=None, name=f"B {n}")
    other = PracticeFactory()
    FacilitatorAssignment.objects.create(facilitator=world["user"].facilitator, practice=other)
    cost_model_import(practice=other, model=example_b, by=None)

    assert [_queries(client, url) for url in urls] == before
