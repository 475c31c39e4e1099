"""Reads of the facilitator's roll-up: their assigned practices, filtered, each with one model and its totals.

Each practice's model is its baseline unless the facilitator picks another for
the run (``model_<ODS code>``); a practice without a baseline has none until one
is picked, so a scenario is never used silently. The page, its workbook and the
batch of PDFs read the same selection.

Queries are fixed whatever the number of practices: the practices, a list of
their models, then the chosen models' stored totals (pathways.totals.headlines:
one query, or costed together where a row is stale).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404

from costing import engine
from pathways import selectors, totals
from pathways.models import CostModel, ModelKind, model_url
from practices.models import Organisation, Practice, practice_url
from reports import rollup
from reports.models import BatchReport

ORGANISATION_PARAM = "organisation"
MODEL_PARAM = "model_"  # + the practice's ODS code: the chosen model's id


# A national roll-up is thousands of practices and their models: they are read as values into these
# (a fifth to a third of the time of as many model instances), with what the page, its workbook and batches use.


@dataclass(frozen=True, slots=True)
class AssignedPractice:
    """An assigned practice as the roll-up shows it."""

    pk: int
    name: str
    ods_code: str
    list_size: int
    organisation: Organisation | None  # with its parent

    def get_absolute_url(self) -> str:
        return practice_url(self.ods_code)


@dataclass(frozen=True, slots=True)
class ModelChoice(ModelKind):
    """One of a practice's models, as the roll-up's select offers it."""

    pk: int
    practice: AssignedPractice
    name: str
    is_baseline: bool
    has_overlay: bool
    based_on_id: int | None

    def get_absolute_url(self) -> str:
        return model_url(self.practice.ods_code, self.pk)


@dataclass
class PracticeChoice:
    practice: AssignedPractice
    models: list[ModelChoice]  # the baseline first, then latest first, for the select
    chosen: ModelChoice | None = None
    headline: engine.Headline | None = None  # the chosen model's totals (None if it has gone meanwhile)

    @property
    def baseline(self) -> ModelChoice | None:
        return next((m for m in self.models if m.is_baseline), None)

    @property
    def note(self) -> str:
        """Why a practice with models has no figures: no baseline marked and none picked."""
        if self.chosen is None and self.models:
            return "No baseline marked: pick a model for this run, or mark the practice's baseline."
        return ""

    @property
    def param(self) -> str:
        return MODEL_PARAM + self.practice.ods_code


@dataclass
class Selection:
    """What the facilitator asked to see: their practices, filtered, each with one model."""

    organisations: list[Organisation]
    organisation: Organisation | None
    organisation_error: str
    choices: list[PracticeChoice]
    explicit: dict[str, int] = field(default_factory=dict)  # param -> model id, as asked

    @property
    def query(self) -> str:
        """The selection as a query string (valid values only) for links and forms."""
        params = {ORGANISATION_PARAM: self.organisation.pk} if self.organisation else {}
        return urlencode({**params, **self.explicit})

    @property
    def hidden_fields(self) -> list[tuple[str, str]]:
        params = [(ORGANISATION_PARAM, str(self.organisation.pk))] if self.organisation else []
        return params + [(k, str(v)) for k, v in self.explicit.items()]

    @property
    def chosen_models(self) -> list[ModelChoice]:
        return [c.chosen for c in self.choices if c.chosen is not None]


def _assigned(user):
    return Practice.objects.filter(assignments__facilitator__user=user)


def assigned_practices(user) -> list[AssignedPractice]:
    """The practices assigned to this facilitator (not those they are a member of), by name: two queries,
    the practices and their organisations (an ICB's thousands of practices share a few)."""
    rows = list(
        _assigned(user)
        .order_by("name", "ods_code")
        .values_list("pk", "name", "ods_code", "list_size", "organisation_id")
    )
    organisation_ids = {row[4] for row in rows} - {None}
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=organisation_ids).select_related("parent")}
    return [AssignedPractice(pk, name, ods, size, organisations.get(org)) for pk, name, ods, size, org in rows]


# Whether a model is a scenario, without reading its overlay.
HAS_OVERLAY = ExpressionWrapper(Q(overlay__isnull=False), output_field=BooleanField())


def select(user, params: QueryDict, *, load: bool = True) -> Selection:
    """Read the filter and the per-practice model choices; invalid values fall back to the default."""
    # Thousands of practices are tens of thousands of objects without cycles: not walked again and again.
    with selectors.cycle_collector_paused():
        return _select(user, params, load=load)


def _select(user, params: QueryDict, *, load: bool) -> Selection:
    practices = assigned_practices(user)
    organisations = _organisations(practices)
    organisation, error = None, ""
    raw = params.get(ORGANISATION_PARAM, "").strip()
    if raw:
        organisation = next((o for o in organisations if str(o.pk) == raw), None)
        if organisation is None:
            error = "Choose one of the organisations of your practices; all practices are shown."
    if organisation is not None:
        practices = [p for p in practices if organisation.pk in _organisation_ids(p)]

    shown = {p.pk: p for p in practices}
    by_practice: dict[int, list[ModelChoice]] = {p.pk: [] for p in practices}
    # The assigned practices' models by a join, not a list of thousands of ids; those of practices
    # filtered out are passed by.
    rows = (
        CostModel.objects.filter(practice__in=_assigned(user))
        .annotate(has_overlay_=HAS_OVERLAY)
        .order_by("-is_baseline", "-updated_at", "-id")
        .values_list("pk", "practice_id", "name", "is_baseline", "has_overlay_", "based_on_id")
    )
    for pk, practice_id, name, is_baseline, has_overlay, based_on_id in rows:
        practice = shown.get(practice_id)
        if practice is not None:
            by_practice[practice_id].append(ModelChoice(pk, practice, name, is_baseline, has_overlay, based_on_id))

    selection = Selection(organisations, organisation, error, [])
    for practice in practices:
        choice = PracticeChoice(practice=practice, models=by_practice[practice.pk])
        asked = params.get(choice.param, "").strip()
        choice.chosen = next((m for m in choice.models if str(m.pk) == asked), None) if asked else None
        if choice.chosen is not None:
            selection.explicit[choice.param] = choice.chosen.pk
        else:
            # The practice's baseline unless the facilitator picked another for this run; never a scenario silently.
            choice.chosen = choice.baseline
        selection.choices.append(choice)

    if load:
        figures = totals.headlines(selection.chosen_models)
        for choice in selection.choices:
            if choice.chosen is not None:
                choice.headline = figures.get(choice.chosen.pk)  # None if deleted in between
    return selection


def _organisation_ids(practice: AssignedPractice) -> set[int]:
    org = practice.organisation
    if org is None:
        return set()
    return {org.pk} | ({org.parent_id} if org.parent_id else set())


def _organisations(practices: list[AssignedPractice]) -> list[Organisation]:
    """The organisations of the practices and their parents: nobody else's."""
    found: dict[int, Organisation] = {}
    for practice in practices:
        org = practice.organisation
        if org is not None:
            found[org.pk] = org
            if org.parent is not None:
                found[org.parent.pk] = org.parent
    return sorted(found.values(), key=lambda o: (o.name.lower(), o.pk))


def build_rollup(selection: Selection) -> rollup.Rollup:
    with selectors.cycle_collector_paused():
        return _build_rollup(selection)


def _build_rollup(selection: Selection) -> rollup.Rollup:
    rows = []
    for choice in selection.choices:
        practice = choice.practice
        organisation = practice.organisation.name if practice.organisation else ""
        if choice.headline is None:
            rows.append(
                rollup.PracticeRow(
                    practice.name, practice.ods_code, organisation, list_size=practice.list_size, note=choice.note
                )
            )
            continue
        rows.append(
            rollup.PracticeRow(
                practice_name=practice.name,
                ods_code=practice.ods_code,
                organisation=organisation,
                model_name=choice.chosen.name,
                figures=choice.headline,
                list_size=practice.list_size,
            )
        )
    return rollup.rollup(rows)


# ------------------------------------------------------------------ batch reports
# A batch is only ever visible to the user who started it.


def own_batch(user, batch_pk: int) -> BatchReport:
    """The user's batch (404 for anyone else's)."""
    return get_object_or_404(BatchReport.objects.filter(user=user), pk=batch_pk)


def recent_batches(user, count: int = 5) -> list[BatchReport]:
    return list(BatchReport.objects.filter(user=user)[:count])


def running_batch(user) -> BatchReport | None:
    """The user's batch still being built (reports.services.batch_reports_sweep fails lost ones)."""
    return BatchReport.objects.filter(
        user=user, status__in=[BatchReport.Status.QUEUED, BatchReport.Status.RUNNING]
    ).first()
