"""Migrations carry users' data forward: decision inputs moved from costing to pathways."""

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


OVERLAYS_BEFORE = [("pathways", "0009_cohort_exceptions")]
OVERLAYS_AFTER = [("pathways", "0010_scenario_overlays_and_baselines")]


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
