"""Scenarios are overlays on a base: no rows of their own, costed from the base as it is now; baselines."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from costing import engine, whatif
from pathways import selectors, services, totals
from pathways.models import Cohort, CohortGroup, CostModel, Pathway, Stage
from practices.models import Membership, StaffRole
from tests.factories import MembershipFactory, PracticeFactory

pytestmark = pytest.mark.django_db

NURSE_24 = engine.Role(key="pn", name="Practice nurse", cost_per_hour=D("24.00"))


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="B82001")


@pytest.fixture
def model_b(practice, example_b):
    return services.cost_model_import(practice=practice, model=example_b, by=None)


@pytest.fixture
def admin(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user


def _save(model_b, changes, name="What if"):
    return services.scenario_save(
        cost_model=model_b, model=selectors.engine_model(model_b), changes=changes, name=name, by=None
    )


def test_a_scenario_creates_no_role_pathway_stage_cohort_or_group(model_b):
    counts = [m.objects.count() for m in (StaffRole, Pathway, Stage, Cohort, CohortGroup)]
    changes = whatif.WhatIf(
        roles={"pn": NURSE_24},
        stage_minutes={("csp", 4): D(40)},
        stage_roles={("csp", 4): "np"},
        extra_costs={D("0.85"): D("0.87")},
        patient_scale=D("0.75"),
        channel=whatif.Channel(kind=whatif.ChannelKind.TEXT, cost=D("0.0125")),
    )

    scenario = _save(model_b, changes)

    assert [m.objects.count() for m in (StaffRole, Pathway, Stage, Cohort, CohortGroup)] == counts
    assert scenario.is_scenario and scenario.based_on == model_b
    assert set(scenario.overlay) == {"overlay", "roles", "stages", "extra_costs", "patient_scale", "channel"}


def test_a_scenario_costs_as_the_what_if_did(model_b):
    model = selectors.engine_model(model_b)
    changes = whatif.WhatIf(roles={"pn": NURSE_24}, patient_scale=D("0.5"))

    scenario = _save(model_b, changes)

    assert selectors.compare_cost_model(scenario) == engine.compare(whatif.apply(model, changes)).__class__(
        **{**engine.compare(whatif.apply(model, changes)).__dict__, "name": scenario.name}
    )
    assert selectors.compare_cost_model(scenario).after.cost == D("10.21")  # 20.42 / 2


def test_an_edit_to_the_base_reaches_the_scenario_and_its_stored_totals(model_b):
    scenario = _save(model_b, whatif.WhatIf(roles={"pn": NURSE_24}))
    assert totals.headlines([scenario])[scenario.pk].after == D("20.42")
    admin_role = StaffRole.objects.get(practice=model_b.practice, key="admin")
    pathway = Pathway.objects.get(practice=model_b.practice, key="csp")
    stages = [
        services.StageInput(
            name=s.name, step=s.step, role=s.role, minutes=s.minutes, extra_cost=s.extra_cost, visit=s.visit, id=s.pk
        )
        for s in pathway.stages.select_related("role")
    ]
    # The base's care and support planning gains a 10-minute administrator stage: £11.40 x 10 / 60 = £1.90.
    stages.append(services.StageInput(name="Follow-up call", step="follow_up", role=admin_role, minutes=D(10)))

    services.pathway_update(pathway=pathway, name=pathway.name, stages=stages, by=None)

    scenario = CostModel.objects.get(pk=scenario.pk)
    assert selectors.compare_cost_model(scenario).after.cost == D("22.32")
    assert totals.headlines([scenario])[scenario.pk].after == D("22.32")


def test_a_what_if_of_a_scenario_is_saved_on_its_base_with_both_differences(model_b):
    first = _save(model_b, whatif.WhatIf(roles={"pn": NURSE_24}, patient_scale=D(2)))

    second = services.scenario_save(
        cost_model=first,
        model=selectors.engine_model(first),
        changes=whatif.WhatIf(extra_costs={D("0.85"): D("0.87")}, patient_scale=D("0.75")),
        name="Both",
        by=None,
    )

    assert second.based_on == model_b
    assert second.overlay["patient_scale"] == "1.50"
    assert second.overlay["roles"]["pn"]["cost_per_hour"] == "24.00"


def test_the_base_of_a_scenario_is_not_deleted(client, admin, model_b):
    scenario = _save(model_b, whatif.WhatIf(patient_scale=D(2)))
    client.force_login(admin)

    response = client.post(reverse("model_delete", args=["B82001", model_b.pk]))

    assert response.status_code == 302
    assert CostModel.objects.filter(pk=model_b.pk).exists()
    services.cost_model_delete(cost_model=scenario, by=None)
    services.cost_model_delete(cost_model=model_b, by=None)
    assert not CostModel.objects.exists()


def test_the_scenario_page_lists_its_differences_in_words(client, admin, model_b):
    scenario = _save(model_b, whatif.WhatIf(roles={"pn": NURSE_24}, stage_minutes={("csp", 4): D(40)}))
    client.force_login(admin)

    html = client.get(scenario.get_absolute_url()).content.decode()

    assert "Practice nurse £18.60 → £24.00 an hour" in html
    assert "Care and support planning conversation 30 → 40 minutes" in html
    assert "Edit model and cohorts" not in html
    assert client.get(reverse("model_edit", args=["B82001", scenario.pk])).status_code == 302


def test_the_first_model_is_the_baseline_and_another_can_be_marked(client, admin, model_b, example_cd):
    other = services.cost_model_import(practice=model_b.practice, model=example_cd, by=None)
    scenario = _save(model_b, whatif.WhatIf(patient_scale=D(2)))
    client.force_login(admin)
    assert CostModel.objects.get(is_baseline=True) == model_b

    client.post(reverse("model_mark_baseline", args=["B82001", other.pk]))
    client.post(reverse("model_mark_baseline", args=["B82001", scenario.pk]))

    assert list(CostModel.objects.filter(is_baseline=True)) == [other]


def test_the_database_allows_one_baseline_a_practice_and_no_scenario(model_b, example_cd):
    other = services.cost_model_import(practice=model_b.practice, model=example_cd, by=None)
    scenario = _save(model_b, whatif.WhatIf(patient_scale=D(2)))

    with pytest.raises(IntegrityError), transaction.atomic():
        CostModel.objects.filter(pk=other.pk).update(is_baseline=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostModel.objects.filter(pk=model_b.pk).update(is_baseline=False)
        CostModel.objects.filter(pk=scenario.pk).update(is_baseline=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostModel.objects.filter(pk=scenario.pk).update(based_on=None)


@pytest.mark.parametrize("scale", [D("0.75"), D("1.25")])
def test_a_scaled_scenario_of_one_person_shows_its_page_report_and_downloads(client, admin, model_b, scale):
    scenario = _save(model_b, whatif.WhatIf(patient_scale=scale))
    client.force_login(admin)

    page = client.get(scenario.get_absolute_url())

    assert page.status_code == 200
    assert f"{scale} people" in page.content.decode() or f"{scale} person" in page.content.decode()
    for name in ("model_xlsx", "model_csv", "model_decisions", "model_pdf"):
        assert client.get(reverse(name, args=["B82001", scenario.pk])).status_code == 200, name
    assert client.get(reverse("model_export", args=["B82001", scenario.pk])).status_code == 302  # no whole people
