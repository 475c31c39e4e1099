"""What if: the same model with other rates, minutes, roles, extra costs or numbers.

Pure, like the engine: a WhatIf describes changes, ``apply`` returns a new
engine.CostModel with them, and ``describe`` says in words what changed, so a
saved scenario can state its assumptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from costing import engine, limits

# The patient scale the what-if panel offers (x0.5 ... x3).
MIN_PATIENT_SCALE = Decimal("0.5")
MAX_PATIENT_SCALE = Decimal(3)

StageRef = tuple[str, int]  # (pathway key, stage index)


@dataclass(frozen=True)
class WhatIf:
    # A role's new cost basis, by role key (a cost per hour, or a salary from a band).
    roles: Mapping[str, engine.Role] = field(default_factory=dict)
    # Every extra cost of one amount (e.g. all £0.56 stamps) replaced by another.
    extra_costs: Mapping[Decimal, Decimal] = field(default_factory=dict)
    stage_minutes: Mapping[StageRef, Decimal] = field(default_factory=dict)
    stage_roles: Mapping[StageRef, str] = field(default_factory=dict)
    patient_scale: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if not MIN_PATIENT_SCALE <= self.patient_scale <= MAX_PATIENT_SCALE:
            raise ValueError(f"patient scale must be between {MIN_PATIENT_SCALE} and {MAX_PATIENT_SCALE}")
        for minutes in self.stage_minutes.values():
            if not 0 <= minutes <= limits.MAX_STAGE_MINUTES:
                raise ValueError(f"minutes must be between 0 and {limits.MAX_STAGE_MINUTES}")
        for amount in self.extra_costs.values():
            if not 0 <= amount <= limits.MAX_EXTRA_COST:
                raise ValueError(f"an extra cost must be between £0 and £{limits.MAX_EXTRA_COST}")

    @property
    def is_empty(self) -> bool:
        return not (self.roles or self.extra_costs or self.stage_minutes or self.stage_roles) and (
            self.patient_scale == 1
        )


def scaled_patients(patients: int, scale: Decimal) -> int:
    """Patients times the scale, to the nearest whole person (halves up)."""
    return int(engine.round_half_up(patients * scale, Decimal(1)))


def apply(model: engine.CostModel, whatif: WhatIf) -> engine.CostModel:
    """The model with the what-if's changes; unknown roles or stages are ignored."""
    role_keys = {r.key for r in model.roles}
    roles = tuple(
        replace(whatif.roles[r.key], key=r.key, name=r.name) if r.key in whatif.roles else r for r in model.roles
    )
    pathways = []
    for pathway in model.pathways:
        stages = []
        for index, stage in enumerate(pathway.stages):
            ref = (pathway.key, index)
            changes: dict = {}
            if ref in whatif.stage_minutes:
                changes["minutes"] = whatif.stage_minutes[ref]
            new_role = whatif.stage_roles.get(ref)
            if new_role in role_keys:
                changes["role"] = new_role
            if stage.extra_cost in whatif.extra_costs:
                changes["extra_cost"] = whatif.extra_costs[stage.extra_cost]
            stage = replace(stage, **changes) if changes else stage
            if stage.role is None and stage.minutes:
                stage = replace(stage, minutes=Decimal(0))  # minutes need somebody to spend them
            stages.append(stage)
        pathways.append(replace(pathway, stages=tuple(stages)))

    def scale(cohorts: tuple[engine.Cohort, ...]) -> tuple[engine.Cohort, ...]:
        if whatif.patient_scale == 1:
            return cohorts
        return tuple(replace(c, patients=scaled_patients(c.patients, whatif.patient_scale)) for c in cohorts)

    return replace(model, roles=roles, pathways=tuple(pathways), before=scale(model.before), after=scale(model.after))


def describe(model: engine.CostModel, whatif: WhatIf) -> list[str]:
    """The changes in words, only those that change something."""
    lines = []
    for role in model.roles:
        new = whatif.roles.get(role.key)
        if new is not None and new.exact_hourly_rate != role.exact_hourly_rate:
            lines.append(f"{role.name}: £{role.hourly_rate}/h → £{new.hourly_rate}/h")
    for old, new in sorted(whatif.extra_costs.items()):
        if old != new:
            lines.append(f"Extra cost £{old} → £{new}")
    names = {r.key: r.name for r in model.roles}
    for pathway in model.pathways:
        for index, stage in enumerate(pathway.stages):
            ref = (pathway.key, index)
            minutes = whatif.stage_minutes.get(ref)
            if minutes is not None and minutes != stage.minutes:
                lines.append(
                    f"{pathway.name} – {stage.name}: {engine.normalise_minutes(stage.minutes)} → "
                    f"{engine.normalise_minutes(minutes)} minutes"
                )
            role = whatif.stage_roles.get(ref)
            if role is not None and role != stage.role and role in names:
                lines.append(f"{pathway.name} – {stage.name}: {names.get(stage.role, 'nobody')} → {names[role]}")
    if whatif.patient_scale != 1:
        lines.append(f"Patient numbers × {whatif.patient_scale.normalize()}")
    return lines
