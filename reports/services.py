"""Writes of reports: a facilitator's batch of PDF reports, started here and built by a task."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from reports.models import BatchReport
from reports.selectors import Selection
from reports.tasks import build_batch_report


@transaction.atomic
def batch_report_create(*, selection: Selection, by: AbstractBaseUser) -> BatchReport | None:
    """A queued batch of the selection's chosen models, built once committed; None if no practice has a model.

    Practices shown without a model are named in the batch's notes.
    """
    model_ids = list(dict.fromkeys(m.pk for m in selection.chosen_models))
    if not model_ids:
        return None
    notes = [
        f"{c.practice.name} ({c.practice.ods_code}): no cost model, so no report."
        for c in selection.choices
        if c.chosen is None
    ]
    batch = BatchReport.objects.create(user=by, model_ids=model_ids, total=len(model_ids), errors="\n".join(notes))
    transaction.on_commit(lambda: build_batch_report.delay(batch.pk))
    return batch
