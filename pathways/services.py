"""Writes to pathways and cost models: keyword-only, one transaction each."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from costing import engine
from costing.exchange import ModelFileError
from pathways.models import Cohort, CohortCondition, Condition, CostModel, Pathway, Stage
from practices.models import Practice, StaffRole


def _free_key(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... whichever is not taken yet."""
    key, n = wanted, 1
    while key in taken:
        n += 1
        suffix = f"-{n}"
        key = wanted[: 50 - len(suffix)] + suffix
    taken.add(key)
    return key


@transaction.atomic
def cost_model_import(
    *, practice: Practice, model: engine.CostModel, by: AbstractBaseUser | None, name: str | None = None
) -> CostModel:
    """Store a model read from a file in a practice, all or nothing.

    A role or pathway whose key is already used in the practice is reused when
    it is the same, and stored under a new key (``pn-2``) when it differs, so
    that the imported model costs exactly as its file does and no existing model
    changes. Raises ModelFileError for an unknown condition code.
    """
    codes = {code for cohort in model.before + model.after for code in cohort.conditions}
    conditions = {c.code: c for c in Condition.objects.filter(code__in=codes)}
    for side, cohorts in (("before", model.before), ("after", model.after)):
        for i, cohort in enumerate(cohorts):
            for j, code in enumerate(cohort.conditions):
                if code not in conditions:
                    raise ModelFileError(f"{side}[{i}].conditions[{j}]", f"unknown condition code {code!r}")

    existing_roles = {r.key: r for r in StaffRole.objects.filter(practice=practice)}
    taken_role_keys = set(existing_roles)
    roles: dict[str, StaffRole] = {}
    for role in model.roles:
        current = existing_roles.get(role.key)
        if current is not None and current.as_engine_role() == role:
            roles[role.key] = current
            continue
        roles[role.key] = StaffRole.objects.create(
            practice=practice,
            key=_free_key(role.key, taken_role_keys),
            name=role.name,
            band=role.band,
            cost_per_hour=role.cost_per_hour,
            annual_salary=role.annual_salary,
            on_cost_percent=role.on_cost_percent,
            paid_hours_per_year=role.paid_hours_per_year,
            cost_basis=role.cost_basis.value if role.cost_basis else "",
        )

    existing_pathways = {p.key: p for p in Pathway.objects.filter(practice=practice).prefetch_related("stages__role")}
    taken_pathway_keys = set(existing_pathways)
    pathways: dict[str, Pathway] = {}
    for pathway in model.pathways:
        wanted_stages = tuple(replace(s, role=roles[s.role].key if s.role else None) for s in pathway.stages)
        current = existing_pathways.get(pathway.key)
        if (
            current is not None
            and current.name == pathway.name
            and tuple(s.as_engine_stage() for s in current.stages.all()) == wanted_stages
        ):
            pathways[pathway.key] = current
            continue
        stored = Pathway.objects.create(
            practice=practice, key=_free_key(pathway.key, taken_pathway_keys), name=pathway.name
        )
        Stage.objects.bulk_create(
            Stage(
                practice=practice,
                pathway=stored,
                position=position,
                name=stage.name,
                step=stage.step.value,
                role=roles[stage.role] if stage.role else None,
                minutes=stage.minutes,
                extra_cost=stage.extra_cost,
                visit=stage.visit,
                printed_cost=stage.printed_cost,
            )
            for position, stage in enumerate(pathway.stages)
        )
        pathways[pathway.key] = stored

    cost_model = CostModel.objects.create(
        practice=practice,
        name=name or model.name,
        description=model.description,
        period=model.period.value,
        created_by=by,
    )
    for side, cohorts in (("before", model.before), ("after", model.after)):
        for position, cohort in enumerate(cohorts):
            stored_cohort = Cohort.objects.create(
                practice=practice,
                cost_model=cost_model,
                side=side,
                position=position,
                label=cohort.label,
                patients=cohort.patients,
                pathway=pathways[cohort.pathway],
                printed_cost_per_patient=cohort.printed_cost_per_patient,
                printed_contact_minutes=cohort.printed_contact_minutes,
            )
            CohortCondition.objects.bulk_create(
                CohortCondition(cohort=stored_cohort, condition=conditions[code], position=i)
                for i, code in enumerate(cohort.conditions)
            )
    return cost_model
