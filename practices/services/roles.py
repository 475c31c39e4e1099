"""Writes to a practice's staff roles: keyword-only, one transaction each."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import ProtectedError

from practices.audit import audited
from practices.concurrency import claim_version
from practices.models import Practice, StaffRole
from practices.signals import staff_role_changed


class StaffRoleInUse(Exception):
    """The role is the role of one or more stages, so it cannot be deleted."""

    def __init__(self, role: StaffRole, stage_count: int, pathway_names: list[str]):
        self.role = role
        self.stage_count = stage_count
        self.pathway_names = pathway_names
        super().__init__(f"{role.name} is used by {stage_count} stage(s)")


def _apply(
    role: StaffRole,
    *,
    name: str,
    key: str,
    band: str,
    cost_basis: str,
    cost_per_hour: Decimal | None,
    annual_salary: Decimal | None,
    on_cost_percent: Decimal | None,
    paid_hours_per_year: Decimal | None,
) -> StaffRole:
    """Set the fields, check them as the database would (ValidationError), save."""
    role.name = name
    role.key = key
    role.band = band
    role.cost_basis = cost_basis
    role.cost_per_hour = cost_per_hour
    role.annual_salary = annual_salary
    role.on_cost_percent = on_cost_percent
    role.paid_hours_per_year = paid_hours_per_year
    role.full_clean()
    role.save()
    return role


@audited
@transaction.atomic
def staff_role_create(
    *,
    practice: Practice,
    by: AbstractBaseUser | None,
    name: str,
    key: str,
    band: str = "",
    cost_basis: str = "",
    cost_per_hour: Decimal | None = None,
    annual_salary: Decimal | None = None,
    on_cost_percent: Decimal | None = None,
    paid_hours_per_year: Decimal | None = None,
) -> StaffRole:
    """A new role at the practice. Raises ValidationError if the values break a rule."""
    return _apply(
        StaffRole(practice=practice),
        name=name,
        key=key,
        band=band,
        cost_basis=cost_basis,
        cost_per_hour=cost_per_hour,
        annual_salary=annual_salary,
        on_cost_percent=on_cost_percent,
        paid_hours_per_year=paid_hours_per_year,
    )


@audited
@transaction.atomic
def staff_role_update(
    *,
    role: StaffRole,
    by: AbstractBaseUser | None,
    name: str,
    key: str,
    band: str = "",
    cost_basis: str = "",
    cost_per_hour: Decimal | None = None,
    annual_salary: Decimal | None = None,
    on_cost_percent: Decimal | None = None,
    paid_hours_per_year: Decimal | None = None,
    expected_version: int | None = None,
) -> StaffRole:
    """Change a role; every stage using it is costed at the new rate from now on.

    With ``expected_version``, raises EditConflict if someone saved the role
    since (the optimistic lock): nothing is written.
    """
    claim_version(role, expected_version)
    _apply(
        role,
        name=name,
        key=key,
        band=band,
        cost_basis=cost_basis,
        cost_per_hour=cost_per_hour,
        annual_salary=annual_salary,
        on_cost_percent=on_cost_percent,
        paid_hours_per_year=paid_hours_per_year,
    )
    # After the change: the models using the role have their totals computed at its new rate.
    staff_role_changed.send(sender=StaffRole, role=role)
    return role


@audited
@transaction.atomic
def staff_role_delete(*, role: StaffRole, by: AbstractBaseUser | None) -> None:
    """Delete a role no stage uses; raises StaffRoleInUse otherwise."""
    if role.stages.exists():
        raise _in_use(role)
    try:
        role.delete()
    except ProtectedError:  # a stage was given the role meanwhile
        raise _in_use(role) from None


def _in_use(role: StaffRole) -> StaffRoleInUse:
    stages = list(role.stages.select_related("pathway").order_by("pathway__name", "pathway_id"))
    names = list(dict.fromkeys(s.pathway.name for s in stages))
    return StaffRoleInUse(role, len(stages), names)
