"""Reads that feed the engine: one cost model, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.core.cache import cache
from django.db.models import QuerySet, Sum
from django.db.models.query import ModelIterable

from costing import engine, reference
from costing.models import OnCostRate, PayBand, StandardHours
from pathways.models import Cohort, CohortCondition, CostModel, Pathway, Stage
from practices.models import StaffRole

STEPS = {step.value: step for step in engine.Step}


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
    A model loaded otherwise has its rows read now (four queries).
    """
    rows = getattr(cost_model, "_engine_rows", None)
    if rows is None:
        attach_engine_rows([cost_model])
        rows = cost_model._engine_rows
    cohorts, pathways, stages, roles = rows
    sides: dict[str, list[engine.Cohort]] = {"before": [], "after": []}
    for side, label, patients, pathway_id, printed_cost, printed_contact, conditions in cohorts:
        sides[side].append(
            engine.Cohort(
                label=label,
                patients=patients,
                pathway=pathways[pathway_id][0],
                conditions=conditions,
                printed_cost_per_patient=printed_cost,
                printed_contact_minutes=printed_contact,
            )
        )
    return engine.CostModel(
        name=cost_model.name,
        period=engine.Period(cost_model.period),
        roles=tuple(roles[pk] for pk in sorted(roles)),
        pathways=tuple(
            engine.Pathway(key=key, name=name, stages=stages.get(pk, ()))
            for pk, (key, name) in sorted(pathways.items())
        ),
        before=tuple(sides["before"]),
        after=tuple(sides["after"]),
        description=cost_model.description,
    )


class CostModelsWithRows(QuerySet):
    """Cost models that carry what the engine needs of them, read with them in four more queries.

    The rows (cohorts, their conditions, the pathways they use, and those
    pathways' stages with their roles) are read as values, not model instances:
    building a few hundred instances took longer than the queries.
    """

    def _fetch_all(self):
        fetched = self._result_cache is not None
        super()._fetch_all()
        if not fetched and self._iterable_class is ModelIterable and self._result_cache:
            attach_engine_rows(self._result_cache)


def cost_models_with_rows() -> CostModelsWithRows:
    """Cost models with everything the engine needs (see cost_model_with_rows and engine_model)."""
    return CostModelsWithRows(model=CostModel).select_related("practice")


def attach_engine_rows(cost_models: list[CostModel]) -> None:
    """Read the rows of engine_model for ``cost_models`` (four queries) and keep them on each model."""
    by_id = {m.pk: m for m in cost_models}
    ids = list(by_id)
    conditions: dict[int, list[str]] = {}
    for cohort_id, code in (
        CohortCondition.objects.filter(cohort__cost_model_id__in=ids)
        .order_by("cohort_id", "position", "id")
        .values_list("cohort_id", "condition__code")
    ):
        conditions.setdefault(cohort_id, []).append(code)
    cohorts: dict[int, list[tuple]] = {pk: [] for pk in by_id}
    for pk, model_id, *row, printed_contact in (
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
        )
    ):
        cohorts[model_id].append((*row, printed_contact, tuple(conditions.get(pk, ()))))
    used = Cohort.objects.filter(cost_model_id__in=ids).values("pathway_id")
    pathways = {
        pk: (key, name) for pk, key, name in Pathway.objects.filter(pk__in=used).values_list("pk", "key", "name")
    }
    stages: dict[int, list[engine.Stage]] = {}
    roles: dict[int, engine.Role] = {}
    pathway_roles: dict[int, set[int]] = {}
    for pathway_id, role_id, role_key, *role_fields, name, step, minutes, extra_cost, visit, printed_cost in (
        Stage.objects.filter(pathway_id__in=used)
        .order_by("pathway_id", "position", "id")
        .values_list(
            "pathway_id",
            "role_id",
            "role__key",
            "role__name",
            "role__band",
            "role__cost_per_hour",
            "role__annual_salary",
            "role__on_cost_percent",
            "role__paid_hours_per_year",
            "role__cost_basis",
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
            role_name, band, cost_per_hour, salary, on_costs, hours, basis = role_fields
            roles[role_id] = engine.Role(
                key=role_key,
                name=role_name,
                band=band,
                cost_per_hour=cost_per_hour,
                annual_salary=salary,
                on_cost_percent=on_costs,
                paid_hours_per_year=hours,
                cost_basis=engine.CostBasis(basis) if basis else None,
            )
        stages.setdefault(pathway_id, []).append(
            engine.Stage(
                name=name,
                step=STEPS[step],
                role=role_key,
                minutes=minutes,
                extra_cost=extra_cost,
                visit=visit,
                printed_cost=printed_cost,
            )
        )
    frozen_stages = {pk: tuple(s) for pk, s in stages.items()}
    for model_id, model in by_id.items():
        used_pathways = {row[3] for row in cohorts[model_id]}
        model_pathways = {pk: pathways[pk] for pk in used_pathways}
        model_stages = {pk: frozen_stages.get(pk, ()) for pk in used_pathways}
        model_roles = {pk: roles[pk] for p in used_pathways for pk in pathway_roles.get(p, ())}
        model._engine_rows = (cohorts[model_id], model_pathways, model_stages, model_roles)


@dataclass(frozen=True)
class HeadlineRows:
    """The rows headline_rows reads, as plain tuples."""

    models: list[tuple]  # (pk, name, period, version, created_at)
    cohorts: list[tuple]  # (cost model id, side, pathway id, patients of that side on that pathway)
    stages: list[tuple]  # (pathway id, role id, minutes, extra cost, visit), in pathway then stage order
    roles: list[tuple]  # (pk, cost per hour, annual salary, on-cost percent, paid hours per year)


def headline_rows(cost_model_ids: Iterable[int]) -> HeadlineRows:
    """What the totals of models need, in four queries whatever their number and size.

    The database sums each side's patients by pathway, so each side has one cohort
    per pathway (no labels, conditions or printed figures), and only the stages
    and roles those pathways use are read, as rows, not model instances. The
    engine (engine.headlines, through totals_batch) gives such a model the same side totals as
    the full model: every total is a sum over cohorts of patients x a per-patient
    figure of their pathway. A model that no longer exists is left out.
    """
    ids = list(dict.fromkeys(cost_model_ids))
    if not ids:
        return HeadlineRows([], [], [], [])
    used = Cohort.objects.filter(cost_model_id__in=ids).values("pathway_id")
    stages = list(
        Stage.objects.filter(pathway_id__in=used)
        .order_by("pathway_id", "position", "id")
        .values_list("pathway_id", "role_id", "minutes", "extra_cost", "visit")
    )
    role_ids = {row[1] for row in stages if row[1] is not None}
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
    for model_id, side, pathway_id, patients in rows.cohorts:
        sides.setdefault(model_id, {"before": [], "after": []})[side].append((pathway_id, patients))
    pathways = {pk: list(map(_TOTALS_STAGE, stages)) for pk, stages in groupby(rows.stages, key=itemgetter(0))}
    no_cohorts = {"before": (), "after": ()}
    return TotalsBatch(
        models={
            pk: engine.TotalsModel(
                period=engine.Period(period),
                before=tuple(sides.get(pk, no_cohorts)["before"]),
                after=tuple(sides.get(pk, no_cohorts)["after"]),
            )
            for pk, _name, period, _version, _created_at in rows.models
        },
        pathways=pathways,
        roles={
            pk: engine.Role(
                key=str(pk),
                name=str(pk),
                cost_per_hour=cost_per_hour,
                annual_salary=salary,
                on_cost_percent=on_costs,
                paid_hours_per_year=hours,
            )
            for pk, cost_per_hour, salary, on_costs, hours in rows.roles
        },
        versions={pk: (version, created_at) for pk, _name, _period, version, created_at in rows.models},
    )


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
