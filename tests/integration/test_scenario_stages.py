"""The what-if panel removes and adds stages and sets the period; a scenario stores them in its overlay."""

import json
from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.urls import reverse

from costing import engine, exchange
from pathways import selectors, services
from pathways.models import Cohort, CohortGroup, CostModel, Pathway, Stage
from practices.models import Membership, StaffRole
from tests.factories import MembershipFactory, PracticeFactory
from tests.integration.test_compare_views import _panel_data

pytestmark = pytest.mark.django_db

LETTER = engine.Stage(name="Results letter", step=engine.Step.INFORMATION_SHARING, role="admin", minutes=D(5))
ADD_LETTER = {
    "add_pathway": "0",  # Diabetes review, the first pathway
    "add_name": "Results letter",
    "add_step": "information_sharing",
    "add_role": "admin",
    "add_minutes": "5",
}
REMOVE_CLINICAL_REVIEW = {"stage_0_2_remove": "on"}  # Diabetes review's "Clinical review of tests"


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="B82001")


@pytest.fixture
def model_b(practice, example_b):
    return services.cost_model_import(practice=practice, model=example_b, by=None)


@pytest.fixture
def admin(client, practice):
    user = MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user
    client.force_login(user)
    return user


def edited_copy(example_b: engine.CostModel) -> engine.CostModel:
    """Example B edited by hand: the diabetes review without its clinical review, with a results letter at its end."""
    dm = example_b.pathways[0]
    stages = (*dm.stages[:2], *dm.stages[3:], LETTER)
    return replace(example_b, pathways=(replace(dm, stages=stages), *example_b.pathways[1:]))


def _save(client, model, data: dict, name="Letter, no review"):
    body = {**_panel_data(client, model), **data, "scenario_name": name}
    return client.post(reverse("model_whatif_save", args=["B82001", model.pk]), body)


def test_removing_and_adding_a_stage_saves_them_in_the_overlay_and_no_rows(client, admin, model_b, example_b):
    counts = [m.objects.count() for m in (StaffRole, Pathway, Stage, Cohort, CohortGroup)]

    response = _save(client, model_b, {**REMOVE_CLINICAL_REVIEW, **ADD_LETTER})

    scenario = CostModel.objects.get(name="Letter, no review")
    assert response.status_code == 302
    assert [m.objects.count() for m in (StaffRole, Pathway, Stage, Cohort, CohortGroup)] == counts
    assert scenario.overlay["removed_stages"] == [{"pathway": "dm", "index": 2, "name": "Clinical review of tests"}]
    assert scenario.overlay["added_stages"] == [
        {
            "pathway": "dm",
            "position": 4,
            "name": "Results letter",
            "step": "information_sharing",
            "minutes": "5",
            "role": "admin",
        }
    ]
    assert selectors.compare_cost_model(scenario).before == engine.compare(edited_copy(example_b)).before
    html = client.get(scenario.get_absolute_url()).content.decode()
    assert "Removed: Clinical review of tests from Diabetes review" in html
    assert "Added: Results letter (Administrator, 5 min) to Diabetes review" in html


def test_a_scenario_exports_its_effective_model(client, admin, model_b, example_b):
    _save(client, model_b, {**REMOVE_CLINICAL_REVIEW, **ADD_LETTER})
    scenario = CostModel.objects.get(name="Letter, no review")

    response = client.get(reverse("model_export", args=["B82001", scenario.pk]))

    exported = exchange.loads(response.content)
    assert [s.name for s in exported.pathways[0].stages] == [
        *(s.name for s in example_b.pathways[0].stages if s.name != "Clinical review of tests"),
        "Results letter",
    ]
    expected = engine.compare(edited_copy(example_b))
    assert engine.compare(exported).before == expected.before
    assert json.loads(response.content)["version"] == 2


def test_the_live_what_if_removes_and_adds_and_lists_them(client, admin, model_b, example_b):
    body = {**_panel_data(client, model_b), **REMOVE_CLINICAL_REVIEW, **ADD_LETTER, "add_position": "1"}

    response = client.post(reverse("model_whatif", args=["B82001", model_b.pk]), body)

    assert response.status_code == 200
    dm = example_b.pathways[0]
    first = replace(dm, stages=(LETTER, *dm.stages[:2], dm.stages[3]))
    expected = engine.compare(replace(example_b, pathways=(first, *example_b.pathways[1:])))
    assert response.context["c"].before == expected.before
    assert response.context["changes"] == [
        "Removed: Clinical review of tests from Diabetes review",
        "Added: Results letter (Administrator, 5 min) to Diabetes review",
    ]


def test_the_period_is_applied_live_and_stored(client, admin, model_b):
    body = {**_panel_data(client, model_b), "period": "year"}

    live = client.post(reverse("model_whatif", args=["B82001", model_b.pk]), body)
    _save(client, model_b, {"period": "year"}, name="A year")

    assert live.context["c"].period == engine.Period.YEAR
    assert "Numbers counted per patient → a year" in live.context["changes"]
    scenario = CostModel.objects.get(name="A year")
    assert scenario.overlay == {"overlay": 1, "period": "year"}
    assert scenario.period == "year"
    assert selectors.compare_cost_model(scenario).period == engine.Period.YEAR


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"add_role": "ghost"}, "add_role", "a scenario cannot create a role"),
        ({"add_role": ""}, "add_role", "A stage with minutes needs someone to spend them"),
        ({"add_position": "9"}, "add_position", "Diabetes review has 4 stages: give a position from 1 to 5"),
        ({"add_name": ""}, "add_name", "Name the stage to add."),
        (
            {"add_pathway": "", "add_name": "Results letter"},
            "add_pathway",
            "Choose the pathway to add “Results letter” to.",
        ),
    ],
)
def test_a_bad_added_stage_is_said_and_nothing_saved(client, admin, model_b, data, field, message):
    response = _save(client, model_b, {**ADD_LETTER, **data})

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert CostModel.objects.count() == 1


def test_a_pathway_at_its_stage_limit_takes_no_more(client, admin, practice, example_b):
    dm = example_b.pathways[0]
    full = replace(dm, stages=tuple(replace(dm.stages[0], name=f"Stage {i}") for i in range(20)))
    model = services.cost_model_import(
        practice=practice, model=replace(example_b, pathways=(full, *example_b.pathways[1:])), by=None
    )

    refused = _save(client, model, ADD_LETTER)
    taken = _save(client, model, {**ADD_LETTER, "stage_0_0_remove": "on"})

    assert "already has 20 stages" in " ".join(refused.context["form"].errors["add_pathway"])
    assert taken.status_code == 302


def test_a_removed_stage_the_base_then_deletes_is_listed_as_no_longer_applying(client, admin, model_b):
    _save(client, model_b, REMOVE_CLINICAL_REVIEW, name="No review")
    scenario = CostModel.objects.get(name="No review")
    Stage.objects.filter(pathway__key="dm", name="Clinical review of tests").delete()

    response = client.get(scenario.get_absolute_url())

    assert response.status_code == 200
    assert (
        "No longer applies: removing “Clinical review of tests” from “Diabetes review” (the base has no such stage now)"
        in response.content.decode()
    )


def test_a_what_if_of_a_scenario_changes_its_added_stage_and_adds_another(client, admin, model_b, example_b):
    _save(client, model_b, {**REMOVE_CLINICAL_REVIEW, **ADD_LETTER})
    first = CostModel.objects.get(name="Letter, no review")
    # On the scenario, the letter is the diabetes review's 4th stage: it takes 3 minutes; a call goes before it.
    second = {
        "stage_0_3_minutes": "3",
        "add_pathway": "0",
        "add_name": "Reminder call",
        "add_step": "recall",
        "add_role": "admin",
        "add_minutes": "2",
        "add_position": "4",
    }

    _save(client, first, second, name="Both")

    both = CostModel.objects.get(name="Both")
    assert both.based_on == model_b
    assert [a["name"] for a in both.overlay["added_stages"]] == ["Reminder call", "Results letter"]
    assert both.overlay["added_stages"][1]["minutes"] == "3"
    dm = example_b.pathways[0]
    call = engine.Stage(name="Reminder call", step=engine.Step.RECALL, role="admin", minutes=D(2))
    stages = (*dm.stages[:2], dm.stages[3], call, replace(LETTER, minutes=D(3)))
    expected = engine.compare(replace(example_b, pathways=(replace(dm, stages=stages), *example_b.pathways[1:])))
    assert selectors.compare_cost_model(both).before == expected.before
    assert [s.name for s in selectors.engine_model(both).pathways[0].stages][-2:] == ["Reminder call", "Results letter"]


def test_the_api_gives_a_scenario_its_effective_model_file_period_and_costing(client, admin, model_b, example_b):
    from rest_framework.test import APIClient

    from api.services import api_token_create

    _save(client, model_b, {**REMOVE_CLINICAL_REVIEW, **ADD_LETTER, "period": "year"})
    scenario = CostModel.objects.get(name="Letter, no review")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=admin, name='test').secret}")

    listed = api.get("/api/v1/practices/B82001/models/").json()["results"]
    file = api.get(f"/api/v1/practices/B82001/models/{scenario.pk}/").json()
    costing = api.get(f"/api/v1/practices/B82001/models/{scenario.pk}/costing/").json()

    assert {m["name"]: m["period"] for m in listed} == {model_b.name: "per patient", scenario.name: "year"}
    assert file["period"] == "year"
    assert [s["name"] for s in file["pathways"][0]["stages"]][-2:] == ["Routine review", "Results letter"]
    expected = replace(edited_copy(example_b), period=engine.Period.YEAR, name=scenario.name)
    assert costing == json.loads(json.dumps(exchange.costing_json(expected)))


def test_a_base_moved_to_another_period_keeps_a_scenarios_own(client, admin, model_b):
    _save(client, model_b, {"period": "year"}, name="A year")
    _save(client, model_b, {"scale": "2"}, name="Twice")

    services.cost_model_update(
        cost_model=model_b, name=model_b.name, description="", period="month", before=[], after=[], by=None
    )

    assert dict(CostModel.objects.filter(based_on=model_b).values_list("name", "period")) == {
        "A year": "year",
        "Twice": "month",
    }
