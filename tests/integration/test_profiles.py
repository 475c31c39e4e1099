"""Practice profiles in the database and on their pages: entry, import, history, generation, derivation."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from costing import profiles
from pathways import selectors, services
from pathways.models import CostModel, PracticeProfile, ProfileGroup, ProfileRegister
from pathways.services import cost_model_import
from practices.models import Membership
from tests.factories import MembershipFactory, PracticeFactory

pytestmark = pytest.mark.django_db

B_CSV = (
    "kind,ages,conditions,number of conditions,people\n"
    "list size,,,,1\nage band,18+,,,1\nregister,,DM,,1\nregister,,CHD,,1\nregister,,COPD,,1\ngroup,,DM;CHD;COPD,,1\n"
)


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="D84001", list_size=9699)


@pytest.fixture
def admin(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def model_b(practice, example_b):
    """Example B's roles and pathways (dm, chd, copd, csp) in the practice."""
    return cost_model_import(practice=practice, model=example_b, by=None)


@pytest.fixture
def profile_b(practice, example_b, admin):
    return services.profile_create(
        practice=practice, read_on=date(2026, 11, 2), profile=profiles.from_model(example_b), by=admin
    )


def _import(client, body: bytes, name: str = "profile.csv", **fields):
    return client.post(
        reverse("profile_import", args=["D84001"]),
        {"file": SimpleUploadedFile(name, body), "read_on": "2026-11-02", "note": "EMIS search", **fields},
    )


def _generate_data(**overrides) -> dict:
    return {
        "name": "Example B from its profile",
        "period": "per patient",
        "pathway_DM": "dm",
        "times_DM": "1",
        "pathway_CHD": "chd",
        "times_CHD": "1",
        "pathway_COPD": "copd",
        "times_COPD": "1",
        "csp_pathway": "csp",
        "complex_pathway": "",
        "complex_from": "3",
        **overrides,
    }


# ------------------------------------------------------------------ services


def test_a_profile_is_stored_with_its_rows_and_read_back(practice, admin):
    profile = profiles.Profile(
        100,
        (profiles.AgeBand(0, 17, 20), profiles.AgeBand(18, None, 80)),
        (profiles.Register("DM", 10), profiles.Register("CHD", 6)),
        (profiles.Group(3, ("DM", "CHD")), profiles.Group(7, ("DM",))),
    )

    stored = services.profile_create(practice=practice, read_on=date(2026, 11, 2), profile=profile, by=admin)

    assert selectors.engine_profile(selectors.profiles_with_rows().get(pk=stored.pk)) == profile
    assert stored.history.get().history_user == admin
    assert ProfileRegister.history.filter(history_user=admin).count() == 2


def test_a_profile_whose_counts_disagree_is_not_stored(practice):
    bad = profiles.Profile(5, registers=(profiles.Register("DM", 6),))

    with pytest.raises(services.ProfileInvalid, match="more than the list size of 5"):
        services.profile_create(practice=practice, read_on=date(2026, 11, 2), profile=bad, by=None)

    assert not PracticeProfile.objects.exists()


def test_example_b_generated_from_its_profile_costs_exactly_the_published_figures(model_b, profile_b, admin):
    generated = services.cost_model_generate(
        practice_profile=selectors.profiles_with_rows().get(pk=profile_b.pk),
        choices=profiles.Choices(
            {code: profiles.Review(code.lower()) for code in ("DM", "CHD", "COPD")}, csp_pathway="csp"
        ),
        name="Example B from its profile",
        period="per patient",
        by=admin,
    )

    c = selectors.compare_cost_model(generated)
    assert (c.before.cost, c.after.cost, c.saving, c.saving_percent) == (
        Decimal("31.39"),
        Decimal("17.72"),
        Decimal("13.67"),
        Decimal("43.5"),
    )
    assert (c.before.people, c.before.reviews, c.after.people, c.after.reviews) == (1, 3, 1, 1)
    assert generated.groups.get().label == "DM + CHD + COPD"
    assert generated.description.startswith("Generated from the practice profile of 2 November 2026")
    assert generated.history.get().history_user == admin


def test_examples_c_and_d_cannot_give_a_profile_and_nothing_is_stored(practice, example_cd, admin):
    model_cd = cost_model_import(practice=practice, model=example_cd, by=None)

    with pytest.raises(profiles.CannotGenerate, match="DM: 23 reviews before, 25 people after"):
        services.profile_derive(cost_model=model_cd, by=admin)

    assert not PracticeProfile.objects.exists()


def test_example_b_gives_its_profile(model_b, admin):
    stored = services.profile_derive(cost_model=model_b, by=admin)

    assert selectors.engine_profile(selectors.profiles_with_rows().get(pk=stored.pk)).groups == (
        profiles.Group(1, ("DM", "CHD", "COPD")),
    )
    assert stored.note.endswith("list size = its people")


# ------------------------------------------------------------------ import


def test_import_with_an_error_names_row_and_column_and_saves_nothing(admin_client):
    body = B_CSV.replace("register,,CHD,,1", "register,,CHD,,2x").replace("group,,DM;CHD;COPD,,1", "group,,DM;XYZ,,1")

    response = _import(admin_client, body.encode())

    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "<td>5</td><td>people</td><td>&#x27;2x&#x27; is not a number</td>" in html
    assert "<td>7</td><td>conditions</td><td>unknown condition code &#x27;XYZ&#x27;</td>" in html
    assert not PracticeProfile.objects.exists()


def test_import_whose_counts_disagree_names_the_row(admin_client):
    response = _import(admin_client, B_CSV.replace("group,,DM;CHD;COPD,,1", "group,,DM;CHD;COPD,,2").encode())

    assert response.status_code == 422
    assert "<td>7</td><td>people</td><td>2 people with DM, more than the 1 on its register</td>" in (
        response.content.decode()
    )
    assert not PracticeProfile.objects.exists()


def test_a_correct_csv_import_stores_the_profile(admin_client, admin):
    response = _import(admin_client, B_CSV.encode())

    stored = PracticeProfile.objects.get()
    assert response.status_code == 302 and response.url == stored.get_absolute_url()
    assert (stored.read_on, stored.note, stored.list_size, stored.created_by) == (
        date(2026, 11, 2),
        "EMIS search",
        1,
        admin,
    )
    assert ProfileGroup.objects.get().conditions.count() == 3


def test_an_xlsx_import_reads_the_same(admin_client):
    wb = Workbook()
    for line in B_CSV.splitlines():
        wb.active.append([int(v) if v.isdigit() else v for v in line.split(",")])
    buffer = io.BytesIO()
    wb.save(buffer)

    response = _import(admin_client, buffer.getvalue(), name="profile.xlsx")

    assert response.status_code == 302
    assert PracticeProfile.objects.get().list_size == 1


def test_import_refuses_another_kind_of_file(admin_client):
    response = _import(admin_client, b"%PDF-1.4", name="profile.pdf")

    assert response.status_code == 422
    assert "choose a .csv or .xlsx file" in response.content.decode()


# ------------------------------------------------------------------ the form


def _form_data(**overrides) -> dict:
    data = {
        "read_on": "2026-11-02",
        "note": "",
        "list_size": "100",
        "register_DM": "10",
        "register_CHD": "6",
        "bands-TOTAL_FORMS": "2",
        "bands-INITIAL_FORMS": "0",
        "bands-0-ages": "0-17",
        "bands-0-people": "20",
        "bands-1-ages": "18+",
        "bands-1-people": "80",
        "groups-TOTAL_FORMS": "3",
        "groups-INITIAL_FORMS": "0",
        "groups-0-conditions": "DM; CHD",
        "groups-0-people": "3",
        "groups-1-conditions": "DM",
        "groups-1-people": "7",
    }
    return data | overrides


def test_a_profile_entered_in_the_form_is_saved(admin_client):
    response = admin_client.post(reverse("profile_create", args=["D84001"]), _form_data())

    stored = selectors.profiles_with_rows().get()
    assert response.status_code == 302
    assert selectors.engine_profile(stored).groups == (profiles.Group(3, ("DM", "CHD")), profiles.Group(7, ("DM",)))


def test_the_form_shows_each_problem_beside_its_field_and_saves_nothing(admin_client):
    response = admin_client.post(
        reverse("profile_create", args=["D84001"]),
        _form_data(**{"groups-0-people": "11", "bands-1-ages": "adults", "groups-2-count": "3+"}),
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "&#x27;adults&#x27; is not an age band" in html
    assert 'id="id_groups-2-people_error"' in html  # a count without people
    assert not PracticeProfile.objects.exists()


def test_the_form_refuses_a_group_above_its_register(admin_client):
    response = admin_client.post(reverse("profile_create", args=["D84001"]), _form_data(**{"groups-0-people": "7"}))

    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_groups-1-people_error"' in html
    assert "The groups with DM add up to 14 people, more than the 10 on its register." in html
    assert not PracticeProfile.objects.exists()


def test_editing_a_profile_replaces_its_counts_and_keeps_history(admin_client, profile_b):
    url = reverse("profile_edit", args=["D84001", profile_b.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and 'value="DM; CHD; COPD"' in page.content.decode()

    response = admin_client.post(url, _form_data(version=str(profile_b.version)))

    assert response.status_code == 302
    profile_b.refresh_from_db()
    assert profile_b.list_size == 100
    assert profile_b.history.count() == 2  # created, then saved


def test_a_stale_edit_is_refused(admin_client, profile_b):
    response = admin_client.post(
        reverse("profile_edit", args=["D84001", profile_b.pk]), _form_data(version=str(profile_b.version - 1 or 99))
    )

    assert response.status_code == 302 and response.url.endswith("/edit/")
    profile_b.refresh_from_db()
    assert profile_b.list_size == 1


# ------------------------------------------------------------------ pages


def test_read_only_staff_see_a_profile_without_its_edit_buttons(client, practice, profile_b):
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.STAFF).user)

    page = client.get(reverse("profile_detail", args=["D84001", profile_b.pk])).content.decode()

    assert "DM + CHD + COPD" in page
    assert "Generate a cost model" not in page and ">Edit<" not in page
    assert client.post(reverse("profile_generate", args=["D84001", profile_b.pk]), _generate_data()).status_code == 403


def test_the_practice_page_links_to_its_profiles(admin_client):
    page = admin_client.get(reverse("practice_detail", args=["D84001"])).content.decode()

    assert reverse("profile_list", args=["D84001"]) in page


def test_generate_page_proposes_the_pathways_keyed_by_each_code_and_makes_the_model(admin_client, model_b, profile_b):
    url = reverse("profile_generate", args=["D84001", profile_b.pk])
    page = admin_client.get(url).content.decode()
    assert '<option value="dm" selected>' in page

    response = admin_client.post(url, _generate_data())

    generated = CostModel.objects.get(name="Example B from its profile")
    assert response.status_code == 302 and response.url == generated.get_absolute_url()
    comparison = admin_client.get(response.url).content.decode()
    assert "£31.39" in comparison and "£17.72" in comparison


def test_generate_without_a_chosen_pathway_says_so_and_makes_nothing(admin_client, model_b, profile_b):
    response = admin_client.post(
        reverse("profile_generate", args=["D84001", profile_b.pk]), _generate_data(csp_pathway="")
    )

    assert response.status_code == 422
    assert not CostModel.objects.filter(name="Example B from its profile").exists()


def test_a_profile_that_cannot_generate_says_why_on_its_pages(admin_client, practice):
    stored = services.profile_create(
        practice=practice,
        read_on=date(2026, 11, 2),
        profile=profiles.Profile(
            100,
            registers=(profiles.Register("DM", 10), profiles.Register("CHD", 5), profiles.Register("COPD", 4)),
            groups=(profiles.Group(3, count=2),),
        ),
        by=None,
    )

    detail = admin_client.get(stored.get_absolute_url()).content.decode()
    response = admin_client.post(reverse("profile_generate", args=["D84001", stored.pk]), _generate_data())

    assert "A model cannot be generated from this profile" in detail
    assert "not by which" in detail
    assert response.status_code == 422
    assert CostModel.objects.count() == 0


def test_deriving_examples_c_and_d_from_the_model_page_says_why_not(admin_client, practice, example_cd):
    model_cd = cost_model_import(practice=practice, model=example_cd, by=None)

    response = admin_client.post(reverse("model_profile_derive", args=["D84001", model_cd.pk]), follow=True)

    html = response.content.decode()
    assert "No profile was made: the before and after sides of this model are not one population" in html
    assert "DM: 23 reviews before, 25 people after" in html
    assert not PracticeProfile.objects.exists()


def test_deleting_a_profile_keeps_the_models_generated_from_it(admin_client, model_b, profile_b):
    admin_client.post(reverse("profile_generate", args=["D84001", profile_b.pk]), _generate_data())

    response = admin_client.post(reverse("profile_delete", args=["D84001", profile_b.pk]))

    assert response.status_code == 302
    assert not PracticeProfile.objects.exists()
    assert CostModel.objects.filter(name="Example B from its profile").exists()


def test_add_group_rows_keeps_what_was_typed_and_saves_nothing(admin_client):
    response = admin_client.post(reverse("profile_create", args=["D84001"]), _form_data(action="more:groups"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="groups-TOTAL_FORMS" value="9"' in html  # the 3 rows posted and 6 blank
    assert 'value="DM; CHD"' in html and 'name="register_DM" value="10"' in html
    assert "Nothing was saved" not in html
    assert not PracticeProfile.objects.exists()
