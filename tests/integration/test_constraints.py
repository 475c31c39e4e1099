"""What must never be stored is refused by the database itself, not only by forms."""

import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from pathways import db_triggers
from pathways.models import Cohort, CohortGroup, Stage
from practices.models import Practice, StaffRole
from tests.factories import (
    CohortFactory,
    CostModelFactory,
    PathwayFactory,
    PracticeFactory,
    StaffRoleFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TRIGGERS = {name for name, _statement in db_triggers.sqlite_triggers()}
SAME_PRACTICE_TRIGGERS = {name for name, _statement in db_triggers.sqlite_triggers(same_model=False)}


def _refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_stage_with_negative_minutes_is_refused():
    pathway = PathwayFactory()
    role = StaffRoleFactory(practice=pathway.practice)

    _refused(
        lambda: Stage.objects.create(
            practice=pathway.practice, pathway=pathway, name="s", step="review", role=role, minutes=D(-1)
        )
    )


def test_stage_with_negative_extra_cost_is_refused():
    pathway = PathwayFactory()

    _refused(
        lambda: Stage.objects.create(
            practice=pathway.practice, pathway=pathway, name="s", step="recall", extra_cost=D("-0.56")
        )
    )


def test_stage_with_minutes_but_no_role_is_refused():
    pathway = PathwayFactory()

    _refused(
        lambda: Stage.objects.create(practice=pathway.practice, pathway=pathway, name="s", step="review", minutes=D(5))
    )


def test_stage_with_another_practices_role_is_refused():
    pathway = PathwayFactory()
    foreign_role = StaffRoleFactory(practice=PracticeFactory())

    _refused(
        lambda: Stage.objects.create(
            practice=pathway.practice, pathway=pathway, name="s", step="review", role=foreign_role, minutes=D(5)
        )
    )


def test_stage_claiming_another_practice_than_its_pathway_is_refused():
    pathway = PathwayFactory()
    other = PracticeFactory()
    role = StaffRoleFactory(practice=other)

    _refused(
        lambda: Stage.objects.create(practice=other, pathway=pathway, name="s", step="review", role=role, minutes=D(5))
    )


def test_cohort_with_another_practices_pathway_is_refused():
    model = CostModelFactory()
    foreign_pathway = PathwayFactory(practice=PracticeFactory())

    _refused(
        lambda: Cohort.objects.create(
            practice=model.practice, cost_model=model, side="before", label="c", patients=1, pathway=foreign_pathway
        )
    )


def test_cohort_moved_to_another_practices_pathway_is_refused():
    cohort = CohortFactory()
    foreign_pathway = PathwayFactory(practice=PracticeFactory())

    cohort.pathway = foreign_pathway
    _refused(cohort.save)


def _group(cost_model) -> CohortGroup:
    return CohortGroup.objects.create(
        practice=cost_model.practice, cost_model=cost_model, key="dm-chd", label="DM and CHD", people=1
    )


def test_cohort_naming_another_models_group_is_refused():
    model = CostModelFactory()
    other_models_group = _group(CostModelFactory(practice=model.practice))
    pathway = PathwayFactory(practice=model.practice)

    _refused(
        lambda: Cohort.objects.create(
            practice=model.practice,
            cost_model=model,
            side="before",
            label="c",
            patients=1,
            pathway=pathway,
            group=other_models_group,
        )
    )


def test_cohort_moved_to_another_models_group_is_refused():
    cohort = CohortFactory(group=None)
    cohort.group = _group(CostModelFactory(practice=cohort.practice))

    _refused(cohort.save)


def test_cohort_naming_its_own_models_group_is_stored():
    cohort = CohortFactory(group=None)
    cohort.group = _group(cohort.cost_model)

    cohort.save()

    assert Cohort.objects.get(pk=cohort.pk).group_id == cohort.group.pk


def test_group_cannot_move_to_another_model_while_named():
    cohort = CohortFactory(group=None)
    group = _group(cohort.cost_model)
    Cohort.objects.filter(pk=cohort.pk).update(group=group)

    group.cost_model = CostModelFactory(practice=cohort.practice)
    _refused(group.save)


def test_cohort_with_negative_patients_is_refused():
    model = CostModelFactory()
    pathway = PathwayFactory(practice=model.practice)

    _refused(
        lambda: Cohort.objects.create(
            practice=model.practice, cost_model=model, side="before", label="c", patients=-1, pathway=pathway
        )
    )


def test_duplicate_ods_code_is_refused():
    PracticeFactory(ods_code="A81001")

    _refused(lambda: Practice.objects.create(name="Copy", ods_code="A81001", list_size=1))


def test_malformed_ods_code_is_refused():
    _refused(lambda: Practice.objects.create(name="Bad", ods_code="a8100", list_size=1))


@pytest.mark.parametrize(
    "fields",
    [
        {"cost_per_hour": None},
        {"cost_per_hour": D(10), "annual_salary": D(20000), "on_cost_percent": D(20), "paid_hours_per_year": D(1950)},
        {"cost_per_hour": None, "annual_salary": D(20000), "on_cost_percent": D(20)},
        {"cost_per_hour": D(-1)},
        {"cost_per_hour": None, "annual_salary": D(-5), "on_cost_percent": D(20), "paid_hours_per_year": D(1950)},
        {"cost_per_hour": None, "annual_salary": D(20000), "on_cost_percent": D(20), "paid_hours_per_year": D(0)},
    ],
)
def test_staff_role_needs_exactly_one_non_negative_cost_basis(fields):
    practice = PracticeFactory()

    _refused(lambda: StaffRole.objects.create(practice=practice, key="r", name="R", **fields))


def test_staff_role_key_is_unique_in_a_practice_only():
    practice = PracticeFactory()
    StaffRoleFactory(practice=practice, key="pn")
    StaffRoleFactory(practice=PracticeFactory(), key="pn")

    _refused(lambda: StaffRole.objects.create(practice=practice, key="pn", name="Dup", cost_per_hour=D(1)))


def test_pathway_cannot_move_to_another_practice_while_used():
    stage = StageFactory()
    pathway = stage.pathway

    pathway.practice = PracticeFactory()
    _refused(pathway.save)


def test_role_cannot_move_to_another_practice_while_used():
    stage = StageFactory()
    role = stage.role

    role.practice = PracticeFactory()
    _refused(role.save)


def test_the_test_database_has_the_same_practice_rule_after_migrate():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            assert {name for (name,) in cursor.fetchall()} == TRIGGERS
        else:
            cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'f'")
            keys = {name for _t, name, _c, _r in [*db_triggers.COMPOSITE_KEYS, db_triggers.GROUP_KEY]}
            assert keys <= {name for (name,) in cursor.fetchall()}


def test_migrate_drops_and_installs_the_triggers_once_and_only_on_sqlite(monkeypatch):
    calls = []
    monkeypatch.setattr(db_triggers, "drop_triggers", lambda connection: calls.append("drop"))
    monkeypatch.setattr(db_triggers, "install_triggers", lambda connection, **kwargs: calls.append("install"))

    call_command("migrate", verbosity=0)

    assert calls == (["drop", "install"] if connection.vendor == "sqlite" else [])


def _manage(db: Path, *args: str, settings: Path | None = None) -> None:
    """manage.py in a fresh process on the SQLite file ``db``; ``settings``: a settings file to use instead."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{db}"}
    if settings:
        env |= {"PYTHONPATH": str(settings.parent), "DJANGO_SETTINGS_MODULE": settings.stem}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr


def _triggers(db: Path) -> set[str]:
    with closing(sqlite3.connect(db)) as con:
        return {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}


def _move_stage_to_another_practices_role(db: Path) -> None:
    with closing(sqlite3.connect(db)) as con:
        con.execute(
            "UPDATE pathways_stage SET role_id = "
            "(SELECT id FROM practices_staffrole WHERE practice_id != pathways_stage.practice_id)"
        )


def test_sqlite_triggers_follow_migrate_back_and_forth_and_keep_the_data(tmp_path):
    """No migration handles the triggers: `migrate` drops them first (so SQLite may rebuild the
    tables they name) and installs them after, wherever pathways/0002 is applied."""
    db = tmp_path / "db.sqlite3"
    _manage(db, "migrate")
    assert _triggers(db) == TRIGGERS
    _manage(db, "shell", "-c", "from tests.factories import *; StageFactory(); StaffRoleFactory()")

    # Back across practices/0003 and pathways/0004, then forward: both rebuild
    # practices_staffrole and pathways_pathway, which the triggers name.
    # That also takes pathways back before 0007 (groups) and 0008: the same-model triggers go.
    _manage(db, "migrate", "practices", "0002")
    assert _triggers(db) == SAME_PRACTICE_TRIGGERS
    _manage(db, "migrate")
    assert _triggers(db) == TRIGGERS
    with closing(sqlite3.connect(db)) as con:
        assert con.execute("SELECT count(*) FROM pathways_stage").fetchone() == (1,)
    with pytest.raises(sqlite3.IntegrityError, match="stage_role_same_practice"):
        _move_stage_to_another_practices_role(db)

    # Back before the rule: no triggers; forward: the triggers.
    _manage(db, "migrate", "pathways", "0001")
    assert _triggers(db) == set()
    _manage(db, "migrate")
    assert _triggers(db) == TRIGGERS


# A future migration that rebuilds pathways_stage on SQLite, with nothing around it for the triggers.
REBUILD_MIGRATION = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pathways", "{latest}")]
    operations = [migrations.AlterField("stage", "name", models.CharField(max_length=201))]
"""


REBUILD_SETTINGS = """
from config.settings import *  # noqa: F403

MIGRATION_MODULES = {"pathways": "rebuild_migrations"}
"""


def test_sqlite_triggers_survive_a_new_migration_that_rebuilds_a_table(tmp_path):
    migrations = tmp_path / "rebuild_migrations"
    shutil.copytree(ROOT / "pathways" / "migrations", migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (latest,) = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("pathways")
    (migrations / "9999_rebuild_stage.py").write_text(REBUILD_MIGRATION.format(latest=latest[1]))
    settings = tmp_path / "rebuild_settings.py"
    settings.write_text(REBUILD_SETTINGS)
    fresh, existing = tmp_path / "fresh.sqlite3", tmp_path / "existing.sqlite3"

    _manage(fresh, "migrate", settings=settings)
    _manage(existing, "migrate", "pathways", latest[1], settings=settings)
    assert _triggers(existing) == TRIGGERS
    _manage(existing, "shell", "-c", "from tests.factories import *; StageFactory(); StaffRoleFactory()")
    _manage(existing, "migrate", settings=settings)

    assert _triggers(fresh) == _triggers(existing) == TRIGGERS
    with pytest.raises(sqlite3.IntegrityError, match="stage_role_same_practice"):
        _move_stage_to_another_practices_role(existing)
