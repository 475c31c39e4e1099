"""Backup and restore: every model of a practice out as files, into an empty database, same costings."""

from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from costing import exchange, whatif
from pathways import selectors
from pathways.backup import BackupError, comparable, practice_backup, practice_restore
from pathways.models import CostModel, Pathway
from pathways.services import cost_model_import, scenario_save
from practices.models import Membership, Practice, StaffRole
from tests.factories import PathwayFactory, PracticeFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db


def _costings(practice: Practice) -> dict:
    return {
        m.name: exchange.comparison_json(selectors.compare_cost_model(m))
        for m in CostModel.objects.filter(practice=practice)
    }


def _delete(practice: Practice) -> None:
    """The practice and everything of it gone: models protect their pathways, stages their roles."""
    CostModel.objects.filter(practice=practice, overlay__isnull=False).delete()  # scenarios before their bases
    CostModel.objects.filter(practice=practice).delete()
    Pathway.objects.filter(practice=practice).delete()
    StaffRole.objects.filter(practice=practice).delete()
    practice.delete()


def test_export_then_import_into_an_empty_database_gives_identical_costings(tmp_path, example_b, example_cd):
    practice = PracticeFactory(ods_code="F86001", name="Hillside")
    cost_model_import(practice=practice, model=example_b, by=None)
    original = cost_model_import(practice=practice, model=example_cd, by=None)
    scenario = cost_model_import(practice=practice, model=example_cd, by=None, name="C/D scenario")
    scenario.based_on = original
    scenario.save()
    before = _costings(practice)

    call_command("export_practice", "F86001", "-o", str(tmp_path / "backup"))
    _delete(practice)  # as good as an empty database for this practice
    assert not StaffRole.objects.exists() and not Pathway.objects.exists()
    call_command("import_practice", str(tmp_path / "backup"))

    restored = Practice.objects.get(ods_code="F86001")
    assert restored.name == "Hillside"
    assert _costings(restored) == before
    assert CostModel.objects.get(practice=restored, name="C/D scenario").based_on.name == original.name


def test_import_practice_of_a_broken_backup_writes_nothing(tmp_path, example_b):
    practice = PracticeFactory(ods_code="F86002")
    cost_model_import(practice=practice, model=example_b, by=None)
    call_command("export_practice", "F86002", "-o", str(tmp_path / "b"))
    _delete(practice)
    (tmp_path / "b" / "practice.json").write_text("{ broken")

    with pytest.raises(CommandError, match="nothing was restored"):
        call_command("import_practice", str(tmp_path / "b"))

    assert not Practice.objects.filter(ods_code="F86002").exists()


# ------------------------------------------------------------------ everything it holds


@pytest.fixture
def full_practice(example_b_copd_twice):
    """The demo practice (organisations, members, a facilitator, decision inputs, set-up costs), and more."""
    call_command("setup_demo", verbosity=0)
    practice = Practice.objects.get(ods_code="Y00001")
    base = cost_model_import(practice=practice, model=example_b_copd_twice, by=None)  # groups of people
    scenario_save(  # a scenario: an overlay on its base
        cost_model=base,
        model=selectors.engine_model(base),
        changes=whatif.WhatIf(patient_scale=D(2)),
        name="Twice the people",
        by=None,
    )
    StaffRoleFactory(practice=practice, key="unused", name="Unused role")
    PathwayFactory(practice=practice, key="unused", name="Unused pathway")
    return practice


def test_a_backup_restores_everything_it_holds_twice_without_duplicates(tmp_path, full_practice):
    practice = full_practice
    original = practice_backup(practice)
    costings = _costings(practice)
    assert all(
        original["tables"][name]
        for name in ("decision_inputs", "setup_costs", "groups", "group_conditions", "profiles", "profile_registers")
    )
    assert original["tables"]["profile_groups"] and original["tables"]["profile_group_conditions"]
    assert original["memberships"] and original["facilitators"] and len(original["practice"]["organisation"]) == 2
    call_command("export_practice", "Y00001", "-o", str(tmp_path / "backup"))

    # The practice changed after the backup: a model renamed, a pathway gone, a member left.
    CostModel.objects.filter(practice=practice).update(name="Renamed")
    Membership.objects.filter(practice=practice).first().delete()
    call_command("import_practice", str(tmp_path / "backup"))
    first = practice_backup(practice)
    call_command("import_practice", str(tmp_path / "backup"))
    second = practice_backup(practice)

    assert comparable(first) == comparable(original)
    assert comparable(second) == comparable(original)
    assert _costings(practice) == costings
    assert CostModel.objects.filter(practice=practice).count() == len(original["tables"]["cost_models"])
    scenario = CostModel.objects.get(practice=practice, name="Twice the people")
    assert scenario.overlay is not None and scenario.based_on.practice == practice
    assert Practice.objects.filter(ods_code="Y00001").count() == 1


def test_a_backup_restores_into_an_empty_database_with_its_organisation(tmp_path, full_practice):
    original = practice_backup(full_practice)
    call_command("export_practice", "Y00001", "-o", str(tmp_path / "backup"))
    organisation = full_practice.organisation
    _delete(full_practice)

    call_command("import_practice", str(tmp_path / "backup"))

    restored = Practice.objects.get(ods_code="Y00001")
    assert restored.organisation == organisation  # found again by name, kind and parent, not duplicated
    assert comparable(practice_backup(restored)) == comparable(original)


def test_a_member_without_an_account_here_is_named_not_invented(full_practice, capsys):
    data = practice_backup(full_practice)
    data["memberships"].append({"username": "gone.user", "role": "staff"})

    restored = practice_restore(data=data, by=None)

    assert restored.missing_users == ["gone.user"]
    assert not Membership.objects.filter(user__username="gone.user").exists()


def test_a_backup_of_another_format_is_refused_and_nothing_changes(full_practice):
    data = practice_backup(full_practice)
    del data["tables"]["stages"][0]["pathway"]  # damaged
    before = comparable(practice_backup(full_practice))

    with pytest.raises(BackupError):
        practice_restore(data=data, by=None)
    with pytest.raises(BackupError, match="not a practice backup"):
        practice_restore(data={"format": "something else"}, by=None)

    assert comparable(practice_backup(full_practice)) == before


def test_a_scenario_without_its_base_in_the_backup_is_refused_and_nothing_changes(full_practice):
    data = practice_backup(full_practice)
    scenario = next(item for item in data["tables"]["cost_models"] if item["overlay"] is not None)
    scenario["based_on"] = None  # damaged: an overlay on nothing
    before = comparable(practice_backup(full_practice))

    with pytest.raises(BackupError, match="“Twice the people” has no base"):
        practice_restore(data=data, by=None)

    assert comparable(practice_backup(full_practice)) == before
