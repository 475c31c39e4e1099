"""Reads that feed the engine: one cost model, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Prefetch

from costing import engine, reference
from costing.models import OnCostRate, PayBand, StandardHours
from pathways.models import Cohort, CohortCondition, CostModel, Pathway, Stage


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
