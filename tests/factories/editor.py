"""POST data for the pathway and cost model editors, as a browser would send it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pathways.models import Condition

STAGE_FIELDS = ("id", "name", "step", "role", "minutes", "extra_cost", "visit")
COHORT_FIELDS = ("id", "label", "conditions", "patients", "times", "exceptions", "pathway")


def _value(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def formset_data(prefix: str, rows: Iterable[Mapping], fields: tuple[str, ...]) -> dict:
    """A formset's management form and rows; a list value is a multi-select."""
    rows = list(rows)
    data: dict = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for name in fields:
            value = row.get(name)
            key = f"{prefix}-{i}-{name}"
            if isinstance(value, (list, tuple)):
                data[key] = [_value(v) for v in value]
            else:
                data[key] = _value(value)
    return data


def stage(name: str, step: str, role=None, minutes="0", extra_cost="", visit=None, id=None) -> dict:
    return {
        "id": id,
        "name": name,
        "step": step,
        "role": role,
        "minutes": minutes,
        "extra_cost": extra_cost,
        "visit": visit,
    }


def pathway_post(name: str, stages: Iterable[Mapping], description: str = "", action: str = "save") -> dict:
    """What the pathway editor posts: its name and the stages in order."""
    return {
        "action": action,
        "pathway-name": name,
        "pathway-description": description,
        **formset_data("stages", stages, STAGE_FIELDS),
    }


def cohort(
    label: str, pathway, patients=1, conditions: Iterable[str] = (), id=None, times=None, exceptions=None
) -> dict:
    """A cohort row; ``conditions`` are register codes, posted as condition ids in that order."""
    by_code = {c.code: c.pk for c in Condition.objects.filter(code__in=list(conditions))}
    return {
        "id": id,
        "label": label,
        "pathway": pathway,
        "patients": patients,
        "times": times,
        "exceptions": exceptions,
        "conditions": [by_code[code] for code in conditions],
    }


def model_post(
    name: str,
    before: Iterable[Mapping] = (),
    after: Iterable[Mapping] = (),
    period: str = "per patient",
    description: str = "",
    version=None,
    action: str = "save",
) -> dict:
    """What the cost model editor posts: the model and both sides' cohorts in order."""
    return {
        "action": action,
        "model-name": name,
        "model-description": description,
        "model-period": period,
        "model-version": "" if version is None else str(version),
        **formset_data("before", before, COHORT_FIELDS),
        **formset_data("after", after, COHORT_FIELDS),
    }
