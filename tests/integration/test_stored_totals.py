"""Each model's stored totals (pathways.totals) equal a fresh costing after every change that moves a figure.

The table is read directly, never through totals.headlines (which would compute
and store a stale row): every writer must have stored the row in its own
transaction. Then headlines' one query, its self-healing, and the data migration.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.services import api_token_create
from costing import engine, whatif
from pathways import history, selectors, services, totals
from pathways.models import CostModel, ModelTotals, Pathway
from practices.models import Membership, StaffRole
from practices.services.roles import staff_role_update
from tests.factories import MembershipFactory, PracticeFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "costing" / "fixtures"


def assert_stored_is_fresh() -> None:
    """Every model's row is at its version (and its base's) and holds what a full costing gives now."""
    models = list(CostModel.objects.select_related("based_on").order_by("pk"))
    rows = {row.cost_model_id: row for row in ModelTotals.objects.all()}
    assert set(rows) == {m.pk for m in models}
    for m in models:
        row = rows[m.pk]
        assert row.version == m.version, m.name
        assert row.base_version == (m.based_on.version if m.overlay is not None else None), m.name
        assert totals.headline_of(row) == engine.Headline.of(selectors.compare_cost_model(m.pk)), m.name


def _stages(pathway: Pathway) -> list[services.StageInput]:
    return [
        services.StageInput(
            name=s.name, step=s.step, role=s.role, minutes=s.minutes, extra_cost=s.extra_cost, visit=s.visit, id=s.pk
        )
        for s in pathway.stages.order_by("position", "id").select_related("role")
    ]


def _cohorts(model: CostModel, side: str) -> list[services.CohortInput]:
    rows = model.cohorts.filter(side=side).order_by("position", "id").prefetch_related("cohort_conditions__condition")
    return [
        services.CohortInput(
            label=c.label,
            patients=c.patients,
            pathway=c.pathway,
            conditions=tuple(cc.condition for cc in c.cohort_conditions.all()),
            id=c.pk,
            times=c.times,
            exceptions=c.exceptions,
        )
        for c in rows
        if c.group_id is None
    ]


def _update(model: CostModel, *, period: str | None = None, change=None) -> None:
    model = CostModel.objects.get(pk=model.pk)
    before, after = _cohorts(model, "before"), _cohorts(model, "after")
    if change is not None:
        before = change(before)
    services.cost_model_update(
        cost_model=model,
        name=model.name,
        description=model.description,
        period=period or model.period,
        before=before,
        after=after,
        by=None,
    )


def test_every_change_of_a_figure_stores_the_totals_in_its_own_transaction(example_b, example_cd):
    practice = PracticeFactory(ods_code="A11111")
    cd = services.cost_model_import(practice=practice, model=example_cd, by=None)
    assert_stored_is_fresh()
    scenario = services.scenario_save(
        cost_model=cd,
        model=selectors.engine_model(cd),
        changes=whatif.WhatIf(patient_scale=D("0.75"), extra_costs={}),
        name="Three quarters",
        by=None,
    )
    assert_stored_is_fresh()

    # A what-if of the scenario: a new overlay on the base, both differences together.
    scenario = CostModel.objects.get(pk=scenario.pk)
    services.scenario_save(
        cost_model=scenario,
        model=selectors.engine_model(selectors.cost_model_with_rows(cost_model_id=scenario.pk)),
        changes=whatif.WhatIf(roles={"admin-b3": engine.Role(key="admin-b3", name="Admin", cost_per_hour=D(30))}),
        name="Dearer admin",
        by=None,
    )
    assert_stored_is_fresh()

    # A role's rate (the base's figures, so its scenarios').
    role = StaffRole.objects.get(practice=practice, key="admin-b3")
    staff_role_update(
        role=role, by=None, name=role.name, key=role.key, band=role.band, cost_basis=role.cost_basis,
        cost_per_hour=role.cost_per_hour + D("1.20"),
    )  # fmt: skip
    assert_stored_is_fresh()

    # A stage's minutes, its role, and its extra cost (postage).
    used = cd.cohorts.order_by("side", "position").first().pathway
    stages = _stages(used)
    other_role = StaffRole.objects.filter(practice=practice).exclude(pk=stages[0].role.pk).first()
    stages[0] = replace(stages[0], minutes=stages[0].minutes + 7, role=other_role)
    services.pathway_update(pathway=used, name=used.name, stages=stages, by=None)
    assert_stored_is_fresh()
    stages = _stages(used)
    stages[-1] = replace(stages[-1], extra_cost=stages[-1].extra_cost + D("0.85"))
    services.pathway_update(pathway=used, name=used.name, stages=stages, by=None)
    assert_stored_is_fresh()

    # A cohort's patients, times, exceptions and pathway; the model's period.
    other_pathway = Pathway.objects.filter(practice=practice).exclude(pk=used.pk).order_by("pk").last()

    def cohort_changes(rows):
        first = rows[0]
        return [replace(first, patients=first.patients + 11, times=2, exceptions=3, pathway=other_pathway), *rows[1:]]

    _update(cd, change=cohort_changes)
    assert_stored_is_fresh()
    _update(cd, period="year")
    assert_stored_is_fresh()

    # Cohorts imported into it; a copy; a model deleted and restored.
    services.cohorts_import(cost_model=cd, rows=_cohorts(cd, "after")[:1], sides=["after"], replace=False, by=None)
    assert_stored_is_fresh()
    copy = services.cost_model_duplicate(cost_model=CostModel.objects.get(pk=cd.pk), by=None)
    assert_stored_is_fresh()
    copy_pk = copy.pk
    services.cost_model_delete(cost_model=copy, by=None)
    assert_stored_is_fresh()  # its row went with it
    item = next(i for i in history.deleted_items(practice) if i.kind == "model")
    history.restore_deleted(practice=practice, kind="model", history_id=item.history_id, by=None)
    assert ModelTotals.objects.filter(cost_model_id=copy_pk).exists()
    assert_stored_is_fresh()

    # Through the API, in a practice of its own (example B): a model file imported, its groups
    # and cohorts replaced, the model replaced.
    admin = MembershipFactory(practice=PracticeFactory(ods_code="B11111"), role=Membership.Role.ADMIN)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=admin.user, name='t').secret}")
    created = client.generic(
        "POST", "/api/v1/practices/B11111/models/", (FIXTURES / "example_b.json").read_bytes(), "application/json"
    ).json()
    assert_stored_is_fresh()
    url = f"/api/v1/practices/B11111/models/{created['id']}/"
    cohorts = client.get(url + "cohorts/").json()
    cohorts["groups"][0]["people"] += 5
    cohorts["after"][0]["times"] = 2
    body = json.dumps({k: cohorts[k] for k in ("groups", "before", "after")})
    response = client.generic(
        "PUT", url + "cohorts/", body, "application/json", HTTP_IF_MATCH=f'"{cohorts["version"]}"'
    )
    assert response.status_code == 200, response.json()
    assert_stored_is_fresh()
    response = client.generic(
        "PUT", url, (FIXTURES / "example_b_copd_twice.json").read_bytes(), "application/json",
        HTTP_IF_MATCH=f'"{response.json()["version"]}"',
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert_stored_is_fresh()


def test_headlines_read_current_rows_in_one_query(example_b):
    practice = PracticeFactory()
    models = [services.cost_model_import(practice=practice, model=example_b, by=None, name=f"B {n}") for n in range(3)]
    light = list(CostModel.objects.filter(pk__in=[m.pk for m in models]))

    with CaptureQueriesContext(connection) as ctx:
        found = totals.headlines(light)

    assert len(ctx.captured_queries) == 1
    assert found == {m.pk: engine.Headline.of(selectors.compare_cost_model(m.pk)) for m in models}


def test_a_stale_or_missing_row_is_computed_stored_and_returned(example_b):
    practice = PracticeFactory()
    model = services.cost_model_import(practice=practice, model=example_b, by=None)
    scenario = services.scenario_save(
        cost_model=model,
        model=selectors.engine_model(model),
        changes=whatif.WhatIf(patient_scale=D("0.5")),
        name="Half",
        by=None,
    )
    # Writers of old code: a version moved without the row, and a row never written.
    CostModel.objects.filter(pk=model.pk).update(version=model.version + 5)
    ModelTotals.objects.filter(pk=scenario.pk).delete()

    found = totals.headlines([model, scenario])

    assert found[model.pk] == engine.Headline.of(selectors.compare_cost_model(model.pk))
    assert found[scenario.pk] == engine.Headline.of(selectors.compare_cost_model(scenario.pk))
    assert found[scenario.pk].people_before != found[model.pk].people_before  # x 0.5: Decimals kept
    assert_stored_is_fresh()


def test_headlines_leave_out_a_deleted_model(example_b):
    model = services.cost_model_import(practice=PracticeFactory(), model=example_b, by=None)
    light = list(CostModel.objects.filter(pk=model.pk))
    CostModel.objects.filter(pk=model.pk).delete()

    assert totals.headlines(light) == {}
    assert not ModelTotals.objects.exists()


def test_the_data_migration_fills_every_model_and_empties_on_the_way_back(example_b, example_cd):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("pathways.migrations.0015_model_totals")
    practice = PracticeFactory()
    model = services.cost_model_import(practice=practice, model=example_cd, by=None)
    services.scenario_save(
        cost_model=model,
        model=selectors.engine_model(model),
        changes=whatif.WhatIf(patient_scale=D(2)),
        name="x",
        by=None,
    )
    services.cost_model_import(practice=practice, model=example_b, by=None)
    ModelTotals.objects.all().delete()

    migration.fill(apps, None)
    assert_stored_is_fresh()
    migration.empty(apps, None)
    assert not ModelTotals.objects.exists()


def test_a_practice_restored_from_its_backup_has_its_models_totals(example_b):
    from pathways import backup

    practice = PracticeFactory()
    for name in ("B", "B again"):
        services.cost_model_import(practice=practice, model=example_b, by=None, name=name)
    document = backup.practice_backup(practice)

    backup.practice_restore(data=document, by=None)

    assert ModelTotals.objects.count() == 2
    assert_stored_is_fresh()
