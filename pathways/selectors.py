"""Reads of cost models: the one bridge from the database to the engine.

A model's rows are read in a fixed number of queries and turned into the
engine's dataclasses (engine_model); its figures come from the engine
(compare_cost_model), its totals in a batch (headline_rows, headlines_from_rows: what
pathways.totals stores);
its decision-support inputs become a DecisionSettings (decision_settings), and
its decision-support analysis is cached by its version too (decision_results).
The pages' and forms' other reads of pathways, models, cohorts and conditions
are at the end, each saying how many queries it makes.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, Count, F, Max, Prefetch, QuerySet, Sum, When

from costing import engine, overlay, profiles
from costing.decisions.payback import SetupCosts
from costing.decisions.settings import DecisionResults, DecisionSettings, analyse
from pathways.models import (
    APPOINTMENT_FIELDS,
    Cohort,
    CohortCondition,
    CohortGroup,
    Condition,
    CostModel,
    DecisionInputs,
    Pathway,
    PracticeProfile,
    ProfileGroup,
    ProfileRegister,
    SetupCost,
    Stage,
)
from practices.access import visible_practices
from practices.models import ENGINE_ROLE_FIELDS, Practice, StaffRole, engine_role

logger = logging.getLogger(__name__)

STEPS = {step.value: step for step in engine.Step}


def cost_model_with_rows(*, cost_model_id: int) -> CostModel:
    """The model with its cohorts, their conditions, pathways, stages and roles.

    Six queries whatever the size: the model, its groups, its cohorts, their conditions,
    their pathways, and the pathways' stages with their roles.
    """
    return load_engine_rows([cost_models().get(pk=cost_model_id)])[0]


def engine_model(cost_model: CostModel) -> engine.CostModel:
    """A cost model as the engine's dataclasses (rows read by cost_model_with_rows or load_engine_rows).

    The roles are those its stages use; the pathways those its cohorts use; both
    in the order they were created, which for an imported model is the file's.
    A model loaded otherwise has its rows read now (five queries).
    """
    rows = getattr(cost_model, "_engine_rows", None)
    if rows is None:
        attach_engine_rows([cost_model])
        rows = cost_model._engine_rows
    if cost_model.overlay is not None:
        # A scenario: its base as it is now, with the scenario's differences (costing.overlay).
        return overlay.apply(
            _engine_model_of_rows(cost_model, rows),
            scenario_overlay(cost_model),
            name=cost_model.name,
            description=cost_model.description,
        )
    return _engine_model_of_rows(cost_model, rows)


def scenario_overlay(cost_model: CostModel) -> overlay.Overlay:
    """The scenario's stored overlay, read and checked (costing.overlay.loads)."""
    return overlay.loads(cost_model.overlay)


def base_engine_model(cost_model: CostModel) -> engine.CostModel:
    """A scenario's base as the engine's dataclasses (rows read as engine_model reads them), without its overlay."""
    rows = getattr(cost_model, "_engine_rows", None)
    if rows is None:
        attach_engine_rows([cost_model])
        rows = cost_model._engine_rows
    return _engine_model_of_rows(cost_model.based_on if cost_model.overlay is not None else cost_model, rows)


def _engine_model_of_rows(cost_model: CostModel, rows: tuple) -> engine.CostModel:
    cohorts, pathways, stages, roles, groups = rows
    sides: dict[str, list[engine.Cohort]] = {"before": [], "after": []}
    for (
        side,
        label,
        patients,
        pathway_id,
        printed_cost,
        printed_contact,
        times,
        group,
        exceptions,
        conditions,
    ) in cohorts:
        sides[side].append(
            engine.Cohort(
                label=label,
                patients=patients,
                pathway=pathways[pathway_id][0],
                conditions=conditions,
                printed_cost_per_patient=printed_cost,
                printed_contact_minutes=printed_contact,
                times=times,
                group=group,
                exceptions=exceptions,
            )
        )
    return engine.CostModel(
        name=cost_model.name,
        period=engine.Period(cost_model.period),
        roles=tuple(roles[pk] for pk in sorted(roles)),
        pathways=tuple(
            engine.Pathway(key=key, name=name, stages=stages.get(pk, ()), description=description)
            for pk, (key, name, description) in sorted(pathways.items())
        ),
        before=tuple(sides["before"]),
        after=tuple(sides["after"]),
        description=cost_model.description,
        groups=groups,
    )


def cost_models() -> QuerySet[CostModel]:
    """Cost models with their practice, to be costed: engine_model reads each one's rows when
    first asked (five queries); load_engine_rows reads those of many at once."""
    return CostModel.objects.select_related("practice")


def load_engine_rows(cost_models: Iterable[CostModel]) -> list[CostModel]:
    """The models of ``cost_models`` (a list or a queryset, evaluated here), each with the rows
    engine_model needs, read for all of them in five queries whatever their number."""
    loaded = list(cost_models)
    if loaded:
        attach_engine_rows(loaded)
    return loaded


def attach_engine_rows(cost_models: list[CostModel]) -> None:
    """Read the rows of engine_model for ``cost_models`` (five queries; six with a scenario) and keep them on each.

    A scenario (an overlay) is costed from its base's rows: they are read for it,
    with the base's version, which its stored totals are computed at (pathways.totals).
    """
    sources = {m.pk: (m.based_on_id if m.overlay is not None else m.pk) for m in cost_models}
    bases = {pk for m in cost_models if m.overlay is not None for pk in [m.based_on_id]}
    if bases:
        found = {
            b.pk: b
            for b in CostModel.objects.filter(pk__in=bases).only(
                "id", "name", "period", "description", "version", "created_at"
            )
        }
        for m in cost_models:
            if m.overlay is not None:
                m.based_on = found[m.based_on_id]
    by_id = {pk: m for m in cost_models for pk in [sources[m.pk]]}
    ids = list(by_id)
    conditions: dict[int, list[str]] = {}
    for cohort_id, code in (
        CohortCondition.objects.filter(cohort__cost_model_id__in=ids)
        .order_by("cohort_id", "position", "id")
        .values_list("cohort_id", "condition__code")
    ):
        conditions.setdefault(cohort_id, []).append(code)
    groups: dict[int, list[engine.Group]] = {pk: [] for pk in by_id}
    # One row per group and condition (a group without conditions: one row, code None).
    for (model_id, _group_id, key, label, people), rows in groupby(
        CohortGroup.objects.filter(cost_model_id__in=ids)
        .order_by("cost_model_id", "position", "id", "group_conditions__position", "group_conditions__id")
        .values_list("cost_model_id", "id", "key", "label", "people", "group_conditions__condition__code"),
        key=itemgetter(0, 1, 2, 3, 4),
    ):
        codes = tuple(row[5] for row in rows if row[5] is not None)
        groups[model_id].append(engine.Group(key=key, label=label, people=people, conditions=codes))
    cohorts: dict[int, list[tuple]] = {pk: [] for pk in by_id}
    for pk, model_id, *row in (
        Cohort.objects.filter(cost_model_id__in=ids)
        .order_by("cost_model_id", "side", "position", "id")
        .values_list(
            "pk",
            "cost_model_id",
            "side",
            "label",
            "patients",
            "pathway_id",
            "printed_cost_per_patient",
            "printed_contact_minutes",
            "times",
            "group__key",
            "exceptions",
        )
    ):
        cohorts[model_id].append((*row, tuple(conditions.get(pk, ()))))
    used = Cohort.objects.filter(cost_model_id__in=ids).values("pathway_id")
    pathways = {
        pk: (key, name, description)
        for pk, key, name, description in Pathway.objects.filter(pk__in=used).values_list(
            "pk", "key", "name", "description"
        )
    }
    stages: dict[int, list[engine.Stage]] = {}
    roles: dict[int, engine.Role] = {}
    pathway_roles: dict[int, set[int]] = {}
    for pathway_id, role_id, *role_fields, name, step, minutes, extra_cost, visit, printed_cost in (
        Stage.objects.filter(pathway_id__in=used)
        .order_by("pathway_id", "position", "id")
        .values_list(
            "pathway_id",
            "role_id",
            *(f"role__{field}" for field in ENGINE_ROLE_FIELDS),
            "name",
            "step",
            "minutes",
            "extra_cost",
            "visit",
            "printed_cost",
        )
    ):
        if role_id is not None:
            pathway_roles.setdefault(pathway_id, set()).add(role_id)
        if role_id is not None and role_id not in roles:
            roles[role_id] = engine_role(*role_fields)
        stages.setdefault(pathway_id, []).append(
            engine.Stage(
                name=name,
                step=STEPS[step],
                role=role_fields[0],
                minutes=minutes,
                extra_cost=extra_cost,
                visit=visit,
                printed_cost=printed_cost,
            )
        )
    frozen_stages = {pk: tuple(s) for pk, s in stages.items()}
    for model in cost_models:
        model_id = sources[model.pk]
        used_pathways = {row[3] for row in cohorts[model_id]}
        model_pathways = {pk: pathways[pk] for pk in used_pathways}
        model_stages = {pk: frozen_stages.get(pk, ()) for pk in used_pathways}
        model_roles = {pk: roles[pk] for p in used_pathways for pk in pathway_roles.get(p, ())}
        model._engine_rows = (cohorts[model_id], model_pathways, model_stages, model_roles, tuple(groups[model_id]))


@dataclass(frozen=True)
class HeadlineRows:
    """The rows headline_rows reads, as plain tuples."""

    models: list[tuple]  # (pk, name, period, version, created_at)
    # (cost model id, side, pathway id, group id or None, full passes ((patients - exceptions) x times),
    # people, screened passes (exceptions x times, costing rule 7)): one row per side, pathway and group;
    # people are the row's patients without a group, else its group's people
    cohorts: list[tuple]
    stages: list[tuple]  # (pathway id, role id, minutes, extra cost, visit, step), in pathway then stage order
    roles: list[tuple]  # (pk, *ENGINE_ROLE_FIELDS)


def headline_rows(cost_model_ids: Iterable[int]) -> HeadlineRows:
    """What the totals of models need, in four queries whatever their number and size.

    The database sums each side's passes by pathway and group, so each side has one
    cohort per pathway and group (no labels, conditions or printed figures); a
    group's people come once per row, and totals_batch counts each group once a
    side (costing rule 6). Only the stages
    and roles those pathways use are read, as rows, not model instances. The
    engine (engine.headlines, through totals_batch) gives such a model the same side totals as
    the full model: every total is a sum over cohorts of patients x a per-patient
    figure of their pathway. A model that no longer exists is left out.
    """
    ids = list(dict.fromkeys(cost_model_ids))
    if not ids:
        return HeadlineRows([], [], [], [])
    # The versions first: rows changed after them give figures newer than their version (pathways.totals).
    models = list(CostModel.objects.filter(pk__in=ids).values_list("pk", "name", "period", "version", "created_at"))
    used = Cohort.objects.filter(cost_model_id__in=ids).values("pathway_id")
    stages = list(
        Stage.objects.filter(pathway_id__in=used)
        .order_by("pathway_id", "position", "id")
        .values_list("pathway_id", "role_id", "minutes", "extra_cost", "visit", "step")
    )
    role_ids = {row[1] for row in stages if row[1] is not None}
    return HeadlineRows(
        models=models,
        cohorts=list(
            Cohort.objects.filter(cost_model_id__in=ids)
            .values_list("cost_model_id", "side", "pathway_id", "group_id")
            .annotate(
                passes=Sum((F("patients") - F("exceptions")) * F("times")),
                # A grouped cohort's patients are its group's people (pathways.services keeps them so).
                people=Case(When(group_id__isnull=True, then=Sum("patients")), default=Max("patients")),
                screened=Sum(F("exceptions") * F("times")),
            )
            .order_by("cost_model_id", "side", "pathway_id", "group_id")
        ),
        stages=stages,
        roles=list(StaffRole.objects.filter(pk__in=role_ids).order_by().values_list("pk", *ENGINE_ROLE_FIELDS)),
    )


_TOTALS_STAGE = itemgetter(1, 2, 3, 4)  # a stage row without its pathway id: an engine.TotalsStage


@dataclass(frozen=True)
class TotalsBatch:
    """The models of some HeadlineRows as engine.headlines takes them, with the version each is of."""

    models: dict[int, engine.TotalsModel]
    pathways: dict[int, list[engine.TotalsStage]]
    roles: dict[int, engine.Role]
    versions: dict[int, tuple[int, datetime]]  # model id -> (version, created_at)


def totals_batch(rows: HeadlineRows) -> TotalsBatch:
    """``rows`` as engine.headlines takes them (no database): keys are the rows' ids."""
    sides: dict[int, dict[str, list[tuple[int, int]]]] = {}
    screened: dict[int, dict[str, list[tuple[int, int, int]]]] = {}
    people: dict[tuple[int, str], int] = {}
    groups_counted: set[tuple[int, str, int]] = set()
    pathways = {pk: list(map(_TOTALS_STAGE, stages)) for pk, stages in groupby(rows.stages, key=itemgetter(0))}
    # How many leading stages an exception incurs, by pathway (costing rule 7).
    incurred = {
        pk: engine.screened_stages(STEPS[row[5]] for row in stages)
        for pk, stages in groupby(rows.stages, key=itemgetter(0))
    }
    for model_id, side, pathway_id, group_id, passes, row_people, screened_passes in rows.cohorts:
        pathways.setdefault(pathway_id, [])  # a pathway without stages costs nothing, but is known
        sides.setdefault(model_id, {"before": [], "after": []})[side].append((pathway_id, passes))
        if screened_passes:
            screened.setdefault(model_id, {"before": [], "after": []})[side].append(
                (pathway_id, incurred.get(pathway_id, 0), screened_passes)
            )
        if group_id is None or (model_id, side, group_id) not in groups_counted:  # rule 6: a group once a side
            people[model_id, side] = people.get((model_id, side), 0) + row_people
        if group_id is not None:
            groups_counted.add((model_id, side, group_id))
    no_cohorts = {"before": (), "after": ()}
    return TotalsBatch(
        models={
            pk: engine.TotalsModel(
                period=engine.Period(period),
                before=tuple(sides.get(pk, no_cohorts)["before"]),
                after=tuple(sides.get(pk, no_cohorts)["after"]),
                people_before=people.get((pk, "before"), 0),
                people_after=people.get((pk, "after"), 0),
                screened_before=tuple(screened.get(pk, no_cohorts)["before"]),
                screened_after=tuple(screened.get(pk, no_cohorts)["after"]),
            )
            for pk, _name, period, _version, _created_at in rows.models
        },
        pathways=pathways,
        roles={pk: engine_role(*fields) for pk, *fields in rows.roles},
        versions={pk: (version, created_at) for pk, _name, _period, version, created_at in rows.models},
    )


# ------------------------------------------------------------------ figures


def compare_cost_model(cost_model: CostModel | int) -> engine.Comparison:
    """Cost a stored model: load its rows (fixed query count) and run the engine."""
    pk = cost_model if isinstance(cost_model, int) else cost_model.pk
    return compare_loaded(cost_model_with_rows(cost_model_id=pk))


def compare_loaded(cost_model: CostModel) -> engine.Comparison:
    """Cost a model fetched through cost_models_with_rows (no further queries)."""
    return engine.compare(engine_model(cost_model))


@dataclass(frozen=True)
class VersionedHeadline:
    headline: engine.Headline
    version: int
    created_at: datetime


def headlines_from_rows(rows: HeadlineRows) -> dict[int, VersionedHeadline]:
    """Cost the models of ``rows`` (headline_rows) for their totals, with the version they are of."""
    with cycle_collector_paused():
        batch = totals_batch(rows)
        figures = engine.headlines(batch.models, batch.pathways, batch.roles)
    return {pk: VersionedHeadline(headline, *batch.versions[pk]) for pk, headline in figures.items()}


@contextmanager
def cycle_collector_paused():
    """Pause Python's cycle collector while a batch's rows are built and costed (or a roll-up's read).

    They hold no reference cycles, but for thousands of models they are hundreds
    of thousands of tuples, which the collector would walk again and again;
    they are freed by reference counting all the same.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ------------------------------------------------------------------ decision support


def stored_inputs(cost_model: CostModel) -> DecisionInputs | None:
    """The model's DecisionInputs row, or None (never created here)."""
    try:
        return cost_model.decision_inputs
    except DecisionInputs.DoesNotExist:
        return None


def setup_cost_rows(cost_model: CostModel) -> list[SetupCost]:
    return list(SetupCost.objects.filter(cost_model=cost_model).select_related("role").order_by("position", "id"))


# The decision support analysis of a model (tornado, Monte Carlo, payback, capacity)
# is cached under the model's id, version and creation time, a scenario's under its
# base's too, and a digest of the settings it was made with (the practice's inputs
# are not part of the version). Every change to a model, its cohorts, or the
# pathways and roles it is costed with gives it a new version (pathways.services,
# pathways.receivers, pathways.history), so a cached analysis is never one the model
# no longer gives; the creation time tells apart two models that had the same id
# (SQLite can reuse the id of a rolled-back insert).
DECISIONS_CACHE_SECONDS = 7 * 24 * 60 * 60


def decisions_key(cost_model: CostModel, settings: DecisionSettings) -> str:
    """The model's version key (a scenario's names its base's version too) with the settings' digest."""
    digest = hashlib.sha256(repr(settings).encode()).hexdigest()[:32]
    key = f"decisions:v1:{digest}:{cost_model.pk}:{cost_model.version}:{cost_model.created_at.isoformat()}"
    if cost_model.overlay is not None:
        base = cost_model.based_on
        key += f":on:{base.pk}:{base.version}:{base.created_at.isoformat()}"
    return key


def decision_results(cost_model: CostModel, settings: DecisionSettings) -> DecisionResults:
    """The model's decision support analysis: cached for its version and these settings, or made
    (its rows read, costed once, analysed) and cached. A cache that fails is passed by."""
    key = decisions_key(cost_model, settings)
    try:
        found = cache.get(key)
    except Exception:  # a cache is a help, never a need
        logger.warning("decision support not read from the cache: the cache failed", exc_info=True)
        found = None
    if isinstance(found, DecisionResults):
        return found
    results = analyse(engine_model(cost_model), compare_loaded(cost_model), settings)
    _cache_on_commit({key: results})
    return results


def _cache_on_commit(values: dict) -> None:
    """Cache results once what they were read from is committed: at once outside a transaction.

    Inside a transaction that then rolls back, a version could be read that is
    never committed, and later given to different figures: those are not cached.
    """
    if values:
        transaction.on_commit(lambda: _cache_quietly(values))


def _cache_quietly(values: dict) -> None:
    """cache.set_many, but a cache that fails is logged and passed by: it is a help, never a need."""
    try:
        cache.set_many(values, DECISIONS_CACHE_SECONDS)
    except Exception:
        logger.warning("decision support not cached: the cache failed", exc_info=True)


def decision_settings(cost_model: CostModel) -> DecisionSettings:
    """The model's decision inputs and set-up costs (two queries), or the defaults."""
    return settings_from_rows(stored_inputs(cost_model), setup_cost_rows(cost_model))


def settings_from_rows(inputs: DecisionInputs | None, rows: list[SetupCost]) -> DecisionSettings:
    setup, roles = setup_costs_from_rows(rows)
    if inputs is None:
        return DecisionSettings(setup=setup, setup_roles=roles)
    return DecisionSettings(
        role_rate_percent=inputs.rate_percent,
        step_minutes_percent=inputs.minutes_percent,
        extra_costs_percent=inputs.extra_costs_percent,
        patients_percent=inputs.patients_percent,
        draws=inputs.draws,
        seed=inputs.seed,
        rate_uncertainty_percent=inputs.rate_uncertainty_percent,
        minutes_uncertainty_percent=inputs.minutes_uncertainty_percent,
        minutes_together=inputs.minutes_together,
        appointment_minutes={kind: getattr(inputs, name) for kind, name in APPOINTMENT_FIELDS.items()},
        setup=setup,
        setup_roles=roles,
    )


def setup_costs_from_rows(rows: list[SetupCost]):
    """SetupCosts from stored lines: hours of one role and kind added up; an amount is an
    'other' cost named by its kind and description (made unique with a number)."""
    hours: dict[str, dict[str, Decimal]] = {kind: defaultdict(Decimal) for kind in ("training", "template", "admin")}
    others: dict[str, Decimal] = {}
    roles = {}
    for row in rows:
        if row.role_id is not None and row.hours is not None and row.kind in hours:
            hours[row.kind][row.role.key] += row.hours
            roles.setdefault(row.role.key, row.role.as_engine_role())
        elif row.amount is not None:
            label = setup_amount_label(row.kind, row.description)
            unique, n = label, 1
            while unique in others:
                n += 1
                unique = f"{label} ({n})"
            others[unique] = row.amount
    setup = SetupCosts(
        training_hours=dict(hours["training"]),
        template_hours=dict(hours["template"]),
        admin_hours=dict(hours["admin"]),
        other_costs=others,
    )
    return setup, tuple(roles.values())


def setup_amount_label(kind: str, description: str) -> str:
    """How an amount of a set-up line is named: 'Training: external trainer', or its description."""
    description = description.strip()
    if kind == SetupCost.Kind.OTHER:
        return description or SetupCost.Kind.OTHER.label
    label = SetupCost.Kind(kind).label
    return f"{label}: {description}" if description else label


# ------------------------------------------------------------------ lists for pages and forms

# What a list of models needs of each: its name and period, and what keys its cached figures.
LIST_FIELDS = ("id", "practice_id", "name", "period", "version", "created_at", "based_on_id", "overlay", "is_baseline")


def dashboard_practices(*, user) -> list[Practice]:
    """The practices the user may see, by name, with their organisation and their models as light
    rows (LIST_FIELDS) in ``practice.cost_models.all()``: two queries."""
    return list(
        visible_practices(user)
        .select_related("organisation")
        .prefetch_related(Prefetch("cost_models", CostModel.objects.only(*LIST_FIELDS)))
    )


def practice_cost_models(*, practice: Practice) -> list[CostModel]:
    """The practice's models as light rows (LIST_FIELDS), by name: one query."""
    return list(practice.cost_models.only(*LIST_FIELDS))


def cost_models_by_name(*, practice: Practice) -> list[CostModel]:
    """The practice's models, whole rows, by name then id: one query."""
    return list(CostModel.objects.filter(practice=practice).order_by("name", "id"))


def compared_models(*, practice: Practice, ids: Iterable[int]) -> list[CostModel]:
    """The practice's models of ``ids``, by name then id, each with the rows engine_model needs:
    six queries whatever their number (the models, then load_engine_rows)."""
    loaded = load_engine_rows(cost_models().filter(practice=practice, pk__in=list(ids)))
    return sorted(loaded, key=lambda m: (m.name, m.pk))


def scenarios_of(*, cost_model: CostModel) -> list[CostModel]:
    """The models based on this one (scenarios, then copies), by name: one query."""
    return sorted(cost_model.scenarios.all(), key=lambda m: (m.overlay is None, m.name, m.pk))


def cohorts_with_conditions(*, cost_model: CostModel) -> list[Cohort]:
    """The model's cohorts, both sides, in their order, each with its conditions: two queries."""
    return list(cost_model.cohorts.prefetch_related("cohort_conditions").order_by("position", "id"))


def cohort_groups_by_cohort(*, cost_model: CostModel) -> dict[int, CohortGroup]:
    """The model's cohorts that name a group, each to its group: one query."""
    return {c.pk: c.group for c in cost_model.cohorts.filter(group__isnull=False).select_related("group")}


def practice_pathways(*, practice: Practice) -> QuerySet[Pathway]:
    """The practice's pathways by name (one query when read): a list, or a form's choices."""
    return practice.pathways.all()


def has_pathways(*, practice: Practice) -> bool:
    """Whether the practice has a pathway: one query."""
    return practice.pathways.exists()


def pathways_with_stages() -> QuerySet[Pathway]:
    """Pathways with their stages and the stages' roles (three queries when read), for scoped_get."""
    return Pathway.objects.prefetch_related("stages__role")


def pathway_with_stages(*, pathway_id: int) -> Pathway:
    """The pathway, read afresh (after a save), with its stages and their roles: three queries."""
    return pathways_with_stages().get(pk=pathway_id)


def pathways_with_model_counts(*, practice: Practice) -> list[Pathway]:
    """The practice's pathways by name, each with its stages and their roles and ``model_count``,
    the models with a cohort on it: three queries. (Ordered here: Meta.ordering does not apply to
    a query with GROUP BY.)"""
    return list(
        practice.pathways.prefetch_related("stages__role")
        .annotate(model_count=Count("cohorts__cost_model", distinct=True))
        .order_by("name", "key")
    )


def models_using(*, pathway: Pathway) -> list[CostModel]:
    """The models with a cohort on the pathway, by name, with their practice: one query."""
    return list(
        CostModel.objects.filter(cohorts__pathway=pathway).select_related("practice").distinct().order_by("name", "pk")
    )


def conditions() -> QuerySet[Condition]:
    """The condition registers by name then code (one query when read): a list, or a form's choices."""
    return Condition.objects.order_by("name", "code")


# ------------------------------------------------------------------ practice profiles


def practice_profiles(*, practice: Practice) -> list[PracticeProfile]:
    """The practice's profiles, latest search first: one query."""
    return list(practice.profiles.all())


def profiles_with_rows() -> QuerySet[PracticeProfile]:
    """Profiles with their age bands, registers and groups (five queries when read), for scoped_get."""
    return PracticeProfile.objects.select_related("practice").prefetch_related(
        "age_bands",
        Prefetch("registers", ProfileRegister.objects.select_related("condition")),
        Prefetch("groups", ProfileGroup.objects.prefetch_related("group_conditions__condition")),
    )


def engine_profile(practice_profile: PracticeProfile) -> profiles.Profile:
    """A stored profile (read with profiles_with_rows) as costing.profiles' Profile."""
    return profiles.Profile(
        list_size=practice_profile.list_size,
        age_bands=tuple(profiles.AgeBand(b.low_age, b.high_age, b.people) for b in practice_profile.age_bands.all()),
        registers=tuple(profiles.Register(r.condition.code, r.people) for r in practice_profile.registers.all()),
        groups=tuple(
            profiles.Group(
                g.people,
                conditions=tuple(gc.condition.code for gc in g.group_conditions.all()),
                count=g.condition_count,
                or_more=g.or_more,
            )
            for g in practice_profile.groups.all()
        ),
    )


def side_counts(*, cost_model: CostModel) -> dict[str, int]:
    """How many cohorts each side of the model has: one query."""
    return dict(cost_model.cohorts.values_list("side").annotate(n=Count("id")).values_list("side", "n"))
