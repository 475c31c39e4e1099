"""Writes of reports: a facilitator's batch of PDF reports, started here and built by a task."""

from __future__ import annotations

import threading

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, transaction

from reports.models import BatchReport
from reports.selectors import Selection
from reports.tasks import build_batch_report, run_batch


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
    transaction.on_commit(lambda: _start(batch.pk))
    return batch


def _start(batch_id: int) -> None:
    """Hand the batch to a worker; in development without a broker, to a thread of this process.

    Without a broker Celery runs the task eagerly, inside the request that started it: the
    facilitator would wait for the whole zip and never see the progress bar move. Under the
    development server (DEBUG) the work runs in a thread instead; the tests (DEBUG off) keep
    it in the request, so they can read the finished batch.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.DEBUG:
        threading.Thread(target=_run_in_thread, args=(batch_id,), name=f"batch-report-{batch_id}", daemon=True).start()
    else:
        build_batch_report.delay(batch_id)


def _run_in_thread(batch_id: int) -> None:
    try:
        run_batch(batch_id)
    finally:
        connections.close_all()  # this thread's own connections
