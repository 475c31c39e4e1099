"""A new practice's first hour, and the decisions page's plain words: the checklist that ticks itself,
adding roles one after another, copying the practice's own pathways, and what the Monte Carlo assumes."""

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from pathways import first_steps
from pathways.models import DecisionInputs, Pathway
from pathways.services import cost_model_import
from practices.models import Membership, StaffRole
from tests.factories import MembershipFactory, PracticeFactory, StaffRoleFactory
from tests.factories.editor import pathway_post, stage
from tests.integration.test_decisions_views import _edit_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="Y01234", list_size=9699)


@pytest.fixture
def admin(client, practice):
    user = MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user
    client.force_login(user)
    return user


def _steps(client, practice) -> dict[str, str]:
    html = client.get(reverse("practice_detail", args=[practice.ods_code])).content.decode()
    if 'data-testid="start-here"' not in html:
        return {}
    return dict(re.findall(r'data-step="(\w+)">.*?\((done|to do)\)', html, re.DOTALL))


def test_an_empty_practice_shows_the_start_here_checklist_and_it_ticks_itself(client, admin, practice, example_b):
    assert _steps(client, practice) == {"roles": "to do", "pathways": "to do", "model": "to do", "compare": "to do"}
    html = client.get(reverse("practice_detail", args=[practice.ods_code])).content.decode()
    assert reverse("role_create", args=[practice.ods_code]) in html
    assert reverse("profile_create", args=[practice.ods_code]) in html
    assert reverse("profile_import", args=[practice.ods_code]) in html

    StaffRoleFactory(practice=practice)
    assert _steps(client, practice)["roles"] == "done"

    cost_model_import(practice=practice, model=example_b, by=None)  # roles, pathways and a model with people

    assert _steps(client, practice) == {}  # every step done: the checklist is gone


def test_the_checklist_steps_are_data_and_read_only_staff_get_no_editing_links(practice):
    facts = first_steps.Facts(roles=1, pathways=0, models=0, headlines=())

    steps = first_steps.checklist(practice, facts, can_edit=False)

    assert [s.key for s in steps] == [s.key for s in first_steps.STEPS] == ["roles", "pathways", "model", "compare"]
    assert [s.done for s in steps] == [True, False, False, False]
    assert [link.label for s in steps for link in s.links] == ["Practice profiles"]


def test_save_and_add_another_role_opens_a_new_blank_form_on_the_default_basis(client, admin, practice):
    url = reverse("role_create", args=[practice.ods_code])
    form = client.get(url).content.decode()
    assert re.search(r'value="salary_on_costs"[^>]*checked', form)
    assert "Save and add another" in form

    response = client.post(
        url,
        {
            "name": "Practice nurse",
            "entry_method": "hourly",
            "cost_per_hour": "18.60",
            "cost_basis": "salary_only",
            "then": "another",
        },
    )

    assert response.status_code == 302 and response.url == url
    assert StaffRole.objects.get(practice=practice).cost_per_hour == D("18.60")
    assert "Saved “Practice nurse”" in client.get(url).content.decode()


def test_a_pathway_starts_as_a_copy_of_one_of_the_practices_own(client, admin, practice):
    nurse = StaffRoleFactory(practice=practice, key="pn", name="Practice nurse", cost_per_hour=D("18.60"))
    original = Pathway.objects.create(practice=practice, key="dm", name="Diabetes review")
    client.post(
        reverse("pathway_edit", args=[practice.ods_code, original.pk]),
        pathway_post("Diabetes review", [stage("Review", "review", nurse, "20", visit=1)])
        | {"pathway-version": str(original.version)},
    )
    create = reverse("pathway_create", args=[practice.ods_code])
    assert f'value="practice:{original.pk}"' in client.get(create).content.decode()

    response = client.post(create, {"name": "CHD review", "start_from": f"practice:{original.pk}"})

    copy = Pathway.objects.get(practice=practice, name="CHD review")
    assert response.url == reverse("pathway_edit", args=[practice.ods_code, copy.pk])
    assert [(s.name, s.role_id, s.minutes, s.visit) for s in copy.stages.all()] == [("Review", nurse.pk, D(20), 1)]
    assert original.stages.count() == 1


def test_another_practices_pathway_cannot_be_copied(client, admin, practice):
    elsewhere = Pathway.objects.create(practice=PracticeFactory(), key="x", name="Theirs")

    response = client.post(
        reverse("pathway_create", args=[practice.ods_code]), {"name": "Mine", "start_from": f"practice:{elsewhere.pk}"}
    )

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Pathway.objects.filter(practice=practice).exists()


def test_save_and_start_a_new_pathway_goes_to_a_new_pathway(client, admin, practice):
    pathway = Pathway.objects.create(practice=practice, key="dm", name="Diabetes review")
    edit = reverse("pathway_edit", args=[practice.ods_code, pathway.pk])
    page = client.get(edit).content.decode()
    assert "Save and start a new pathway" in page
    assert "It can be restored from Deleted items" in page  # the delete asks first

    response = client.post(
        edit, pathway_post("Diabetes review", [], action="save-new") | {"pathway-version": str(pathway.version)}
    )

    assert response.url == reverse("pathway_create", args=[practice.ods_code])


# ------------------------------------------------------------------ the decisions page's words


@pytest.fixture
def model_cd(practice, example_cd):
    return cost_model_import(practice=practice, model=example_cd, by=None)


def test_the_decisions_page_says_what_the_range_assumes_and_how_many_variations_saved(client, admin, model_cd):
    edit = reverse("model_decisions_edit", args=[model_cd.practice.ods_code, model_cd.pk])
    page = reverse("model_decisions", args=[model_cd.practice.ods_code, model_cd.pk])
    client.post(edit, _edit_data())

    html = client.get(page).content.decode()

    assert DecisionInputs.objects.get().minutes_together is True
    assert "The minutes of the same kind of step move together" in html
    assert "All 2,000 simulated variations saved money." in html
    for term in ("Simulated variation", "Range", "Percentile", "Tornado chart:"):
        assert term in html
    # Hours freed and hours added by role, not only the net figure.
    assert "68.72 hours freed, 53.93 hours more of other roles" in html

    client.post(edit, _edit_data(**{"inputs-minutes_together": "false"}))
    html = client.get(page).content.decode()

    assert DecisionInputs.objects.get().minutes_together is False
    assert "Each stage's minutes vary on their own" in html


def test_read_only_staff_are_not_told_to_save_a_scenario(client, practice, model_cd):
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.STAFF).user)

    html = client.get(reverse("model_detail", args=[practice.ods_code, model_cd.pk])).content.decode()

    assert "save a scenario" not in html and "Nothing is saved." in html


def test_every_description_a_decisions_field_points_at_exists(client, admin, model_cd):
    edit = reverse("model_decisions_edit", args=[model_cd.practice.ods_code, model_cd.pk])
    for html in (
        client.get(edit).content.decode(),
        client.post(edit, _edit_data(**{"inputs-draws": "lots"})).content.decode(),
    ):
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        described = {i for value in re.findall(r'aria-describedby="([^"]+)"', html) for i in value.split()}

        assert described and described <= ids, described - ids
    assert "<title>Error: " in html


def test_list_sizes_are_shown_with_thousands_separators(client, admin, practice):
    practice_page = client.get(reverse("practice_detail", args=[practice.ods_code])).content.decode()
    dashboard = client.get(reverse("dashboard")).content.decode()

    assert "Registered list size 9,699" in practice_page
    assert "list size 9,699" in dashboard
    assert "9699" not in practice_page + dashboard
