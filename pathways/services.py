"""Writes to pathways, cost models, scenarios and decision inputs: keyword-only, one transaction each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, ProtectedError, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from costing import engine, limits, overlay, profiles, whatif
from costing.decisions import settings as decision_settings
from costing.exchange import ModelFileError
from pathways import selectors, totals
from pathways.models import (
    APPOINTMENT_FIELDS,
    PERCENT_FIELDS,
    Cohort,
    CohortCondition,
    CohortGroup,
    CohortGroupCondition,
    Condition,
    CostModel,
    DecisionInputs,
    Pathway,
    PracticeProfile,
    ProfileAgeBand,
    ProfileGroup,
    ProfileGroupCondition,
    ProfileRegister,
    SetupCost,
    Stage,
)
from practices.audit import audited
from practices.concurrency import EditConflict, claim_version
from practices.models import Practice, StaffRole


def _create_with_history(model, objects) -> None:
    """bulk_create that also writes the audit trail (a plain bulk_create would not)."""
    objects = list(objects)
    if objects:
        bulk_create_with_history(objects, model)


def _create_role(role: engine.Role, *, practice: Practice, key: str) -> StaffRole:
    stored = StaffRole.from_engine_role(role, practice=practice, key=key)
    stored.save(force_insert=True)
    return stored


def _free_key(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... whichever is not taken yet."""
    key, n = wanted, 1
    while key in taken:
        n += 1
        suffix = f"-{n}"
        key = wanted[: 50 - len(suffix)] + suffix
    taken.add(key)
    return key


def _store_groups_and_cohorts(
    cost_model: CostModel,
    model_groups: Sequence[engine.Group],
    *,
    before: Sequence[engine.Cohort],
    after: Sequence[engine.Cohort],
    pathways: Mapping[str, Pathway],
    conditions: Mapping[str, Condition],
) -> None:
    """A new model's groups and cohorts, from the engine's; ``pathways`` and ``conditions`` by key and code."""
    practice = cost_model.practice
    groups = {}
    for position, group in enumerate(model_groups):
        groups[group.key] = stored_group = CohortGroup.objects.create(
            practice=practice,
            cost_model=cost_model,
            position=position,
            key=group.key,
            label=group.label,
            people=group.people,
        )
        _create_with_history(
            CohortGroupCondition,
            (
                CohortGroupCondition(group=stored_group, condition=conditions[code], position=i)
                for i, code in enumerate(group.conditions)
            ),
        )
    for side, cohorts in (("before", before), ("after", after)):
        for position, cohort in enumerate(cohorts):
            if cohort.group is not None and cohort.group not in groups:
                raise ValueError(f"cohort {cohort.label!r}: unknown group {cohort.group!r}")
            stored_cohort = Cohort.objects.create(
                practice=practice,
                cost_model=cost_model,
                side=side,
                position=position,
                label=cohort.label,
                patients=cohort.patients,
                times=cohort.times,
                exceptions=cohort.exceptions,
                group=groups.get(cohort.group),
                pathway=pathways[cohort.pathway],
                printed_cost_per_patient=cohort.printed_cost_per_patient,
                printed_contact_minutes=cohort.printed_contact_minutes,
            )
            _create_with_history(
                CohortCondition,
                (
                    CohortCondition(cohort=stored_cohort, condition=conditions[code], position=i)
                    for i, code in enumerate(cohort.conditions)
                ),
            )


@audited
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
    # One import at a time per practice: a second waits, then reuses the roles and
    # pathways the first stored instead of colliding with their keys.
    Practice.objects.select_for_update().filter(pk=practice.pk).first()
    conditions, pathways = _store_roles_and_pathways(practice=practice, model=model)
    cost_model = CostModel.objects.create(
        practice=practice,
        name=name or model.name,
        description=model.description,
        period=model.period.value,
        created_by=by,
    )
    _store_groups_and_cohorts(
        cost_model, model.groups, before=model.before, after=model.after, pathways=pathways, conditions=conditions
    )
    _baseline_if_first(cost_model)
    totals.refresh([cost_model.pk])
    return cost_model


@audited
@transaction.atomic
def cost_model_replace(
    *, cost_model: CostModel, model: engine.CostModel, by: AbstractBaseUser | None, expected_version: int | None
) -> CostModel:
    """Make a stored model what a model file says (name, period, groups and cohorts), all or nothing.

    Roles and pathways are matched or stored as cost_model_import does, so no
    other model changes; the model keeps its id, its scenarios and its decision
    inputs, and its version goes up by one. With ``expected_version``, raises
    CostModelChanged if someone saved the model since: nothing is written.
    """
    locked = CostModel.objects.select_for_update(of=("self",)).select_related("practice").get(pk=cost_model.pk)
    if locked.overlay is not None:
        raise ModelFileError(
            "model", "this model is a scenario: it holds only its differences from its base; replace its base instead"
        )
    Practice.objects.select_for_update().filter(pk=locked.practice_id).first()  # one import at a time per practice
    try:
        claim_version(locked, expected_version)
    except EditConflict:
        raise CostModelChanged(locked, expected_version) from None
    conditions, pathways = _store_roles_and_pathways(practice=locked.practice, model=model)
    locked.cohorts.all().delete()  # before the groups they name (Cohort.group is RESTRICT)
    locked.groups.all().delete()
    locked.name = model.name
    locked.description = model.description
    locked.period = model.period.value
    locked.save(update_fields=["name", "description", "period", "updated_at"])
    _store_groups_and_cohorts(
        locked, model.groups, before=model.before, after=model.after, pathways=pathways, conditions=conditions
    )
    totals.refresh([locked.pk])
    return locked


def _store_roles_and_pathways(
    *, practice: Practice, model: engine.CostModel
) -> tuple[dict[str, Condition], dict[str, Pathway]]:
    """The file's conditions, and its pathways as the practice's (matched or stored), by the file's keys."""
    codes = {code for cohort in model.before + model.after for code in cohort.conditions}
    codes.update(code for group in model.groups for code in group.conditions)
    conditions = {c.code: c for c in Condition.objects.filter(code__in=codes)}
    for i, group in enumerate(model.groups):
        for j, code in enumerate(group.conditions):
            if code not in conditions:
                raise ModelFileError(f"groups[{i}].conditions[{j}]", f"unknown condition code {code!r}")
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
        roles[role.key] = _create_role(role, practice=practice, key=_free_key(role.key, taken_role_keys))

    existing_pathways = {p.key: p for p in Pathway.objects.filter(practice=practice).prefetch_related("stages__role")}
    taken_pathway_keys = set(existing_pathways)
    pathways: dict[str, Pathway] = {}
    for pathway in model.pathways:
        wanted_stages = tuple(replace(s, role=roles[s.role].key if s.role else None) for s in pathway.stages)
        current = existing_pathways.get(pathway.key)
        if (
            current is not None
            and current.name == pathway.name
            and current.description == pathway.description
            and tuple(s.as_engine_stage() for s in current.stages.all()) == wanted_stages
        ):
            pathways[pathway.key] = current
            continue
        stored = Pathway.objects.create(
            practice=practice,
            key=_free_key(pathway.key, taken_pathway_keys),
            name=pathway.name,
            description=pathway.description,
        )
        _create_with_history(
            Stage,
            (
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
            ),
        )
        pathways[pathway.key] = stored

    return conditions, pathways


# ----------------------------------------------------------------------- editor


class PathwayInUse(Exception):
    """A pathway that cohorts still use cannot be deleted (Cohort.pathway is PROTECT)."""

    def __init__(self, pathway: Pathway, models: list[CostModel]):
        self.pathway = pathway
        self.models = models
        super().__init__(f"{pathway.name!r} is used by {len(models)} cost model(s)")


class CostModelChanged(EditConflict):
    """The model was saved by someone else since the editor was opened (optimistic lock)."""

    def __init__(self, cost_model: CostModel, expected_version: int):
        self.cost_model = cost_model
        super().__init__(cost_model, expected_version)


@dataclass(frozen=True)
class StageInput:
    """One stage as the editor gives it; ``id`` is an existing stage of the pathway, or None."""

    name: str
    step: str
    role: StaffRole | None
    minutes: Decimal = Decimal(0)
    extra_cost: Decimal = Decimal(0)
    visit: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class CohortInput:
    """One cohort as the editor gives it; ``id`` is an existing cohort of the model, or None."""

    label: str
    patients: int
    pathway: Pathway
    conditions: tuple[Condition, ...] = ()
    id: int | None = None
    times: int = 1
    exceptions: int = 0  # of the patients, screened out at triage (costing rule 7)


class GroupedCohortPatients(ValueError):
    """A cohort that names a group was given patients other than the group's people.

    A grouped cohort's patients are its group's people (model file version 2):
    they change with the group, never on their own.
    """

    def __init__(self, *, side: str, index: int, cohort: Cohort):
        self.side = side
        self.index = index
        self.cohort = cohort
        self.group = cohort.group
        people = cohort.group.people
        super().__init__(
            f"“{cohort.label}” has the {people:,} {'person' if people == 1 else 'people'} of its group "
            f"“{cohort.group.label}”; its patients cannot differ from the group's."
        )


def _bump_versions(models: QuerySet[CostModel]) -> None:
    """Every model whose figures change gets a new version (the key of cached results) and its totals stored."""
    ids = list(models.values_list("pk", flat=True))
    CostModel.objects.filter(pk__in=ids).update(version=F("version") + 1, updated_at=timezone.now())
    totals.refresh(ids)


def _check_same_practice(practice: Practice, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.practice_id != practice.pk:
            raise ValueError(f"{obj._meta.verbose_name} {obj.pk} belongs to another practice")


def _pathway_key(practice: Practice, name: str) -> str:
    taken = set(Pathway.objects.filter(practice=practice).values_list("key", flat=True))
    return _free_key(slugify(name)[: limits.MAX_KEY_LENGTH].strip("-_") or "pathway", taken)


def _write_stages(pathway: Pathway, stages: Sequence[StageInput]) -> None:
    """Make the pathway's stages exactly ``stages``, in order, keeping the ids of those that stay."""
    if len(stages) > limits.MAX_STAGES_PER_PATHWAY:
        raise ValueError(f"a pathway has at most {limits.MAX_STAGES_PER_PATHWAY} stages")
    _check_same_practice(pathway.practice, *(s.role for s in stages))
    existing = {s.pk: s for s in pathway.stages.all()}
    keep = {s.id for s in stages if s.id in existing}
    pathway.stages.exclude(pk__in=keep).delete()
    for position, data in enumerate(stages):
        # An id not of this pathway, or given twice, is a new stage.
        stage = existing.pop(data.id, None) if data.id in keep else None
        if stage is None:
            stage = Stage(practice=pathway.practice, pathway=pathway)
        elif (stage.role_id, stage.minutes, stage.extra_cost) != (
            data.role.pk if data.role else None,
            data.minutes,
            data.extra_cost,
        ):
            # A figure printed in a source document only reconciles with the stage it was printed for.
            stage.printed_cost = None
        stage.position = position
        stage.name = data.name
        stage.step = data.step
        stage.role = data.role
        stage.minutes = data.minutes
        stage.extra_cost = data.extra_cost
        stage.visit = data.visit
        stage.clean_fields(exclude=["practice", "pathway", "role"])
        stage.save()


@audited
@transaction.atomic
def pathway_create(
    *,
    practice: Practice,
    name: str,
    stages: Sequence[StageInput] = (),
    by: AbstractBaseUser | None,
    description: str = "",
) -> Pathway:
    """A new pathway of the practice, under a key made from its name."""
    pathway = Pathway.objects.create(
        practice=practice, key=_pathway_key(practice, name), name=name, description=description
    )
    _write_stages(pathway, [replace(s, id=None) for s in stages])
    return pathway


@audited
@transaction.atomic
def pathway_copy(*, pathway: Pathway, name: str, by: AbstractBaseUser | None) -> Pathway:
    """A new pathway of the same practice with a copy of ``pathway``'s stages (the same roles)."""
    stages = [
        StageInput(name=s.name, step=s.step, role=s.role, minutes=s.minutes, extra_cost=s.extra_cost, visit=s.visit)
        for s in pathway.stages.select_related("role")
    ]
    return pathway_create(practice=pathway.practice, name=name, stages=stages, by=by)


@audited
@transaction.atomic
def pathway_create_from_template(
    *,
    practice: Practice,
    name: str,
    template: engine.Pathway,
    roles: Mapping[str, StaffRole | engine.Role],
    by: AbstractBaseUser | None,
) -> Pathway:
    """A copy of a template pathway's stages, each template role mapped onto a practice role.

    ``roles`` maps every role key the template's stages use to a role of the
    practice, or to the template's own ``engine.Role``, which is then created in
    the practice at the template's rate (under a free key).
    """
    taken = set(StaffRole.objects.filter(practice=practice).values_list("key", flat=True))
    resolved: dict[str, StaffRole] = {}
    for key in dict.fromkeys(s.role for s in template.stages if s.role is not None):
        target = roles[key]
        if isinstance(target, engine.Role):
            target = _create_role(target, practice=practice, key=_free_key(target.key, taken))
        resolved[key] = target
    stages = [
        StageInput(
            name=s.name,
            step=s.step.value,
            role=resolved[s.role] if s.role is not None else None,
            minutes=s.minutes,
            extra_cost=s.extra_cost,
            visit=s.visit,
        )
        for s in template.stages
    ]
    return pathway_create(practice=practice, name=name, stages=stages, by=by)


@audited
@transaction.atomic
def pathway_update(
    *,
    pathway: Pathway,
    name: str,
    stages: Sequence[StageInput],
    by: AbstractBaseUser | None,
    description: str | None = None,
    expected_version: int | None = None,
) -> Pathway:
    """Rename the pathway and make its stages ``stages``; every model using it gets a new version.

    With ``expected_version``, raises EditConflict if someone saved the pathway
    since (the optimistic lock): nothing is written.
    """
    claim_version(pathway, expected_version)
    pathway.name = name
    if description is not None:
        pathway.description = description
    pathway.save()
    _write_stages(pathway, stages)
    using = CostModel.objects.filter(pk__in=Cohort.objects.filter(pathway=pathway).values("cost_model_id"))
    for cost_model in using:
        _check_model_size(cost_model)
    _bump_versions(using)
    return pathway


@audited
@transaction.atomic
def pathway_delete(*, pathway: Pathway, by: AbstractBaseUser | None) -> None:
    """Delete a pathway and its stages; raises PathwayInUse while a cohort uses it."""
    models = selectors.models_using(pathway=pathway)
    if models:
        raise PathwayInUse(pathway, models)
    try:
        pathway.delete()
    except ProtectedError:  # a cohort arrived since the check
        raise PathwayInUse(pathway, selectors.models_using(pathway=pathway)) from None


class ModelTooLarge(ValueError):
    """A model would use more pathways or roles than a model may have (costing/limits.py).

    Every page and report shows all of a model's pathways, and the what-if panel
    offers every role of the model on every stage: the limits keep them servable.
    """


class TooManyPathways(ModelTooLarge):
    def __init__(self, count: int):
        super().__init__(
            f"The model's cohorts go through {count} different pathways; a model may use at most "
            f"{limits.MAX_PATHWAYS}. Nothing was saved."
        )


class TooManyRoles(ModelTooLarge):
    def __init__(self, cost_model: CostModel, count: int):
        super().__init__(
            f"The model “{cost_model.name}” would use {count} different staff roles; a model may use at most "
            f"{limits.MAX_ROLES}. Nothing was saved."
        )


def _check_model_size(cost_model: CostModel) -> None:
    """Raise TooManyPathways or TooManyRoles past the limits."""
    pathways = cost_model.cohorts.order_by().values("pathway_id")
    count = pathways.distinct().count()
    if count > limits.MAX_PATHWAYS:
        raise TooManyPathways(count)
    roles = (
        Stage.objects.filter(pathway_id__in=pathways, role__isnull=False)
        .order_by()
        .values("role_id")
        .distinct()
        .count()
    )
    if roles > limits.MAX_ROLES:
        raise TooManyRoles(cost_model, roles)


def _write_cohorts(cost_model: CostModel, side: str, cohorts: Sequence[CohortInput]) -> None:
    if len(cohorts) > limits.MAX_COHORTS_PER_SIDE:
        raise ValueError(f"a side has at most {limits.MAX_COHORTS_PER_SIDE} cohorts")
    _check_same_practice(cost_model.practice, *(c.pathway for c in cohorts))
    existing = {
        c.pk: c
        for c in cost_model.cohorts.filter(side=side).select_related("group").prefetch_related("cohort_conditions")
    }
    keep = {c.id for c in cohorts if c.id in existing}
    cost_model.cohorts.filter(side=side).exclude(pk__in=keep).delete()
    for position, data in enumerate(cohorts):
        # An id not of this side of this model, or given twice, is a new cohort.
        cohort = existing.pop(data.id, None) if data.id in keep else None
        if cohort is None:
            cohort = Cohort(practice=cost_model.practice, cost_model=cost_model, side=side)
        elif cohort.pathway_id != data.pathway.pk:
            # Printed figures reconcile with the pathway they were printed for.
            cohort.printed_cost_per_patient = None
            cohort.printed_contact_minutes = None
        cohort.position = position
        cohort.label = data.label
        if cohort.group_id is not None and data.patients != cohort.group.people:
            raise GroupedCohortPatients(side=side, index=position, cohort=cohort)
        if not 0 <= data.exceptions <= data.patients:
            raise ValueError(f"cohort {data.label!r}: exceptions must be from 0 to its {data.patients} patients")
        cohort.patients = data.patients
        cohort.times = data.times
        cohort.exceptions = data.exceptions
        cohort.pathway = data.pathway
        cohort.clean_fields(exclude=["practice", "cost_model", "pathway"])
        cohort.save()
        wanted = list(dict.fromkeys(data.conditions))
        current = [cc.condition_id for cc in cohort.cohort_conditions.all()] if cohort.pk in keep else []
        if current != [c.pk for c in wanted]:
            cohort.cohort_conditions.all().delete()
            _create_with_history(
                CohortCondition,
                (CohortCondition(cohort=cohort, condition=condition, position=i) for i, condition in enumerate(wanted)),
            )


@audited
@transaction.atomic
def cost_model_create(
    *,
    practice: Practice,
    name: str,
    period: str,
    by: AbstractBaseUser | None,
    description: str = "",
    before: Sequence[CohortInput] = (),
    after: Sequence[CohortInput] = (),
) -> CostModel:
    cost_model = CostModel(practice=practice, name=name, description=description, period=period, created_by=by)
    cost_model.clean_fields(exclude=["practice", "based_on", "created_by"])
    cost_model.save()
    _write_cohorts(cost_model, Cohort.Side.BEFORE, before)
    _write_cohorts(cost_model, Cohort.Side.AFTER, after)
    _check_model_size(cost_model)
    _baseline_if_first(cost_model)
    totals.refresh([cost_model.pk])
    return cost_model


@audited
@transaction.atomic
def cost_model_update(
    *,
    cost_model: CostModel,
    name: str,
    description: str,
    period: str,
    before: Sequence[CohortInput],
    after: Sequence[CohortInput],
    by: AbstractBaseUser | None,
    expected_version: int | None = None,
) -> CostModel:
    """Save the model and both sides' cohorts, all or nothing; the version goes up by one.

    With ``expected_version``, raises CostModelChanged if someone saved the model
    since (the optimistic lock): nothing is written.
    """
    locked = CostModel.objects.select_for_update(of=("self",)).select_related("practice").get(pk=cost_model.pk)
    try:
        claim_version(locked, expected_version)
    except EditConflict:
        raise CostModelChanged(locked, expected_version) from None
    locked.name = name
    locked.description = description
    locked.period = period
    locked.clean_fields(exclude=["practice", "based_on", "created_by"])
    locked.save()
    _write_cohorts(locked, Cohort.Side.BEFORE, before)
    _write_cohorts(locked, Cohort.Side.AFTER, after)
    _check_model_size(locked)
    # Its scenarios count over its period (unless one says otherwise: costing.overlay), as lists show it.
    CostModel.objects.filter(based_on=locked, overlay__isnull=False).exclude(overlay__has_key="period").update(
        period=period
    )
    totals.refresh([locked.pk])  # and its scenarios'
    return locked


class BaseHasScenarios(Exception):
    """A model that scenarios are overlays on cannot be deleted: they are costed from it."""

    def __init__(self, cost_model: CostModel, scenarios: list[CostModel]):
        self.cost_model = cost_model
        self.scenarios = scenarios
        names = ", ".join(f"“{s.name}”" for s in scenarios)
        super().__init__(f"“{cost_model.name}” is the base of the scenario(s) {names}: delete them first.")


@audited
@transaction.atomic
def cost_model_delete(*, cost_model: CostModel, by: AbstractBaseUser | None) -> None:
    """Delete the model and its cohorts; models copied from it stay, no longer based on it. Pathways stay.

    Raises BaseHasScenarios while a scenario is an overlay on it (nothing is deleted).
    """
    scenarios = list(CostModel.objects.filter(based_on=cost_model, overlay__isnull=False).order_by("name", "id"))
    if scenarios:
        raise BaseHasScenarios(cost_model, scenarios)
    cost_model.delete()


@audited
@transaction.atomic
def cost_model_duplicate(*, cost_model: CostModel, by: AbstractBaseUser | None, name: str | None = None) -> CostModel:
    """A copy of the model and its cohorts, sharing the practice's pathways: a model in its own right,
    recorded as copied from it (edits to it do not reach the copy). A scenario's copy is another scenario."""
    name = name or f"{cost_model.name} (copy)"
    if len(name) > limits.MAX_NAME_LENGTH:
        name = cost_model.name[: limits.MAX_NAME_LENGTH - len(" (copy)")].rstrip() + " (copy)"
    scenario = cost_model.overlay is not None
    copy = CostModel.objects.create(
        practice=cost_model.practice,
        name=name,
        description=cost_model.description,
        period=cost_model.period,
        # A scenario's copy is another overlay on the same base; a model's, a model of its own.
        based_on_id=cost_model.based_on_id if scenario else cost_model.pk,
        overlay=cost_model.overlay,
        created_by=by,
    )
    if scenario:
        totals.refresh([copy.pk])
        return copy
    groups = {}  # the original's group id -> the copy's group
    for group in cost_model.groups.prefetch_related("group_conditions").order_by("position", "id"):
        groups[group.pk] = CohortGroup.objects.create(
            practice=copy.practice,
            cost_model=copy,
            position=group.position,
            key=group.key,
            label=group.label,
            people=group.people,
        )
        _create_with_history(
            CohortGroupCondition,
            (
                CohortGroupCondition(group=groups[group.pk], condition_id=gc.condition_id, position=gc.position)
                for gc in group.group_conditions.all()
            ),
        )
    for cohort in cost_model.cohorts.prefetch_related("cohort_conditions").order_by("side", "position", "id"):
        conditions = list(cohort.cohort_conditions.all())
        stored = Cohort.objects.create(
            practice=copy.practice,
            cost_model=copy,
            side=cohort.side,
            position=cohort.position,
            label=cohort.label,
            patients=cohort.patients,
            times=cohort.times,
            exceptions=cohort.exceptions,
            group=groups.get(cohort.group_id),
            pathway_id=cohort.pathway_id,
            printed_cost_per_patient=cohort.printed_cost_per_patient,
            printed_contact_minutes=cohort.printed_contact_minutes,
        )
        _create_with_history(
            CohortCondition,
            (CohortCondition(cohort=stored, condition_id=cc.condition_id, position=cc.position) for cc in conditions),
        )
    totals.refresh([copy.pk])
    return copy


@audited
@transaction.atomic
def cohorts_import(
    *,
    cost_model: CostModel,
    rows: Sequence[CohortInput],
    sides: Sequence[str],
    replace: bool,
    by: AbstractBaseUser | None,
) -> CostModel:
    """Add imported cohorts to a model (or replace each imported side's cohorts), all or nothing.

    ``rows[i]`` goes to ``sides[i]``; the model's version goes up by one.
    """
    locked = CostModel.objects.select_for_update(of=("self",)).select_related("practice").get(pk=cost_model.pk)
    for side in (Cohort.Side.BEFORE, Cohort.Side.AFTER):
        incoming = [row for row, row_side in zip(rows, sides, strict=True) if row_side == side]
        if not incoming:
            continue
        kept = []
        if not replace:
            for cohort in (
                locked.cohorts.filter(side=side)
                .order_by("position", "id")
                .prefetch_related("cohort_conditions__condition", "pathway")
            ):
                kept.append(
                    CohortInput(
                        label=cohort.label,
                        patients=cohort.patients,
                        pathway=cohort.pathway,
                        conditions=tuple(cc.condition for cc in cohort.cohort_conditions.all()),
                        id=cohort.pk,
                        times=cohort.times,
                        exceptions=cohort.exceptions,
                    )
                )
        _write_cohorts(locked, side, kept + incoming)
    _check_model_size(locked)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    totals.refresh([locked.pk])
    return locked


class ScenarioOfScenario(ValueError):
    """The scales of a scenario and of the what-if made on it together leave the what-if's range."""


@audited
@transaction.atomic
def scenario_save(
    *,
    cost_model: CostModel,
    model: engine.CostModel,
    changes: whatif.WhatIf,
    name: str,
    by: AbstractBaseUser | None,
) -> CostModel:
    """Store a what-if as a scenario: an overlay on ``cost_model`` holding only what differs.

    It creates no role, pathway, cohort or group: it is costed from its base as the
    base is at the time (pathways.selectors.engine_model), so an edit to the base
    reaches it. A what-if of a scenario is saved on that scenario's base, its
    differences and the new ones together. ``model`` is the model the panel showed
    (``cost_model`` as the engine costs it). Raises ScenarioOfScenario when the
    patient scales together leave the what-if's range.
    """
    base = cost_model
    if cost_model.overlay is not None:
        base = CostModel.objects.select_related("practice").get(pk=cost_model.based_on_id)
        base_model = selectors.base_engine_model(cost_model)
        earlier = overlay.resolve(base_model, overlay.loads(cost_model.overlay)).changes
        try:
            changes = whatif.compose(base_model, earlier, changes)
        except ValueError as error:
            raise ScenarioOfScenario(str(error)) from None
        model = base_model
    assumptions = whatif.describe(model, changes)
    note = "What-if of “" + base.name + "”: " + ("; ".join(assumptions) if assumptions else "no changes") + "."
    scenario = CostModel(
        practice=base.practice,
        name=name,
        description=note,
        # Lists and the API show the period it counts over: its own when it changes it.
        period=changes.period.value if changes.period is not None else base.period,
        based_on=base,
        overlay=overlay.dumps(overlay.of(model, changes)),
        created_by=by,
    )
    scenario.clean_fields(exclude=["practice", "based_on", "created_by", "overlay"])
    scenario.save()
    totals.refresh([scenario.pk])
    return scenario


class BaselineIsAScenario(ValueError):
    """Only a model in its own right can be a practice's baseline."""


@audited
@transaction.atomic
def cost_model_mark_baseline(*, cost_model: CostModel, by: AbstractBaseUser | None) -> CostModel:
    """Make the model its practice's baseline (the one the roll-up uses); the practice's other model stops being it."""
    if cost_model.overlay is not None:
        raise BaselineIsAScenario("A scenario cannot be the practice's baseline: mark its base, or a model of its own.")
    CostModel.objects.filter(practice_id=cost_model.practice_id, is_baseline=True).exclude(pk=cost_model.pk).update(
        is_baseline=False
    )
    CostModel.objects.filter(pk=cost_model.pk).update(is_baseline=True)
    cost_model.is_baseline = True
    return cost_model


def _baseline_if_first(cost_model: CostModel) -> None:
    """A practice's first model in its own right is its baseline until it marks another."""
    practice_models = CostModel.objects.filter(practice_id=cost_model.practice_id)
    if not practice_models.filter(is_baseline=True).exists():
        practice_models.filter(pk=cost_model.pk).update(is_baseline=True)
        cost_model.is_baseline = True


# ------------------------------------------------------------------ decision support

INPUT_FIELDS = (*PERCENT_FIELDS, "minutes_together", "draws", "seed", *APPOINTMENT_FIELDS.values())


@dataclass(frozen=True)
class SetupCostInput:
    kind: str
    role: StaffRole | None
    hours: Decimal | None
    amount: Decimal | None
    description: str = ""


@transaction.atomic
def decision_inputs_save(
    *,
    cost_model: CostModel,
    values: Mapping[str, object],
    setup_costs: Sequence[SetupCostInput],
) -> DecisionInputs:
    """Store the model's decision inputs and replace its set-up cost lines, in one transaction.

    ``values`` holds every DecisionInputs field of INPUT_FIELDS; a set-up line's
    role must be of the model's practice (ValueError otherwise).
    """
    missing = [name for name in INPUT_FIELDS if name not in values]
    if missing:
        raise ValueError(f"decision inputs: missing {', '.join(missing)}")
    if len(setup_costs) > decision_settings.MAX_SETUP_LINES:
        raise ValueError(f"at most {decision_settings.MAX_SETUP_LINES} set-up cost lines")
    for line in setup_costs:
        if line.role is not None and line.role.practice_id != cost_model.practice_id:
            raise ValueError("a set-up cost line names another practice's role")
    inputs, _created = DecisionInputs.objects.update_or_create(
        cost_model=cost_model, defaults={name: values[name] for name in INPUT_FIELDS}
    )
    SetupCost.objects.filter(cost_model=cost_model).delete()
    SetupCost.objects.bulk_create(
        SetupCost(
            cost_model=cost_model,
            kind=line.kind,
            role=line.role,
            hours=line.hours,
            amount=line.amount,
            description=line.description,
            position=position,
        )
        for position, line in enumerate(setup_costs)
    )
    return inputs


# ------------------------------------------------------------------ practice profiles


class ProfileInvalid(ValueError):
    """The profile's counts disagree (costing.profiles.check); nothing was written."""

    def __init__(self, problems: Sequence[profiles.Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems[:5]))


def _write_profile_rows(practice_profile: PracticeProfile, profile: profiles.Profile) -> None:
    """Make the stored profile's bands, registers and groups exactly ``profile``'s."""
    codes = {r.code for r in profile.registers} | {c for g in profile.groups for c in g.conditions}
    conditions = {c.code: c for c in Condition.objects.filter(code__in=codes)}
    unknown = sorted(codes - set(conditions))
    if unknown:
        raise ValueError(f"unknown condition code {unknown[0]!r}")
    practice_profile.age_bands.all().delete()
    practice_profile.registers.all().delete()
    practice_profile.groups.all().delete()
    _create_with_history(
        ProfileAgeBand,
        (
            ProfileAgeBand(profile=practice_profile, position=i, low_age=b.low, high_age=b.high, people=b.people)
            for i, b in enumerate(profile.age_bands)
        ),
    )
    _create_with_history(
        ProfileRegister,
        (
            ProfileRegister(profile=practice_profile, position=i, condition=conditions[r.code], people=r.people)
            for i, r in enumerate(profile.registers)
        ),
    )
    for position, group in enumerate(profile.groups):
        stored = ProfileGroup.objects.create(
            profile=practice_profile,
            position=position,
            people=group.people,
            condition_count=group.count,
            or_more=group.or_more,
        )
        _create_with_history(
            ProfileGroupCondition,
            (
                ProfileGroupCondition(group=stored, condition=conditions[code], position=i)
                for i, code in enumerate(group.conditions)
            ),
        )


def _checked(profile: profiles.Profile) -> profiles.Profile:
    problems = profiles.check(profile)
    if problems:
        raise ProfileInvalid(problems)
    if len(profile.groups) > limits.MAX_GROUPS:
        raise ProfileInvalid([profiles.Problem("groups", None, "people", f"more than {limits.MAX_GROUPS} groups")])
    return profile


# ------------------------------------------------------------------ cohort estimator


@audited
@transaction.atomic
def profile_create(
    *,
    practice: Practice,
    read_on: date,
    profile: profiles.Profile,
    by: AbstractBaseUser | None,
    note: str = "",
) -> PracticeProfile:
    """A new profile of the practice, read on ``read_on``; ProfileInvalid (nothing written) if its counts disagree."""
    _checked(profile)
    stored = PracticeProfile(practice=practice, read_on=read_on, note=note, list_size=profile.list_size, created_by=by)
    stored.clean_fields(exclude=["practice", "created_by"])
    stored.save()
    _write_profile_rows(stored, profile)
    return stored


@audited
@transaction.atomic
def profile_update(
    *,
    practice_profile: PracticeProfile,
    read_on: date,
    profile: profiles.Profile,
    by: AbstractBaseUser | None,
    note: str = "",
    expected_version: int | None = None,
) -> PracticeProfile:
    """Replace the profile's counts; with ``expected_version``, EditConflict if someone saved it since."""
    _checked(profile)
    claim_version(practice_profile, expected_version)
    practice_profile.read_on = read_on
    practice_profile.note = note
    practice_profile.list_size = profile.list_size
    practice_profile.clean_fields(exclude=["practice", "created_by"])
    practice_profile.save()
    _write_profile_rows(practice_profile, profile)
    return practice_profile


@audited
@transaction.atomic
def profile_delete(*, practice_profile: PracticeProfile, by: AbstractBaseUser | None) -> None:
    """Delete the profile; models generated from it stay (they hold their own groups and cohorts)."""
    practice_profile.delete()


@audited
@transaction.atomic
def cost_model_generate(
    *,
    practice_profile: PracticeProfile,
    choices: profiles.Choices,
    name: str,
    period: str,
    by: AbstractBaseUser | None,
) -> CostModel:
    """A new model of the profile's practice, its groups and both sides generated from the profile.

    ``choices`` names pathways of the practice by key. Raises
    profiles.CannotGenerate (nothing written) when the profile does not say who
    has which conditions; the model's description says what was assumed.
    """
    practice = practice_profile.practice
    generated = profiles.generate(selectors.engine_profile(practice_profile), choices)
    keys = {c.pathway for c in generated.before + generated.after}
    pathways = {p.key: p for p in Pathway.objects.filter(practice=practice, key__in=keys)}
    missing = sorted(keys - set(pathways))
    if missing:
        raise profiles.CannotGenerate(f"no pathway {missing[0]!r} in this practice")
    codes = {code for g in generated.groups for code in g.conditions}
    conditions = {c.code: c for c in Condition.objects.filter(code__in=codes)}
    read_on = f"{practice_profile.read_on:%-d %B %Y}"
    description = " ".join(
        (
            f"Generated from the practice profile of {read_on} (list size {practice_profile.list_size:,}): "
            "before, each person has the review of each register they are on; after, one care and support "
            "planning process per person.",
            *generated.assumptions,
        )
    )
    cost_model = cost_model_create(practice=practice, name=name, period=period, by=by, description=description)
    _store_groups_and_cohorts(
        cost_model,
        generated.groups,
        before=generated.before,
        after=generated.after,
        pathways=pathways,
        conditions=conditions,
    )
    totals.refresh([cost_model.pk])
    return cost_model


@audited
@transaction.atomic
def profile_derive(*, cost_model: CostModel, by: AbstractBaseUser | None) -> PracticeProfile:
    """A profile of the people a model counts, when its two sides are one population.

    Raises profiles.CannotGenerate (nothing written) saying why otherwise, as for
    worked examples C and D. A model holds no list size: the profile's is the
    model's people, and its note says so.
    """
    profile = profiles.from_model(selectors.engine_model(cost_model))
    return profile_create(
        practice=cost_model.practice,
        read_on=timezone.localdate(),
        profile=profile,
        by=by,
        note=f"Derived from the model “{cost_model.name}”"[: limits.MAX_NAME_LENGTH - 40] + ": list size = its people",
    )


def cohort_estimate_accept(
    *,
    practice: Practice,
    before: Sequence[CohortInput],
    after: Sequence[CohortInput],
    note: str,
    by: AbstractBaseUser | None,
    cost_model: CostModel | None = None,
    name: str = "",
    period: str = "",
) -> CostModel:
    """The cohort estimator's proposal, accepted: its cohorts added to ``cost_model``, or to a new
    model of ``name`` and ``period``; ``note`` (what the cohorts count) goes into the model's
    description. All or nothing; the existing model's version goes up by one.
    """
    if cost_model is None:
        return cost_model_create(
            practice=practice, name=name, period=period, by=by, description=note, before=before, after=after
        )
    _check_same_practice(practice, cost_model)
    if cost_model.period == engine.Period.PER_PATIENT.value:
        raise ValueError("cohorts from registers need a model of a month or a year")
    rows = [*before, *after]
    updated = cohorts_import(
        cost_model=cost_model,
        rows=rows,
        sides=[Cohort.Side.BEFORE] * len(before) + [Cohort.Side.AFTER] * len(after),
        replace=False,
        by=by,
    )
    updated.description = f"{updated.description}\n\n{note}".strip()
    updated.save(update_fields=["description", "updated_at"])
    return updated
