"""Reads that feed the engine: one cost model, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch

from costing import engine
from pathways.models import Cohort, CohortCondition, CostModel, Pathway, Stage


def cost_model_with_rows(*, cost_model_id: int) -> CostModel:
    """The model with its cohorts, their conditions, pathways, stages and roles.

    Five queries whatever the size: the model, its cohorts, their conditions,
    their pathways, and the pathways' stages with their roles.
    """
    stages = Stage.objects.select_related("role").order_by("position", "id")
    cohorts = (
        Cohort.objects.order_by("side", "position", "id")
        .prefetch_related(Prefetch("cohort_conditions", CohortCondition.objects.select_related("condition")))
        .prefetch_related(Prefetch("pathway", queryset=Pathway.objects.prefetch_related(Prefetch("stages", stages))))
    )
    return (
        CostModel.objects.select_related("practice")
        .prefetch_related(Prefetch("cohorts", queryset=cohorts))
        .get(pk=cost_model_id)
    )


def engine_model(cost_model: CostModel) -> engine.CostModel:
    """A cost model loaded by cost_model_with_rows, as the engine's dataclasses.

    The roles are those its stages use; the pathways those its cohorts use; both
    in the order they were created, which for an imported model is the file's.
    """
    pathways: dict[int, Pathway] = {}
    roles = {}
    sides: dict[str, list[engine.Cohort]] = {"before": [], "after": []}
    for cohort in cohort_rows(cost_model):
        pathway = cohort.pathway
        pathways.setdefault(pathway.pk, pathway)
        sides[cohort.side].append(
            engine.Cohort(
                label=cohort.label,
                patients=cohort.patients,
                pathway=pathway.key,
                conditions=tuple(cc.condition.code for cc in cohort.cohort_conditions.all()),
                printed_cost_per_patient=cohort.printed_cost_per_patient,
                printed_contact_minutes=cohort.printed_contact_minutes,
            )
        )
    engine_pathways = []
    for pathway in sorted(pathways.values(), key=lambda p: p.pk):
        stages = list(pathway.stages.all())
        for stage in stages:
            if stage.role_id is not None:
                roles.setdefault(stage.role_id, stage.role)
        engine_pathways.append(
            engine.Pathway(key=pathway.key, name=pathway.name, stages=tuple(s.as_engine_stage() for s in stages))
        )
    return engine.CostModel(
        name=cost_model.name,
        period=engine.Period(cost_model.period),
        roles=tuple(roles[pk].as_engine_role() for pk in sorted(roles)),
        pathways=tuple(engine_pathways),
        before=tuple(sides["before"]),
        after=tuple(sides["after"]),
        description=cost_model.description,
    )


def cohort_rows(cost_model: CostModel) -> list[Cohort]:
    """The prefetched cohorts, in side and position order."""
    return list(cost_model.cohorts.all())
