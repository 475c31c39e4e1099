"""The audit trail (who changed what, when), restoring deletions, and no lost updates."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from pathways import selectors
from pathways.history import restore_deleted
from pathways.models import Cohort, CohortGroup, CostModel, Pathway, Stage
from pathways.services import cost_model_delete, cost_model_import
from practices.models import Membership, StaffRole
from tests.factories import MembershipFactory, PracticeFactory
from tests.factories.editor import model_post, pathway_post, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="E85001")


@pytest.fixture
def admin(practice):
    return MembershipFactory(
        practice=practice, role=Membership.Role.ADMIN, user__first_name="Ada", user__last_name="Admin"
    ).user


@pytest.fixture
def model_b(practice, example_b):
    return cost_model_import(practice=practice, model=example_b, by=None)


def _role_post(role: StaffRole, rate: str, version) -> dict:
    return {
        "version": str(version),
        "name": role.name,
        "key": role.key,
        "band": role.band,
        "entry_method": "hourly",
        "cost_per_hour": rate,
        "cost_basis": "salary_only",
    }


def test_second_of_two_simultaneous_role_edits_is_refused_and_the_first_kept(client, admin, practice, model_b):
    client.force_login(admin)
    nurse = StaffRole.objects.get(practice=practice, key="pn")
    url = reverse("role_edit", args=[practice.ods_code, nurse.pk])
    opened = nurse.version

    first = client.post(url, _role_post(nurse, "20.00", opened))
    second = client.post(url, _role_post(nurse, "25.00", opened))

    nurse.refresh_from_db()
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Someone else saved this role" in second.content.decode()
    assert nurse.cost_per_hour == D("20.00")


def test_second_of_two_simultaneous_pathway_edits_is_refused(client, admin, practice, model_b):
    client.force_login(admin)
    pathway = Pathway.objects.get(practice=practice, key="copd")
    role = StaffRole.objects.get(practice=practice, key="pn")
    url = reverse("pathway_edit", args=[practice.ods_code, pathway.pk])
    opened = pathway.version

    first = client.post(
        url,
        {**pathway_post("COPD review", [stage("Review", "review", role, "20", visit=1)]), "pathway-version": opened},
    )
    second = client.post(
        url, {**pathway_post("COPD v2", [stage("Review", "review", role, "40", visit=1)]), "pathway-version": opened}
    )

    pathway.refresh_from_db()
    assert first.status_code == 302
    assert "Someone else saved this pathway" in second.content.decode()
    assert pathway.name == "COPD review"
    assert [s.minutes for s in pathway.stages.all()] == [D(20)]


def test_changing_a_role_rate_gives_the_models_using_it_a_new_version(client, admin, practice, model_b):
    client.force_login(admin)
    nurse = StaffRole.objects.get(practice=practice, key="pn")
    before = model_b.version

    client.post(reverse("role_edit", args=[practice.ods_code, nurse.pk]), _role_post(nurse, "20.00", nurse.version))

    model_b.refresh_from_db()
    assert model_b.version > before
    assert selectors.compare_cost_model(model_b).after.cost != D("17.72")


def test_model_history_shows_who_changed_what(client, admin, practice, model_b):
    client.force_login(admin)
    nurse = StaffRole.objects.get(practice=practice, key="pn")
    client.post(reverse("role_edit", args=[practice.ods_code, nurse.pk]), _role_post(nurse, "20.00", nurse.version))

    response = client.get(reverse("model_history", args=[practice.ods_code, model_b.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ada Admin" in html
    assert "cost_per_hour" in html
    assert "18.6000 → 20.0000" in html or "18.60 → 20.00" in html


def test_model_history_is_for_admins_and_facilitators_not_staff(client, practice, model_b):
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.STAFF).user)

    assert client.get(reverse("model_history", args=[practice.ods_code, model_b.pk])).status_code == 403


def test_a_deleted_model_is_restored_with_its_cohorts(client, admin, practice, model_b):
    client.force_login(admin)
    pk = model_b.pk
    client.post(reverse("model_delete", args=[practice.ods_code, pk]))
    assert not CostModel.objects.filter(pk=pk).exists()

    listing = client.get(reverse("deleted_list", args=[practice.ods_code]))
    item = next(i for i in listing.context["items"] if i.kind == "model")
    response = client.post(reverse("restore_deleted", args=[practice.ods_code, "model", item.history_id]))

    assert response.status_code == 302
    assert Cohort.objects.filter(cost_model_id=pk).count() == 4
    restored = selectors.compare_cost_model(pk)
    assert (restored.before.cost, restored.after.cost) == (D("31.39"), D("17.72"))
    assert [c.conditions for c in restored.after.cohorts] == [("DM", "CHD", "COPD")]


def test_a_deleted_pathway_is_restored_with_its_stages(client, admin, practice, model_b):
    client.force_login(admin)
    unused = Pathway.objects.get(practice=practice, key="copd")
    Cohort.objects.filter(pathway=unused).delete()
    pk = unused.pk
    client.post(reverse("pathway_delete", args=[practice.ods_code, pk]))

    item = next(
        i for i in client.get(reverse("deleted_list", args=[practice.ods_code])).context["items"] if i.kind == "pathway"
    )
    client.post(reverse("restore_deleted", args=[practice.ods_code, "pathway", item.history_id]))

    assert Pathway.objects.get(pk=pk).stages.count() == 3


def test_restoring_a_model_whose_pathway_is_gone_restores_nothing(client, admin, practice, model_b):
    client.force_login(admin)
    pk = model_b.pk
    client.post(reverse("model_delete", args=[practice.ods_code, pk]))
    Pathway.objects.filter(practice=practice, key="csp").delete()
    item = next(
        i for i in client.get(reverse("deleted_list", args=[practice.ods_code])).context["items"] if i.kind == "model"
    )

    response = client.post(reverse("restore_deleted", args=[practice.ods_code, "model", item.history_id]), follow=True)

    assert "Nothing was restored" in response.content.decode()
    assert not CostModel.objects.filter(pk=pk).exists()


def test_restoring_another_practices_deletion_is_404(client, admin, example_b):
    other = PracticeFactory()
    foreign = cost_model_import(practice=other, model=example_b, by=None)
    foreign_pk = foreign.pk
    foreign.delete()
    record = CostModel.history.filter(id=foreign_pk, history_type="-").get()
    client.force_login(admin)

    response = client.post(reverse("restore_deleted", args=["E85001", "model", record.history_id]))

    assert response.status_code == 404
    assert not CostModel.objects.filter(pk=foreign_pk).exists()


def test_a_service_outside_any_request_records_its_acting_user(practice, admin, example_b):
    """A command or task has no request: the history names the service's ``by``, cascades included."""
    model = cost_model_import(practice=practice, model=example_b, by=admin)
    model_id, cohort_ids = model.pk, list(model.cohorts.values_list("pk", flat=True))

    cost_model_delete(cost_model=model, by=admin)

    assert {r.history_user for r in CostModel.history.filter(id=model_id)} == {admin}
    assert {r.history_user for r in Stage.history.filter(practice_id=practice.pk)} == {admin}  # bulk-created
    deleted = Cohort.history.filter(id__in=cohort_ids, history_type="-")
    assert deleted.count() == len(cohort_ids) and {r.history_user for r in deleted} == {admin}


def test_a_deleted_model_of_a_departed_user_is_restored_by_a_command(practice, admin, example_b):
    model = cost_model_import(practice=practice, model=example_b, by=admin)
    model_id = model.pk
    cost_model_delete(cost_model=model, by=None)
    admin.delete()
    record = CostModel.history.get(id=model_id, history_type="-")

    restored = restore_deleted(practice=practice, kind="model", history_id=record.history_id, by=None)

    assert restored.created_by is None
    assert restored.cohorts.count() == len(example_b.before) + len(example_b.after)


def test_a_deleted_version_2_model_is_restored_with_its_groups(client, admin, practice, example_b_copd_twice):
    model = cost_model_import(practice=practice, model=example_b_copd_twice, by=admin)
    pk, original = model.pk, selectors.compare_cost_model(model.pk)
    cost_model_delete(cost_model=model, by=admin)
    client.force_login(admin)
    item = next(
        i for i in client.get(reverse("deleted_list", args=[practice.ods_code])).context["items"] if i.kind == "model"
    )

    response = client.post(reverse("restore_deleted", args=[practice.ods_code, "model", item.history_id]))

    assert response.status_code == 302
    group = CohortGroup.objects.get(cost_model_id=pk)
    assert list(group.group_conditions.values_list("condition__code", flat=True)) == ["DM", "CHD", "COPD"]
    assert set(Cohort.objects.filter(cost_model_id=pk).values_list("group", flat=True)) == {group.pk}
    restored = selectors.compare_cost_model(pk)
    assert restored == original
    assert (restored.before.people, restored.before.reviews, restored.after.people, restored.after.reviews) == (
        1,
        4,
        1,
        1,
    )


def test_a_deleted_model_made_by_its_user_is_restored_by_that_user(client, admin, practice, example_b):
    # Models made in the UI, by import or by the demo carry created_by; the restore
    # checks that user still exists while the request's user is a lazy object.
    model = cost_model_import(practice=practice, model=example_b, by=admin)
    assert model.created_by == admin
    client.force_login(admin)
    client.post(reverse("model_delete", args=[practice.ods_code, model.pk]))

    listing = client.get(reverse("deleted_list", args=[practice.ods_code]))
    item = next(i for i in listing.context["items"] if i.kind == "model")
    response = client.post(reverse("restore_deleted", args=[practice.ods_code, "model", item.history_id]))

    assert response.status_code == 302
    assert CostModel.objects.get(pk=model.pk).created_by == admin


def test_a_stale_role_form_without_its_version_is_refused(client, admin, practice, model_b):
    client.force_login(admin)
    nurse = StaffRole.objects.get(practice=practice, key="pn")
    data = _role_post(nurse, "99.00", nurse.version)
    del data["version"]

    response = client.post(reverse("role_edit", args=[practice.ods_code, nurse.pk]), data)

    assert response.status_code == 200 and "did not say which version" in response.content.decode()
    assert StaffRole.objects.get(pk=nurse.pk).cost_per_hour != D("99.00")


def test_a_stale_pathway_form_without_its_version_is_refused(client, admin, practice, model_b):
    client.force_login(admin)
    pathway = Pathway.objects.get(practice=practice, key="copd")
    role = StaffRole.objects.get(practice=practice, key="pn")

    response = client.post(
        reverse("pathway_edit", args=[practice.ods_code, pathway.pk]),
        pathway_post("Overwritten", [stage("Review", "review", role, "99", visit=1)]),
    )

    assert response.status_code == 200 and "did not say which version" in response.content.decode()
    assert Pathway.objects.get(pk=pathway.pk).name != "Overwritten"


def test_a_stale_model_form_without_its_version_is_refused(client, admin, practice, model_b):
    client.force_login(admin)

    response = client.post(reverse("model_edit", args=[practice.ods_code, model_b.pk]), model_post("Overwritten"))

    assert response.status_code == 200 and "did not say which version" in response.content.decode()
    assert CostModel.objects.get(pk=model_b.pk).name != "Overwritten"


def test_a_deleted_profile_is_listed_and_restored_with_its_counts(client, admin, practice):
    from datetime import date

    from costing import profiles
    from pathways import services
    from pathways.models import PracticeProfile

    profile = profiles.Profile(
        list_size=9699,
        age_bands=(profiles.AgeBand(0, 64, 7000), profiles.AgeBand(65, None, 2699)),
        registers=(profiles.Register("DM", 600), profiles.Register("CHD", 300)),
        groups=(profiles.Group(500, ("DM",)), profiles.Group(100, ("DM", "CHD")), profiles.Group(200, ("CHD",))),
    )
    stored = services.profile_create(
        practice=practice, read_on=date(2026, 11, 2), profile=profile, by=admin, note="Ardens search"
    )
    pk = stored.pk
    client.force_login(admin)
    client.post(reverse("profile_delete", args=[practice.ods_code, pk]))
    assert not PracticeProfile.objects.filter(pk=pk).exists()

    listing = client.get(reverse("deleted_list", args=[practice.ods_code]))
    (item,) = [i for i in listing.context["items"] if i.kind == "profile"]
    assert item.name == "Profile of 2 November 2026 (Ardens search)"
    assert "Practice profile" in listing.content.decode()
    response = client.post(reverse("restore_deleted", args=[practice.ods_code, "profile", item.history_id]))

    assert response.status_code == 302 and response.url == reverse("profile_detail", args=[practice.ods_code, pk])
    assert selectors.engine_profile(selectors.profiles_with_rows().get(pk=pk)) == profile
    assert not [i for i in client.get(reverse("deleted_list", args=[practice.ods_code])).context["items"]]


def test_restoring_another_practices_deleted_profile_is_404_and_it_is_not_listed(client, admin, practice):
    from datetime import date

    from costing import profiles
    from pathways import services
    from pathways.models import PracticeProfile

    foreign = services.profile_create(
        practice=PracticeFactory(), read_on=date(2026, 11, 2), profile=profiles.Profile(100), by=None
    )
    foreign_pk = foreign.pk
    foreign.delete()
    record = PracticeProfile.history.filter(id=foreign_pk, history_type="-").get()
    client.force_login(admin)

    assert not client.get(reverse("deleted_list", args=[practice.ods_code])).context["items"]
    response = client.post(reverse("restore_deleted", args=[practice.ods_code, "profile", record.history_id]))

    assert response.status_code == 404
    assert not PracticeProfile.objects.filter(pk=foreign_pk).exists()
