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

from django.http import QueryDict
from django.shortcuts import get_object_or_404

from costing import engine
from pathways import selectors, totals
from pathways.models import CostModel
from practices.models import Organisation, Practice
from reports import rollup
from reports.models import BatchReport

ORGANISATION_PARAM = "organisation"
MODEL_PARAM = "model_"  # + the practice's ODS code: the chosen model's id


@dataclass
class PracticeChoice:
    practice: Practice
    models: list[CostModel]  # light rows, the baseline first, then latest first, for the select
    chosen: CostModel | None = None  # light row
    headline: engine.Headline | None = None  # the chosen model's totals (None if it has gone meanwhile)

    @property
    def baseline(self) -> CostModel | None:
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
    def chosen_models(self) -> list[CostModel]:
        return [c.chosen for c in self.choices if c.chosen is not None]


def _assigned(user):
    return Practice.objects.filter(assignments__facilitator__user=user)


def assigned_practices(user) -> list[Practice]:
    """The practices assigned to this facilitator (not those they are a member of), by name."""
    return list(
        _assigned(user)
        # Each organisation read once, not once a practice: an ICB's thousands of practices share a few.
        .prefetch_related("organisation__parent")
        .defer("created_at")  # not shown: thousands of practices need not parse it
        .order_by("name", "ods_code")
    )


# What the roll-up shows of a practice's models (its select, the chosen one's link and kind).
ROLLUP_MODEL_FIELDS = ("id", "practice_id", "name", "period", "version", "based_on_id", "overlay", "is_baseline")


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

    by_practice: dict[int, list[CostModel]] = {p.pk: [] for p in practices}
    # The assigned practices' models by a join, not a list of thousands of ids; those of practices
    # filtered out are passed by.
    light = (
        CostModel.objects.filter(practice__in=_assigned(user))
        .only(*ROLLUP_MODEL_FIELDS)
        .order_by("-is_baseline", "-updated_at", "-id")
    )
    for model in light:
        if model.practice_id in by_practice:
            by_practice[model.practice_id].append(model)

    selection = Selection(organisations, organisation, error, [])
    remember_practice = CostModel.practice.field.set_cached_value  # as select_related would (no checks)
    for practice in practices:
        for model in by_practice[practice.pk]:
            remember_practice(model, practice)  # for its URL, without a query
        choice = PracticeChoice(practice=practice, models=by_practice[practice.pk])
        asked = params.get(choice.param, "").strip()
        choice.chosen = next((m for m in choice.models if str(m.pk) == asked), None)
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


def _organisation_ids(practice: Practice) -> set[int]:
    org = practice.organisation
    if org is None:
        return set()
    return {org.pk} | ({org.parent_id} if org.parent_id else set())


def _organisations(practices: list[Practice]) -> list[Organisation]:
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
