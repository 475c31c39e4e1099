"""Synthetic practices shaped like the seed's worked examples C and D, from a fixed seed.

Every practice gets the six staff roles and 28 pathways of example C/D
(costing/fixtures/example_cd.json) with its own rates and minutes (within a
fifth of the seed's; a third of the practices cost their nurses from a salary,
on-costs and paid hours instead of an hourly rate), and models of
``cohorts`` cohorts a side, each on one of the seed's before or after pathways,
with up to 250 patients and one or two condition registers.

The database rows are written with bulk_create, without the audit trail (the
benchmark never reads history), and removed the same way: nothing here goes
through the app's services but the stored totals, written as every service that
writes a model writes them (pathways.totals.refresh).

The national roll-up's practices (create_national) are many more, each with one
model whose stored totals the engine computed from rows made in memory
(headline_rows): the models' own cohorts are not written, as the roll-up reads
only the stored totals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from costing import engine, exchange
from pathways import selectors, totals
from pathways.models import Cohort, CohortCondition, Condition, CostModel, ModelTotals, Pathway, Stage
from practices.models import Facilitator, FacilitatorAssignment, Organisation, Practice, StaffRole
from reports.models import BatchReport

FIXTURE = settings.BASE_DIR / "costing" / "fixtures" / "example_cd.json"
ORGANISATION_NAME = "Benchmark ICB (synthetic data)"
NATIONAL_ORGANISATION_NAME = "Benchmark nation (synthetic data)"
FACILITATOR_USERNAME = "bench.facilitator"
NATIONAL_USERNAME = "bench.national"  # assigned every national practice; bench.national.<n> the first n
FIRST_ODS_NUMBER = 90000  # practices Z90000, Z90001 ... (the demo's are Y0000n)
BATCH = 2000
CONDITION_CODES = ("AST", "AF", "CAN", "CKD", "COPD", "CHD", "DEM", "DM", "EP", "HF", "HYP", "THY", "MH", "RA")


def ods_code(index: int) -> str:
    return f"Z{FIRST_ODS_NUMBER + index:05d}"


@dataclass(frozen=True)
class PracticeShape:
    """One practice's roles and pathways (before-* and after-* pathways of the seed)."""

    roles: tuple[engine.Role, ...]
    before: tuple[engine.Pathway, ...]
    after: tuple[engine.Pathway, ...]


def seed_model() -> engine.CostModel:
    return exchange.loads(FIXTURE.read_bytes())


def practice_shape(rng: random.Random, seed: engine.CostModel) -> PracticeShape:
    salaried = rng.random() < 1 / 3
    roles = tuple(_role(rng, role, salaried) for role in seed.roles)
    pathways = [
        replace(p, stages=tuple(replace(s, minutes=_minutes(rng, s.minutes), printed_cost=None) for s in p.stages))
        for p in seed.pathways
    ]
    return PracticeShape(
        roles=roles,
        before=tuple(p for p in pathways if p.key.startswith("before-")),
        after=tuple(p for p in pathways if not p.key.startswith("before-")),
    )


def _role(rng: random.Random, role: engine.Role, salaried: bool) -> engine.Role:
    factor = Decimal(rng.randint(85, 115)) / 100
    if salaried and role.key.startswith(("pn", "np")):
        return replace(
            role,
            cost_per_hour=None,
            annual_salary=(role.cost_per_hour * 1950 * factor).quantize(Decimal(1)),
            on_cost_percent=Decimal(rng.choice(["20.5", "23.8", "28.5"])),
            paid_hours_per_year=Decimal(1950),
            cost_basis=engine.CostBasis.SALARY_ON_COSTS,
        )
    return replace(role, cost_per_hour=(role.cost_per_hour * factor).quantize(Decimal("0.01")))


def _minutes(rng: random.Random, minutes: Decimal) -> Decimal:
    if not minutes:
        return minutes
    return max(Decimal("0.5"), (minutes * Decimal(rng.randint(80, 120)) / 50).quantize(Decimal(1)) / 2)


def cohorts(rng: random.Random, shape: PracticeShape, per_side: int) -> tuple[tuple, tuple]:
    """``per_side`` cohorts before and after, as engine.Cohort."""

    def side(pathways, name):
        made = []
        for i in range(per_side):
            pathway = rng.choice(pathways)
            made.append(
                engine.Cohort(
                    label=f"{name} cohort {i + 1}: {pathway.name}",
                    patients=rng.randint(0, 250),
                    pathway=pathway.key,
                    conditions=tuple(rng.sample(CONDITION_CODES, rng.randint(1, 2))),
                )
            )
        return tuple(made)

    return side(shape.before, "Before"), side(shape.after, "After")


def engine_models(count: int, per_side: int, seed: int) -> list[engine.CostModel]:
    """``count`` models, one per synthetic practice, in memory (for the engine alone)."""
    base = seed_model()
    models = []
    for index in range(count):
        rng = random.Random(seed * 1_000_003 + index)
        shape = practice_shape(rng, base)
        before, after = cohorts(rng, shape, per_side)
        models.append(
            engine.CostModel(
                name=f"Synthetic model {index}",
                period=engine.Period.MONTH,
                roles=shape.roles,
                pathways=shape.before + shape.after,
                before=before,
                after=after,
            )
        )
    return models


def headline_rows(count: int, per_side: int, seed: int) -> selectors.HeadlineRows:
    """The rows selectors.headline_rows would read for ``count`` practices of one model each, made in memory.

    Ids: practice i has model i, roles i*10+r and pathways i*100+p.
    """
    models, cohort_rows, stage_rows, role_rows = [], [], [], []
    created = timezone.now()
    for index, model in enumerate(engine_models(count, per_side, seed)):
        role_id = {role.key: index * 10 + r for r, role in enumerate(model.roles)}
        pathway_id = {p.key: index * 100 + n for n, p in enumerate(model.pathways)}
        models.append((index, model.name, model.period.value, 1, created))
        role_rows += [
            (
                role_id[r.key],
                r.key,
                r.name,
                r.band,
                r.cost_per_hour,
                r.annual_salary,
                r.on_cost_percent,
                r.paid_hours_per_year,
                r.cost_basis.value if r.cost_basis else "",
            )
            for r in model.roles
        ]
        group_id = {g.key: index * 100 + n for n, g in enumerate(model.groups)}
        for side, cohorts_ in (("before", model.before), ("after", model.after)):
            # (pathway, group) -> [full passes, people, screened passes]
            rows: dict[tuple[int, int | None], list[int]] = {}
            for c in cohorts_:
                row = rows.setdefault((pathway_id[c.pathway], group_id.get(c.group)), [0, 0, 0])
                row[0] += (c.patients - c.exceptions) * c.times
                row[1] = c.patients if c.group is not None else row[1] + c.patients
                row[2] += c.exceptions * c.times
            cohort_rows += [
                (index, side, pk, group, passes, people, screened)
                for (pk, group), (passes, people, screened) in sorted(
                    rows.items(), key=lambda item: (item[0][0], item[0][1] or 0)
                )
            ]
        used = {pathway_id[c.pathway] for c in model.before + model.after}
        for p in model.pathways:
            if pathway_id[p.key] in used:
                stage_rows += [
                    (
                        pathway_id[p.key],
                        role_id[s.role] if s.role else None,
                        s.minutes,
                        s.extra_cost,
                        s.visit,
                        s.step.value,
                    )
                    for s in p.stages
                ]
    return selectors.HeadlineRows(models=models, cohorts=cohort_rows, stages=stage_rows, roles=role_rows)


# ------------------------------------------------------------------------ database


@dataclass
class Generated:
    facilitator: object  # the user
    practice_ids: list[int]
    model_ids: list[int]  # models_per_practice per practice, in practice order
    query_model_ids: dict[int, int]  # cohort count -> model id (for the query count)
    rows: int


def remove() -> None:
    """Remove every row an earlier run made (raw deletes, no audit trail), then the facilitators."""
    practices = Practice.objects.filter(organisation__name__in=[ORGANISATION_NAME, NATIONAL_ORGANISATION_NAME])
    users = get_user_model().objects.filter(username=FACILITATOR_USERNAME) | get_user_model().objects.filter(
        username__startswith=NATIONAL_USERNAME
    )
    with transaction.atomic():
        for queryset in (
            CohortCondition.objects.filter(cohort__practice__in=practices),
            Cohort.objects.filter(practice__in=practices),
            ModelTotals.objects.filter(cost_model__practice__in=practices),
            CostModel.objects.filter(practice__in=practices),
            Stage.objects.filter(practice__in=practices),
            Pathway.objects.filter(practice__in=practices),
            StaffRole.objects.filter(practice__in=practices),
            FacilitatorAssignment.objects.filter(practice__in=practices),
            BatchReport.objects.filter(user__in=users),
            Facilitator.objects.filter(user__in=users),
        ):
            queryset._raw_delete(queryset.db)
        practices._raw_delete(practices.db)
        Organisation.objects.filter(name__in=[ORGANISATION_NAME, NATIONAL_ORGANISATION_NAME]).delete()
        users.delete()


@transaction.atomic
def create(*, practices: int, models_per_practice: int, per_side: int, seed: int, first: int = 0) -> Generated:
    """Write the synthetic practices, assigned to one facilitator, with bulk_create."""
    base = seed_model()
    conditions = {c.code: c for c in Condition.objects.filter(code__in=CONDITION_CODES)}
    missing = set(CONDITION_CODES) - set(conditions)
    if missing:
        raise RuntimeError(f"condition registers missing (run load_reference_data): {sorted(missing)}")
    organisation, _ = Organisation.objects.get_or_create(name=ORGANISATION_NAME, kind=Organisation.Kind.ICB)
    user, _ = get_user_model().objects.get_or_create(username=FACILITATOR_USERNAME, defaults={"first_name": "Bench"})
    facilitator, _ = Facilitator.objects.get_or_create(user=user)

    rngs = [random.Random(seed * 1_000_003 + first + i) for i in range(practices)]
    stored = Practice.objects.bulk_create(
        [
            Practice(
                name=f"Benchmark practice {first + i:04d}",
                ods_code=ods_code(first + i),
                list_size=rng.randint(3000, 15000),
                organisation=organisation,
            )
            for i, rng in enumerate(rngs)
        ],
        batch_size=BATCH,
    )
    FacilitatorAssignment.objects.bulk_create(
        [FacilitatorAssignment(facilitator=facilitator, practice=p) for p in stored], batch_size=BATCH
    )
    shapes = [practice_shape(rng, base) for rng in rngs]

    roles = StaffRole.objects.bulk_create(
        [
            StaffRole.from_engine_role(role, practice=practice)
            for practice, shape in zip(stored, shapes, strict=True)
            for role in shape.roles
        ],
        batch_size=BATCH,
    )
    role_of = {(r.practice_id, r.key): r for r in roles}
    pathways = Pathway.objects.bulk_create(
        [
            Pathway(practice=practice, key=p.key, name=p.name)
            for practice, shape in zip(stored, shapes, strict=True)
            for p in shape.before + shape.after
        ],
        batch_size=BATCH,
    )
    pathway_of = {(p.practice_id, p.key): p for p in pathways}
    stages = [
        Stage(
            practice=practice,
            pathway=pathway_of[practice.pk, p.key],
            position=position,
            name=s.name,
            step=s.step.value,
            role=role_of[practice.pk, s.role] if s.role else None,
            minutes=s.minutes,
            extra_cost=s.extra_cost,
            visit=s.visit,
        )
        for practice, shape in zip(stored, shapes, strict=True)
        for p in shape.before + shape.after
        for position, s in enumerate(p.stages)
    ]
    Stage.objects.bulk_create(stages, batch_size=BATCH)

    specs = []  # (practice, name, before, after)
    query_practice = stored[0]
    for cohort_count in (10, 100):  # written first: older than the others, so never a practice's latest
        before, after = cohorts(random.Random(seed + cohort_count), shapes[0], cohort_count // 2)
        specs.append((query_practice, f"Query count: {cohort_count} cohorts", before, after))
    for practice, shape, rng in zip(stored, shapes, rngs, strict=True):
        for m in range(models_per_practice):
            before, after = cohorts(rng, shape, per_side)
            specs.append((practice, f"Synthetic model {m + 1}", before, after))
    models = CostModel.objects.bulk_create(
        [CostModel(practice=practice, name=name, period=engine.Period.MONTH.value) for practice, name, *_ in specs],
        batch_size=BATCH,
    )
    cohort_rows, condition_codes = [], []
    for model, (practice, _name, before, after) in zip(models, specs, strict=True):
        for side, side_cohorts in (("before", before), ("after", after)):
            for position, c in enumerate(side_cohorts):
                cohort_rows.append(
                    Cohort(
                        practice=practice,
                        cost_model=model,
                        side=side,
                        position=position,
                        label=c.label,
                        patients=c.patients,
                        pathway=pathway_of[practice.pk, c.pathway],
                    )
                )
                condition_codes.append(c.conditions)
    Cohort.objects.bulk_create(cohort_rows, batch_size=BATCH)
    links = [
        CohortCondition(cohort=cohort, condition=conditions[code], position=i)
        for cohort, codes in zip(cohort_rows, condition_codes, strict=True)
        for i, code in enumerate(codes)
    ]
    CohortCondition.objects.bulk_create(links, batch_size=BATCH)
    # Each practice's last model is its baseline (the roll-up's choice), as its latest was before baselines.
    baselines = {practice.pk: model.pk for model, (practice, *_rest) in zip(models, specs, strict=True)}
    CostModel.objects.filter(pk__in=baselines.values()).update(is_baseline=True)
    query_ids = {10: models[0].pk, 100: models[1].pk}
    CostModel.objects.filter(pk__in=query_ids.values()).update(updated_at=timezone.now() - timedelta(days=1))
    totals.refresh(m.pk for m in models)  # as the services write them
    rows = len(stored) * 2 + len(roles) + len(pathways) + len(stages) + len(models) + len(cohort_rows) + len(links)
    return Generated(
        facilitator=user,
        practice_ids=[p.pk for p in stored],
        model_ids=[m.pk for m in models[2:]],
        query_model_ids=query_ids,
        rows=rows,
    )


@dataclass
class National:
    facilitator: object  # the user assigned every national practice
    scaled: dict[int, object]  # n -> a user assigned the first n of them
    model_ids: list[int]


@transaction.atomic
def create_national(*, practices: int, per_side: int, seed: int, scales: tuple[int, ...] = ()) -> National:
    """``practices`` practices of one baseline model each, with their stored totals (computed by the
    engine from headline_rows, in memory), assigned to one facilitator; and a facilitator for each
    of ``scales`` assigned the first that many."""
    organisation, _ = Organisation.objects.get_or_create(name=NATIONAL_ORGANISATION_NAME, kind=Organisation.Kind.ICB)
    users = {
        n: get_user_model().objects.get_or_create(username=f"{NATIONAL_USERNAME}.{n}" if n else NATIONAL_USERNAME)[0]
        for n in (0, *scales)
    }
    facilitators = {n: Facilitator.objects.get_or_create(user=user)[0] for n, user in users.items()}
    rng = random.Random(seed)
    stored = Practice.objects.bulk_create(
        [
            Practice(
                name=f"National practice {i:05d}",
                ods_code=f"X{i:05d}",
                list_size=rng.randint(3000, 15000),
                organisation=organisation,
            )
            for i in range(practices)
        ],
        batch_size=BATCH,
    )
    FacilitatorAssignment.objects.bulk_create(
        [
            FacilitatorAssignment(facilitator=facilitator, practice=p)
            for n, facilitator in facilitators.items()
            for p in (stored[:n] if n else stored)
        ],
        batch_size=BATCH,
    )
    models = CostModel.objects.bulk_create(
        [
            CostModel(practice=p, name=f"Synthetic model {i}", period=engine.Period.MONTH.value, is_baseline=True)
            for i, p in enumerate(stored)
        ],
        batch_size=BATCH,
    )
    figures = selectors.headlines_from_rows(headline_rows(practices, per_side, seed))
    ModelTotals.objects.bulk_create(
        [
            ModelTotals(cost_model=m, version=m.version, **totals.columns(figures[i].headline))
            for i, m in enumerate(models)
        ],
        batch_size=BATCH,
    )
    return National(facilitator=users[0], scaled={n: users[n] for n in scales}, model_ids=[m.pk for m in models])
