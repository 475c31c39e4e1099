"""Backup and restore: every model of a practice out as files, into an empty database, same costings."""

import pytest
from django.core.management import call_command

from costing import exchange
from pathways import selectors
from pathways.models import CostModel, Pathway
from pathways.services import cost_model_import
from practices.models import Practice, StaffRole
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def _costings(practice: Practice) -> dict:
    return {
        m.name: exchange.comparison_json(selectors.compare_cost_model(m))
        for m in CostModel.objects.filter(practice=practice)
    }


def _delete(practice: Practice) -> None:
    """The practice and everything of it gone: models protect their pathways, stages their roles."""
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


def test_import_practice_of_a_broken_folder_writes_nothing(tmp_path, example_b):
    practice = PracticeFactory(ods_code="F86002")
    cost_model_import(practice=practice, model=example_b, by=None)
    call_command("export_practice", "F86002", "-o", str(tmp_path / "b"))
    _delete(practice)
    (tmp_path / "b" / "001-worked-example-b-diabetes-chd-copd-one-person.json").write_text("{ broken")

    with pytest.raises(Exception, match="not valid JSON"):
        call_command("import_practice", str(tmp_path / "b"))

    assert not Practice.objects.filter(ods_code="F86002").exists()
