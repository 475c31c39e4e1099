"""Staff capacity freed: the minutes each role spends before minus after.

Shown as hours, whole-time equivalents (37.5 hours a week, 52 weeks a year, as
engine.hours_to_fte) and appointments of a typical length for the role. A
negative figure means more of that role's time after than before. A per-patient
model has no time span, so it has no per-year or FTE figures (None).

Appointment lengths by kind of role (editable per role key): GP 10 minutes;
nurse (or any practitioner but a general practitioner) 15; healthcare assistant 15;
anyone else 15. The kind comes from the role's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from costing import engine, limits

HOURS_PLACES = Decimal(1).scaleb(-limits.HOURS_PLACES)
APPOINTMENT_PLACES = engine.ONE_DECIMAL_PLACE


class RoleKind(StrEnum):
    GP = "gp"
    NURSE = "nurse"
    HCA = "hca"
    OTHER = "other"


DEFAULT_APPOINTMENT_MINUTES = {
    RoleKind.GP: Decimal(10),
    RoleKind.NURSE: Decimal(15),
    RoleKind.HCA: Decimal(15),
    RoleKind.OTHER: Decimal(15),
}

_GP = re.compile(r"\bGPs?\b|\bgeneral practitioner", re.IGNORECASE)
_NURSE = re.compile(r"nurse|practitioner", re.IGNORECASE)
_HCA = re.compile(r"\bHCAs?\b|health\s*care assistant", re.IGNORECASE)


def role_kind(role: engine.Role) -> RoleKind:
    """GP, nurse, healthcare assistant or other, from the role's name."""
    if _GP.search(role.name):
        return RoleKind.GP
    if _NURSE.search(role.name):
        return RoleKind.NURSE
    if _HCA.search(role.name):
        return RoleKind.HCA
    return RoleKind.OTHER


@dataclass(frozen=True)
class RoleCapacity:
    role: str
    name: str
    kind: RoleKind
    # Per the model's period (per patient, month or year).
    minutes_before: Decimal
    minutes_after: Decimal
    minutes_freed: Decimal
    hours_freed: Decimal
    appointment_minutes: Decimal
    appointments_freed: Decimal
    # None for a per-patient model.
    hours_freed_per_year: Decimal | None
    appointments_freed_per_year: Decimal | None
    fte_freed: Decimal | None

    @property
    def hours_added(self) -> Decimal:
        """The hours more of this role after than before (0 when time is freed)."""
        return max(-self.hours_freed, Decimal(0))

    @property
    def hours_released(self) -> Decimal:
        """The hours freed of this role (0 when it needs more time after)."""
        return max(self.hours_freed, Decimal(0))


@dataclass(frozen=True)
class CapacityFreed:
    period: engine.Period
    roles: tuple[RoleCapacity, ...]
    # Net: the hours freed of some roles less the hours added of others.
    minutes_freed: Decimal
    hours_freed: Decimal
    # Gross: the roles with time freed, and the roles with more time after (a positive figure).
    hours_released: Decimal
    hours_added: Decimal
    hours_freed_per_year: Decimal | None
    fte_freed: Decimal | None


def capacity_freed(
    comparison: engine.Comparison, *, appointment_minutes: Mapping[str, Decimal] | None = None
) -> CapacityFreed:
    """Staff time freed by role, in the comparison's role order.

    Roles with no minutes before or after are left out. ``appointment_minutes``
    sets the appointment length of a role key (default by kind of role).
    """
    appointment_minutes = appointment_minutes or {}
    for minutes in appointment_minutes.values():
        if not isinstance(minutes, Decimal) or not 0 < minutes <= limits.MAX_STAGE_MINUTES:
            raise ValueError(
                f"an appointment must be a Decimal of more than 0 and at most {limits.MAX_STAGE_MINUTES} minutes"
            )
    period = comparison.period
    per_year = period.periods_per_year
    rows = []
    for role in comparison.roles:
        before = comparison.before.staff_minutes.get(role.key, Decimal(0))
        after = comparison.after.staff_minutes.get(role.key, Decimal(0))
        if not before and not after:
            continue
        freed = engine.normalise_minutes(before - after)
        kind = role_kind(role)
        length = appointment_minutes.get(role.key, DEFAULT_APPOINTMENT_MINUTES[kind])
        appointments = Fraction(freed) / Fraction(length)
        rows.append(
            RoleCapacity(
                role=role.key,
                name=role.name,
                kind=kind,
                minutes_before=before,
                minutes_after=after,
                minutes_freed=freed,
                hours_freed=_hours(freed),
                appointment_minutes=length,
                appointments_freed=engine.round_half_up(appointments, APPOINTMENT_PLACES),
                hours_freed_per_year=None if per_year is None else _hours(freed * per_year),
                appointments_freed_per_year=(
                    None if per_year is None else engine.round_half_up(appointments * per_year, APPOINTMENT_PLACES)
                ),
                fte_freed=engine.hours_to_fte(freed, period),
            )
        )
    total = engine.normalise_minutes(sum((row.minutes_freed for row in rows), Decimal(0)))
    return CapacityFreed(
        period=period,
        roles=tuple(rows),
        minutes_freed=total,
        hours_freed=_hours(total),
        hours_released=_hours(sum((row.minutes_freed for row in rows if row.minutes_freed > 0), Decimal(0))),
        hours_added=_hours(-sum((row.minutes_freed for row in rows if row.minutes_freed < 0), Decimal(0))),
        hours_freed_per_year=None if per_year is None else _hours(total * per_year),
        fte_freed=engine.hours_to_fte(total, period),
    )


def _hours(minutes: Decimal) -> Decimal:
    return engine.round_half_up(Fraction(minutes) / engine.MINUTES_PER_HOUR, HOURS_PLACES)
