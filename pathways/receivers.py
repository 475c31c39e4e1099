"""pathways listening to the apps below it (connected in PathwaysConfig.ready)."""

from django.db.models import F
from django.dispatch import receiver

from costing import reference
from costing.signals import reference_data_loaded
from pathways import totals
from pathways.models import Cohort, Condition, CostModel
from practices.signals import staff_role_changed


@receiver(staff_role_changed, dispatch_uid="pathways.models_using_role_get_new_version")
def models_using_role_get_new_version(sender, *, role, **kwargs) -> None:
    """Models costed with this role get a new version and their totals stored (their scenarios' too):
    their figures change with its rate, and results cached for the old version are never served again."""
    using = list(Cohort.objects.filter(pathway__stages__role=role).values_list("cost_model_id", flat=True).distinct())
    CostModel.objects.filter(pk__in=using).update(version=F("version") + 1)
    totals.refresh(using)


@receiver(reference_data_loaded, dispatch_uid="pathways.load_conditions")
def load_conditions(sender, **kwargs) -> str:
    """The condition registers (costing/reference_data/conditions.csv), in load_reference_data's transaction."""
    conditions = reference.read_conditions()
    for row in conditions:
        Condition.objects.update_or_create(
            code=row.code,
            defaults={
                "name": row.name,
                "qof_register": row.qof_register,
                "prevalence_percent": row.prevalence_percent,
                "prevalence_year": row.prevalence_year,
                "source": row.source,
                "url": row.url,
                "denominator": row.denominator,
                "denominator_min_age": row.denominator_min_age,
                "prevalence_note": row.note,
            },
        )
    return f"{len(conditions)} conditions"
