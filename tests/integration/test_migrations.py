"""Migrations carry users' data forward: decision inputs moved to pathways; descriptions cut to the limit."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pathways import db_triggers

BEFORE = [("costing", "0002_decision_inputs_setup_cost"), ("pathways", "0005_reinstall_same_practice_triggers")]
AFTER = [("costing", "0003_decision_inputs_move_to_pathways"), ("pathways", "0006_decision_inputs_moved_from_costing")]


@pytest.fixture(scope="module", autouse=True)
def reference_data_restored(django_db_setup, django_db_blocker):
    """A transactional test's flush removes the reference data the other tests expect: load it again."""
    yield
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


def _migrate(targets):
    """As `migrate` does: SQLite's same-practice triggers dropped around the migrations that may rebuild tables."""
    db_triggers.drop_before_migrate(None, using=connection.alias)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    db_triggers.install_after_migrate(None, using=connection.alias)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_decision_inputs_and_setup_costs_move_to_pathways_with_their_rows():
    old = _migrate(BEFORE)
    practice = old.get_model("practices", "Practice").objects.create(
        name="Moor Lane", ods_code="M99001", list_size=6000
    )
    role = old.get_model("practices", "StaffRole").objects.create(
        practice=practice, key="hca", name="HCA", cost_per_hour=Decimal("14.50")
    )
    model = old.get_model("pathways", "CostModel").objects.create(practice=practice, name="Diabetes", period="year")
    old.get_model("costing", "DecisionInputs").objects.create(cost_model=model, rate_percent=Decimal(15), seed=7)
    setup = old.get_model("costing", "SetupCost").objects
    setup.create(cost_model=model, kind="training", role=role, hours=Decimal("3.5"), position=0)
    setup.create(cost_model=model, kind="other", amount=Decimal("697.60"), position=1)
    try:
        new = _migrate(AFTER)

        inputs = new.get_model("pathways", "DecisionInputs").objects.get(cost_model_id=model.pk)
        lines = new.get_model("pathways", "SetupCost").objects.filter(cost_model_id=model.pk).order_by("position")
        assert (inputs.rate_percent, inputs.seed) == (Decimal(15), 7)
        assert [(s.kind, s.role_id, s.hours, s.amount) for s in lines] == [
            ("training", role.pk, Decimal("3.5"), None),
            ("other", None, None, Decimal("697.60")),
        ]
        assert "costing_setupcost" not in connection.introspection.table_names()

        _migrate(BEFORE)  # and back again, rows and all
        assert old.get_model("costing", "SetupCost").objects.filter(cost_model_id=model.pk).count() == 2
    finally:
        _migrate(_leaf_nodes())


def _leaf_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_descriptions_past_the_new_limit_are_cut_to_it_and_others_kept():
    old = _migrate([("pathways", "0011_condition_prevalence_denominator")])
    practice = old.get_model("practices", "Practice").objects.create(name="Moor Lane", ods_code="M99002", list_size=1)
    models = old.get_model("pathways", "CostModel").objects
    long = models.create(practice=practice, name="Long", period="year", description="d\n" * 600_000)
    short = models.create(practice=practice, name="Short", period="year", description="A page\nof text")
    pathway = old.get_model("pathways", "Pathway").objects.create(
        practice=practice, key="p", name="P", description="p" * 20_000
    )
    try:
        new = _migrate([("pathways", "0012_descriptions_within_limit")])

        cost_models = new.get_model("pathways", "CostModel").objects
        assert cost_models.get(pk=long.pk).description == ("d\n" * 5_000)
        assert cost_models.get(pk=short.pk).description == "A page\nof text"
        assert new.get_model("pathways", "Pathway").objects.get(pk=pathway.pk).description == "p" * 10_000
    finally:
        _migrate(_leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_batch_zips_move_from_the_database_to_storage_and_back(media_root):
    old = _migrate([("reports", "0001_initial")])
    user = old.get_model("auth", "User").objects.create(username="fac")
    batches = old.get_model("reports", "BatchReport").objects
    built = batches.create(user=user, status="done", total=1, done=1, archive=b"PK-zip-bytes")
    failed = batches.create(user=user, status="failed", total=1, errors="the report failed")
    older = batches.create(user=user, status="running", total=2)
    newer = batches.create(user=user, status="queued", total=2)
    try:
        new = _migrate([("reports", "0004_batch_archive_removed_one_running")])

        rows = {b.pk: b for b in new.get_model("reports", "BatchReport").objects.all()}
        assert rows[built.pk].zip_file.name.startswith(f"batch-reports/{user.pk}/{built.pk}-")
        assert (media_root / rows[built.pk].zip_file.name).read_bytes() == b"PK-zip-bytes"
        assert rows[failed.pk].zip_file.name == "" and rows[failed.pk].errors == "the report failed"
        # Each user keeps one batch running (the newest); the older is failed with a reason.
        assert (rows[older.pk].status, rows[newer.pk].status) == ("failed", "queued")
        assert "upgraded" in rows[older.pk].errors

        back = _migrate([("reports", "0002_batch_zip_file_and_heartbeat")])
        assert bytes(back.get_model("reports", "BatchReport").objects.get(pk=built.pk).archive) == b"PK-zip-bytes"
        assert not (media_root / rows[built.pk].zip_file.name).exists()
    finally:
        _migrate(_leaf_nodes())


OVERLAYS_BEFORE = [("pathways", "0013_decision_inputs_minutes_together")]
OVERLAYS_AFTER = [("pathways", "0014_scenario_overlays_and_baselines")]


@pytest.mark.django_db(transaction=True)
def test_copied_scenarios_become_overlays_where_they_match_and_practices_get_a_baseline():
    old = _migrate(OVERLAYS_BEFORE)
    Practice = old.get_model("practices", "Practice")
    Role = old.get_model("practices", "StaffRole")
    Pathway = old.get_model("pathways", "Pathway")
    Stage = old.get_model("pathways", "Stage")
    CostModel = old.get_model("pathways", "CostModel")
    Cohort = old.get_model("pathways", "Cohort")
    practice = Practice.objects.create(name="Moor Lane", ods_code="M99002", list_size=6000)
    empty_practice = Practice.objects.create(name="Empty", ods_code="M99003", list_size=100)
    pn = Role.objects.create(practice=practice, key="pn", name="Practice nurse", cost_per_hour=Decimal("18.60"))
    # The old scenario_save stored the changed role and its pathway under new keys.
    pn2 = Role.objects.create(practice=practice, key="pn-2", name="Practice nurse", cost_per_hour=Decimal("24.00"))
    review = Pathway.objects.create(practice=practice, key="dm", name="Diabetes review")
    review2 = Pathway.objects.create(practice=practice, key="dm-2", name="Diabetes review")
    for pathway, role in ((review, pn), (review2, pn2)):
        Stage.objects.create(
            practice=practice, pathway=pathway, position=0, name="Review", step="review", role=role, minutes=20
        )
    base = CostModel.objects.create(practice=practice, name="Diabetes", period="year")
    matching = CostModel.objects.create(practice=practice, name="Nurse on £24", period="year", based_on=base)
    rounded = CostModel.objects.create(practice=practice, name="Half (rounded)", period="year", based_on=base)
    for model, pathway, patients in ((base, review, 7), (matching, review2, 14), (rounded, review, 4)):
        Cohort.objects.create(
            practice=practice, cost_model=model, side="before", label="Diabetes", patients=patients, pathway=pathway
        )
    try:
        new = _migrate(OVERLAYS_AFTER)

        models = {m.name: m for m in new.get_model("pathways", "CostModel").objects.all()}
        cohorts = new.get_model("pathways", "Cohort").objects
        # Still matching: the role's new rate and twice the patients, as an overlay, its copied cohorts gone.
        assert models["Nurse on £24"].overlay == {
            "overlay": 1,
            "roles": {"pn": {"cost_per_hour": "24.0000"}},
            "patient_scale": "2",
        }
        assert not cohorts.filter(cost_model_id=matching.pk).exists()
        # 7 -> 4 is no exact scale (an old x0.5 rounded to whole people): kept as a model in its own right.
        assert models["Half (rounded)"].overlay is None
        assert cohorts.filter(cost_model_id=rounded.pk).count() == 1
        assert [m.name for m in models.values() if m.is_baseline] == ["Diabetes"]
        assert not new.get_model("pathways", "CostModel").objects.filter(practice_id=empty_practice.pk).exists()
    finally:
        _migrate(_leaf_nodes())
