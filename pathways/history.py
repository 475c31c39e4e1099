"""The audit trail: who changed what and when (django-simple-history), and restoring deletions.

Reads: ``model_history`` gathers every change to a cost model, its cohorts and
their conditions, and the pathways, stages and staff roles it is costed with.
``deleted_items`` lists a practice's deleted models, pathways, roles and profiles.
Writes: ``restore_deleted`` brings one back with what was deleted with it, in
one transaction, or explains what stands in the way and restores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F

from pathways import totals
from pathways.models import (
    Cohort,
    CohortCondition,
    CohortGroup,
    CohortGroupCondition,
    CostModel,
    Pathway,
    PracticeProfile,
    ProfileAgeBand,
    ProfileGroup,
    ProfileGroupCondition,
    ProfileRegister,
    Stage,
)
from practices.audit import audited
from practices.models import Practice, StaffRole

# Rows deleted with their parent are deleted within the same request.
WITH_PARENT = timedelta(seconds=5)
MAX_EVENTS = 500
SKIP_FIELDS = {"updated_at", "version", "position"}
KINDS = {"model": CostModel, "pathway": Pathway, "role": StaffRole, "profile": PracticeProfile}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Event:
    when: datetime
    who: str
    action: str
    kind: str
    label: str
    changes: tuple[Change, ...]


def _label(kind: str, record) -> str:
    if kind == "Cohort":
        return f"{record.get_side_display()} cohort “{record.label}”"
    if kind == "Stage":
        return f"stage “{record.name}”"
    if kind == "Cohort condition":
        return f"condition {record.condition_id} of cohort {record.cohort_id}"
    return f"“{getattr(record, 'name', record.pk)}”"


def _events(kind: str, records) -> list[Event]:
    """Events of one kind of object, each change diffed against the same object's previous record."""
    events = []
    previous: dict[int, object] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(record.id)
        changes: tuple[Change, ...] = ()
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before, foreign_keys_are_objs=False)
            changes = tuple(
                Change(c.field, _text(c.old), _text(c.new)) for c in delta.changes if c.field not in SKIP_FIELDS
            )
            if not changes:
                previous[record.id] = record
                continue  # only bookkeeping moved (version, position)
        previous[record.id] = record
        user = record.history_user
        events.append(
            Event(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else "the system",
                action=ACTIONS.get(record.history_type, record.history_type),
                kind=kind,
                label=_label(kind, record),
                changes=changes,
            )
        )
    return events


def _text(value) -> str:
    return "–" if value in (None, "") else str(value)


def model_history(cost_model: CostModel) -> list[Event]:
    """Every recorded change that affects the model's figures, newest first (a fixed number of queries)."""
    cohorts = list(Cohort.history.filter(cost_model_id=cost_model.pk))
    cohort_ids = {c.id for c in cohorts}
    pathway_ids = {c.pathway_id for c in cohorts}
    stages = list(Stage.history.filter(pathway_id__in=pathway_ids).select_related("history_user"))
    role_ids = {s.role_id for s in stages if s.role_id}
    events = (
        _events("Cost model", CostModel.history.filter(id=cost_model.pk).select_related("history_user"))
        + _events("Cohort", cohorts)
        + _events("Cohort condition", CohortCondition.history.filter(cohort_id__in=cohort_ids))
        + _events("Pathway", Pathway.history.filter(id__in=pathway_ids).select_related("history_user"))
        + _events("Stage", stages)
        + _events("Staff role", StaffRole.history.filter(id__in=role_ids).select_related("history_user"))
    )
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:MAX_EVENTS]


@dataclass(frozen=True)
class DeletedItem:
    kind: str  # a key of KINDS
    history_id: int
    name: str
    when: datetime
    who: str


def item_name(kind: str, item) -> str:
    """What a deleted item (its history record) or a restored one is called."""
    if kind == "profile":  # a profile has no name: the date of its search, and its note
        profile = getattr(item, "instance", item)
        return f"{profile}{f' ({profile.note})' if profile.note else ''}"
    return item.name


def deleted_items(practice: Practice) -> list[DeletedItem]:
    """The practice's deleted models, pathways, roles and profiles that have not been restored."""
    items = []
    for kind, model in KINDS.items():
        existing = set(model.objects.filter(practice=practice).values_list("pk", flat=True))
        records = model.history.filter(practice_id=practice.pk, history_type="-").select_related("history_user")
        seen = set()
        for record in records.order_by("-history_date"):
            if record.id in existing or record.id in seen:
                continue
            seen.add(record.id)
            user = record.history_user
            items.append(
                DeletedItem(
                    kind=kind,
                    history_id=record.history_id,
                    name=item_name(kind, record),
                    when=record.history_date,
                    who=(user.get_full_name() or user.username) if user else "the system",
                )
            )
    items.sort(key=lambda i: i.when, reverse=True)
    return items


class CannotRestore(Exception):
    pass


def _deleted_with(model, parent_field: str, parent_id: int, deleted_at: datetime):
    """The latest deletion record of each child deleted with its parent."""
    records = model.history.filter(
        **{parent_field: parent_id},
        history_type="-",
        history_date__gte=deleted_at - WITH_PARENT,
        history_date__lte=deleted_at + WITH_PARENT,
    )
    latest = {}
    for record in records.order_by("history_date"):
        latest[record.id] = record
    return [r for r in latest.values() if not model.objects.filter(pk=r.id).exists()]


@audited
@transaction.atomic
def restore_deleted(*, practice: Practice, kind: str, history_id: int, by: AbstractBaseUser | None):
    """Restore a deleted model (with its groups and cohorts), pathway (with its stages), role, or profile
    (with its age bands, registers and groups).

    Raises LookupError for a record that is not a deletion of this practice, and
    CannotRestore (restoring nothing) when something it needs is gone or taken.
    """
    model = KINDS.get(kind)
    if model is None:
        raise LookupError(kind)
    record = model.history.filter(history_id=history_id, practice_id=practice.pk, history_type="-").first()
    if record is None or model.objects.filter(pk=record.id).exists():
        raise LookupError(history_id)
    try:
        with transaction.atomic():
            restored = record.instance
            # Links to what no longer exists are dropped, not restored.
            if (
                kind == "model"
                and restored.based_on_id
                and not CostModel.objects.filter(pk=restored.based_on_id).exists()
            ):
                restored.based_on = None
            if (
                kind in ("model", "profile")
                and restored.created_by_id
                and not get_user_model().objects.filter(pk=restored.created_by_id).exists()
            ):
                restored.created_by = None
            restored.save()
            if kind == "profile":
                for child in (ProfileAgeBand, ProfileRegister, ProfileGroup):
                    for row in _deleted_with(child, "profile_id", record.id, record.history_date):
                        row.instance.save()
                        if child is ProfileGroup:
                            for condition in _deleted_with(
                                ProfileGroupCondition, "group_id", row.id, record.history_date
                            ):
                                condition.instance.save()
            if kind == "pathway":
                for stage in _deleted_with(Stage, "pathway_id", record.id, record.history_date):
                    if stage.role_id and not StaffRole.objects.filter(pk=stage.role_id).exists():
                        raise CannotRestore(
                            f"its stage “{stage.name}” needs a staff role that was deleted: restore it first"
                        )
                    stage.instance.save()
            if kind == "model":
                # Groups first: the restored cohorts name them (and the database checks it).
                for group in _deleted_with(CohortGroup, "cost_model_id", record.id, record.history_date):
                    group.instance.save()
                    for condition in _deleted_with(CohortGroupCondition, "group_id", group.id, record.history_date):
                        condition.instance.save()
                for cohort in _deleted_with(Cohort, "cost_model_id", record.id, record.history_date):
                    if not Pathway.objects.filter(pk=cohort.pathway_id).exists():
                        raise CannotRestore(
                            f"its cohort “{cohort.label}” needs a pathway that was deleted: restore it first"
                        )
                    cohort.instance.save()
                    for condition in _deleted_with(CohortCondition, "cohort_id", cohort.id, record.history_date):
                        condition.instance.save()
                # A new version, and its totals stored: results cached for the old one may be
                # of pathways and roles that changed while the model was deleted.
                CostModel.objects.filter(pk=restored.pk).update(version=F("version") + 1)
                totals.refresh([restored.pk])
    except IntegrityError:
        raise CannotRestore("another item now has its key; rename that one first") from None
    return restored
