"""Reads that feed the engine: one cost model, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.core.cache import cache
from django.db.models import Prefetch, Sum

from costing import engine, reference
from costing.models import OnCostRate, PayBand, StandardHours
from pathways.models import Cohort, CohortCondition, CostModel, Pathway, Stage
from practices.models import StaffRole


def cost_model_with_rows(*, cost_model_id: int) -> CostModel:
    """The model with its cohorts, their conditions, pathways, stages and roles.

    Five queries whatever the size: the model, its cohorts, their conditions,
    their pathways, and the pathways' stages with their roles.
    """
    return cost_models_with_rows().get(pk=cost_model_id)


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


def cost_models_with_rows():
    """Cost models with everything the engine needs prefetched (see cost_model_with_rows)."""
    stages = Stage.objects.select_related("role").order_by("position", "id")
    cohorts = (
        Cohort.objects.order_by("side", "position", "id")
        .prefetch_related(Prefetch("cohort_conditions", CohortCondition.objects.select_related("condition")))
        .prefetch_related(Prefetch("pathway", queryset=Pathway.objects.prefetch_related(Prefetch("stages", stages))))
    )
    return CostModel.objects.select_related("practice").prefetch_related(Prefetch("cohorts", queryset=cohorts))


STEPS = {step.value: step for step in engine.Step}


@dataclass(frozen=True)
class HeadlineModel:
    """A stored model reduced to what its headline figures need, with the version they are of."""

    pk: int
    version: int
    created_at: datetime
    model: engine.CostModel


@dataclass(frozen=True)
class HeadlineRows:
    """The rows headline_models reads, as plain tuples."""

    models: list[tuple]  # (pk, name, period, version, created_at)
    cohorts: list[tuple]  # (cost model id, side, pathway id, patients of that side on that pathway)
    stages: list[tuple]  # (pathway id, step, role id, minutes, extra cost, visit), in pathway then stage order
    roles: list[tuple]  # (pk, cost per hour, annual salary, on-cost percent, paid hours per year)


def headline_models(cost_model_ids: Iterable[int]) -> dict[int, HeadlineModel]:
    """Models ready to cost for their totals only, in four queries whatever their number and size.

    The database sums each side's patients by pathway, so each side has one cohort
    per pathway (no labels, conditions or printed figures), and only the stages
    and roles those pathways use are read, as rows, not model instances. The
    engine gives such a model the same side totals as the full model: every total
    is a sum over cohorts of patients x a per-patient figure of their pathway.
    A model that no longer exists is left out.
    """
    return headline_models_from_rows(headline_rows(cost_model_ids))


def headline_rows(cost_model_ids: Iterable[int]) -> HeadlineRows:
    ids = list(dict.fromkeys(cost_model_ids))
    if not ids:
        return HeadlineRows([], [], [], [])
    used = Cohort.objects.filter(cost_model_id__in=ids).values("pathway_id")
    stages = list(
        Stage.objects.filter(pathway_id__in=used)
        .order_by("pathway_id", "position", "id")
        .values_list("pathway_id", "step", "role_id", "minutes", "extra_cost", "visit")
    )
    role_ids = {row[2] for row in stages if row[2] is not None}
    return HeadlineRows(
        models=list(CostModel.objects.filter(pk__in=ids).values_list("pk", "name", "period", "version", "created_at")),
        cohorts=list(
            Cohort.objects.filter(cost_model_id__in=ids)
            .values_list("cost_model_id", "side", "pathway_id")
            .annotate(patients=Sum("patients"))
            .order_by("cost_model_id", "side", "pathway_id")
        ),
        stages=stages,
        roles=list(
            StaffRole.objects.filter(pk__in=role_ids)
            .order_by()
            .values_list("pk", "cost_per_hour", "annual_salary", "on_cost_percent", "paid_hours_per_year")
        ),
    )


def headline_models_from_rows(rows: HeadlineRows) -> dict[int, HeadlineModel]:
    """The models of headline_models from its rows (no database)."""
    sides: dict[int, dict[str, list[engine.Cohort]]] = {}
    for model_id, side, pathway_id, patients in rows.cohorts:
        cohort = engine.Cohort(str(pathway_id), patients, str(pathway_id))
        sides.setdefault(model_id, {"before": [], "after": []})[side].append(cohort)
    stages = {
        str(pathway_id): tuple(
            engine.Stage("", STEPS[step], None if role_id is None else str(role_id), minutes, extra_cost, visit)
            for _pathway_id, step, role_id, minutes, extra_cost, visit in pathway_rows
        )
        for pathway_id, pathway_rows in groupby(rows.stages, key=itemgetter(0))  # in pathway order
    }
    roles = {
        str(pk): engine.Role(
            key=str(pk),
            name=str(pk),
            cost_per_hour=cost_per_hour,
            annual_salary=salary,
            on_cost_percent=on_costs,
            paid_hours_per_year=hours,
        )
        for pk, cost_per_hour, salary, on_costs, hours in rows.roles
    }
    found = {}
    for pk, name, period, version, created_at in rows.models:
        model_sides = sides.get(pk, {"before": [], "after": []})
        keys = {c.pathway for side in model_sides.values() for c in side}
        pathways = tuple(engine.Pathway(k, k, stages.get(k, ())) for k in sorted(keys))
        used_roles = {s.role for p in pathways for s in p.stages if s.role is not None}
        model = engine.CostModel(
            name=name,
            period=engine.Period(period),
            roles=tuple(roles[k] for k in sorted(used_roles)),
            pathways=pathways,
            before=tuple(model_sides["before"]),
            after=tuple(model_sides["after"]),
        )
        found[pk] = HeadlineModel(pk=pk, version=version, created_at=created_at, model=model)
    return found


@dataclass(frozen=True)
class PayBandOption:
    """A point on a pay scale, ready to cost a role: salary + on-costs + paid hours."""

    value: str  # "afc-2025-26|6|entry"
    label: str
    scale_year: str
    band: str
    annual_salary: Decimal
    on_cost_percent: Decimal
    paid_hours_per_year: Decimal

    def as_role(self, key: str, name: str) -> engine.Role:
        return engine.Role(
            key=key,
            name=name,
            band=f"AfC {self.band}",
            annual_salary=self.annual_salary,
            on_cost_percent=self.on_cost_percent,
            paid_hours_per_year=self.paid_hours_per_year,
            cost_basis=engine.CostBasis.SALARY_ON_COSTS,
        )


PAY_BAND_CACHE_KEY = "reference:pay-band-options"


def pay_band_options() -> list[PayBandOption]:
    """Every band's entry and top point of every scale, with that year's employer on-costs.

    Cached: reference data changes only when load_reference_data runs (which clears it).
    """
    return cache.get_or_set(PAY_BAND_CACHE_KEY, _pay_band_options, timeout=24 * 3600)


def _pay_band_options() -> list[PayBandOption]:
    on_costs = {r.year: r for r in OnCostRate.objects.all()}
    hours = StandardHours.objects.first()
    paid_hours = hours.paid_hours_per_year if hours else Decimal(1950)
    options = []
    for band in PayBand.objects.select_related("scale").order_by("scale__year", "id"):
        rate = on_costs.get(band.scale.year)
        for point, salary in (("entry", band.entry), ("top", band.top)):
            if point == "top" and band.top == band.entry:
                continue
            on_cost = (
                reference.employer_on_cost_percent(
                    salary,
                    ni_percent=rate.employer_ni_percent,
                    ni_threshold=rate.ni_secondary_threshold,
                    pension_percent=rate.pension_employer_percent,
                )
                if rate
                else Decimal(0)
            )
            options.append(
                PayBandOption(
                    value=f"{band.scale.key}|{band.band}|{point}",
                    label=f"AfC {band.scale.year} band {band.band}, {point} (£{salary:,.0f})",
                    scale_year=band.scale.year,
                    band=band.band,
                    annual_salary=salary,
                    on_cost_percent=on_cost,
                    paid_hours_per_year=paid_hours,
                )
            )
    return options
