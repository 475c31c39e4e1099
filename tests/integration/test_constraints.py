"""What must never be stored is refused by the database itself, not only by forms."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from pathways.models import Cohort, Stage
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
