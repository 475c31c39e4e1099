# Scenarios become overlays on their base, and each practice gets a baseline; data carried forward.
#
# A scenario saved before this copied the base's cohorts (and changed roles and pathways under
# new keys). Where the copy still matches its base (costing.overlay.derive: the same cohorts,
# numbers one exact multiple, stages with only other minutes, roles, rates or extra costs, and
# the same figures when costed), it becomes an overlay of those differences and its copied
# cohorts and groups go (its figures come from the base from now on). Otherwise it stays a
# model in its own right, with its rows, shown as "copied from" its base.
# Each practice's baseline: its oldest model that is based on no other, else its oldest model
# in its own right.

from django.conf import settings
from django.db import migrations, models

from costing import engine, overlay
from practices.models import ENGINE_ROLE_FIELDS, engine_role


def _engine_model(apps, cost_model):
    """A stored model as the engine's dataclasses, from the historical models (as pathways.selectors does)."""
    Cohort = apps.get_model("pathways", "Cohort")
    CohortGroup = apps.get_model("pathways", "CohortGroup")
    Stage = apps.get_model("pathways", "Stage")
    groups = tuple(
        engine.Group(
            key=g.key,
            label=g.label,
            people=g.people,
            conditions=tuple(g.group_conditions.order_by("position", "id").values_list("condition__code", flat=True)),
        )
        for g in CohortGroup.objects.filter(cost_model=cost_model).order_by("position", "id")
    )
    sides = {"before": [], "after": []}
    pathway_ids = []
    for c in Cohort.objects.filter(cost_model=cost_model).select_related("pathway", "group").order_by("side", "position", "id"):
        pathway_ids.append(c.pathway_id)
        sides[c.side].append(
            engine.Cohort(
                label=c.label,
                patients=c.patients,
                pathway=c.pathway.key,
                conditions=tuple(c.cohort_conditions.order_by("position", "id").values_list("condition__code", flat=True)),
                times=c.times,
                group=c.group.key if c.group_id else None,
                exceptions=c.exceptions,
            )
        )
    pathways, roles = {}, {}
    for stage in Stage.objects.filter(pathway_id__in=pathway_ids).select_related("pathway", "role").order_by("pathway_id", "position", "id"):
        if stage.role_id is not None:
            roles[stage.role_id] = engine_role(*(getattr(stage.role, f) for f in ENGINE_ROLE_FIELDS))
        key = stage.pathway.key
        pathways.setdefault(stage.pathway_id, (key, stage.pathway.name, []))[2].append(
            engine.Stage(
                name=stage.name,
                step=engine.Step(stage.step),
                role=stage.role.key if stage.role_id else None,
                minutes=stage.minutes,
                extra_cost=stage.extra_cost,
                visit=stage.visit,
            )
        )
    for pk in set(pathway_ids) - set(pathways):  # a pathway without stages
        pathway = apps.get_model("pathways", "Pathway").objects.get(pk=pk)
        pathways[pk] = (pathway.key, pathway.name, [])
    return engine.CostModel(
        name=cost_model.name,
        period=engine.Period(cost_model.period),
        roles=tuple(roles[pk] for pk in sorted(roles)),
        pathways=tuple(engine.Pathway(key=k, name=n, stages=tuple(s)) for _pk, (k, n, s) in sorted(pathways.items())),
        before=tuple(sides["before"]),
        after=tuple(sides["after"]),
        groups=groups,
    )


def scenarios_to_overlays(apps, schema_editor):
    CostModel = apps.get_model("pathways", "CostModel")
    for copy in CostModel.objects.filter(based_on__isnull=False, overlay__isnull=True).select_related("based_on"):
        base = copy.based_on
        if base.based_on_id is not None and base.overlay is not None:
            continue  # a copy of a scenario already turned into an overlay: kept in its own right
        try:
            base_model, copy_model = _engine_model(apps, base), _engine_model(apps, copy)
            changes = overlay.derive(base_model, copy_model)
        except (ValueError, KeyError):
            changes = None
        if changes is None:
            continue
        copy.overlay = overlay.dumps(overlay.of(base_model, changes))
        copy.save(update_fields=["overlay"])
        cohorts = apps.get_model("pathways", "Cohort").objects.filter(cost_model=copy)
        cohorts.delete()
        apps.get_model("pathways", "CohortGroup").objects.filter(cost_model=copy).delete()


def mark_baselines(apps, schema_editor):
    CostModel = apps.get_model("pathways", "CostModel")
    chosen = {}
    for model in CostModel.objects.filter(overlay__isnull=True).order_by("created_at", "id"):
        current = chosen.get(model.practice_id)
        # The oldest model based on no other wins over any copy, then the oldest copy.
        if current is None or (current.based_on_id is not None and model.based_on_id is None):
            chosen[model.practice_id] = model
    CostModel.objects.filter(pk__in=[m.pk for m in chosen.values()]).update(is_baseline=True)


def backwards(apps, schema_editor):
    """Overlays cannot be turned back into copies without roles and pathways: they go back as empty models."""
    CostModel = apps.get_model("pathways", "CostModel")
    CostModel.objects.update(is_baseline=False, overlay=None)



class Migration(migrations.Migration):

    dependencies = [
        ('pathways', '0013_decision_inputs_minutes_together'),
        ('practices', '0004_cost_basis_as_printed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='costmodel',
            name='is_baseline',
            field=models.BooleanField(default=False, verbose_name='baseline'),
        ),
        migrations.AddField(
            model_name='costmodel',
            name='overlay',
            field=models.JSONField(blank=True, default=None, null=True),
        ),
        migrations.AddField(
            model_name='historicalcostmodel',
            name='is_baseline',
            field=models.BooleanField(default=False, verbose_name='baseline'),
        ),
        migrations.AddField(
            model_name='historicalcostmodel',
            name='overlay',
            field=models.JSONField(blank=True, default=None, null=True),
        ),
        migrations.RunPython(scenarios_to_overlays, backwards),
        migrations.RunPython(mark_baselines, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='costmodel',
            constraint=models.UniqueConstraint(condition=models.Q(('is_baseline', True)), fields=('practice',), name='costmodel_one_baseline_per_practice'),
        ),
        migrations.AddConstraint(
            model_name='costmodel',
            constraint=models.CheckConstraint(condition=models.Q(('is_baseline', False), ('overlay__isnull', True), _connector='OR'), name='costmodel_baseline_not_a_scenario'),
        ),
        migrations.AddConstraint(
            model_name='costmodel',
            constraint=models.CheckConstraint(condition=models.Q(('overlay__isnull', True), ('based_on__isnull', False), _connector='OR'), name='costmodel_overlay_has_a_base'),
        ),
    ]
