"""Writes of reports: a facilitator's batch of PDF reports, started here and built by a task; the sweep."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from reports.models import BatchReport, BatchReportPart
from reports.selectors import Selection
from reports.tasks import build_batch_report, discard_parts, run_batch

logger = logging.getLogger(__name__)

RUNNING = [BatchReport.Status.QUEUED, BatchReport.Status.RUNNING]
NOT_QUEUED = (
    "The batch could not be queued: the background task service did not answer. "
    "Nothing is being built; try again in a few minutes."
)
LOST = (
    "The batch stopped without finishing (the server building it was restarted or lost). "
    "Try again; if it stops again, ask for help."
)


def batch_report_create(*, selection: Selection, by: AbstractBaseUser) -> BatchReport | None:
    """A queued batch of the selection's chosen models, queued once committed; None if no practice has a model.

    Practices shown without a model are named in the batch's notes. One user
    has one batch running (a database constraint): a second start, however
    close, gets the first. Should the queue not take the task, the batch is
    failed at once with the reason, so nothing waits for a task that is not there.
    """
    model_ids = list(dict.fromkeys(m.pk for m in selection.chosen_models))
    if not model_ids:
        return None
    notes = [
        f"{c.practice.name} ({c.practice.ods_code}): no cost model, so no report."
        for c in selection.choices
        if c.chosen is None
    ]
    return _create(user=by, model_ids=model_ids, notes="\n".join(notes))


def batch_report_retry(*, batch: BatchReport, by: AbstractBaseUser) -> BatchReport:
    """The same models again, as a new batch (the running one, if there is one)."""
    return _create(user=by, model_ids=list(batch.model_ids), notes=batch.notes)


def _create(*, user, model_ids: list[int], notes: str) -> BatchReport:
    batch_reports_sweep(user=user)  # a lost batch must not hold the user's one running place
    try:
        with transaction.atomic():
            batch = BatchReport.objects.create(user=user, model_ids=model_ids, total=len(model_ids), notes=notes)
            transaction.on_commit(lambda: _enqueue(batch.pk))
    except IntegrityError:
        running = BatchReport.objects.filter(user=user, status__in=RUNNING).first()
        if running is None:
            raise  # not the one-running constraint
        return running
    batch.refresh_from_db()
    return batch


def _enqueue(batch_id: int) -> None:
    try:
        _start(batch_id)
    except Exception:
        logger.exception("batch report %s: could not be queued", batch_id)
        BatchReport.objects.filter(pk=batch_id, status=BatchReport.Status.QUEUED).update(
            status=BatchReport.Status.FAILED, errors=NOT_QUEUED, finished_at=timezone.now()
        )


def batch_reports_sweep(*, user: AbstractBaseUser | None = None) -> tuple[int, int]:
    """Fail batches with no sign of life, and delete zips past their retention: (failed, deleted).

    Run by Celery beat every few minutes (reports.tasks.sweep_batch_reports),
    and for one user before each of their starts and reads of a batch, so a
    lost batch is reported even without beat.
    """
    now = timezone.now()
    lost_after = settings.BATCH_REPORT_LOST_AFTER
    batches = BatchReport.objects.all() if user is None else BatchReport.objects.filter(user=user)
    # A batch whose reports each have a task (BATCH_REPORT_MODE "tasks") may have some waiting in the
    # queue behind other batches': until they are all built, it is given the time a queued batch is.
    waiting = BatchReportPart.objects.filter(batch=OuterRef("pk"), finished=False)
    lost = batches.filter(
        Q(status=BatchReport.Status.RUNNING, heartbeat_at__lt=now - lost_after) & ~Exists(waiting)
        | Q(status__in=RUNNING, heartbeat_at__lt=now - 6 * lost_after)
    )
    failed = 0
    for batch in lost.only("pk", "status", "heartbeat_at", "errors"):
        # Only if nothing moved since it was read: a worker may be writing progress.
        failed += BatchReport.objects.filter(pk=batch.pk, status=batch.status, heartbeat_at=batch.heartbeat_at).update(
            status=BatchReport.Status.FAILED,
            errors="\n".join(filter(None, [batch.errors, LOST])),
            finished_at=now,
        )
    if failed:
        logger.warning("batch reports: %s lost batch(es) failed", failed)
        # The PDFs their report tasks kept for the zip (BATCH_REPORT_MODE "tasks").
        discard_parts(BatchReportPart.objects.filter(batch__in=batches).exclude(batch__status__in=RUNNING))
    deleted = 0
    if user is None:
        expired = BatchReport.objects.filter(
            finished_at__lt=now - timedelta(days=settings.BATCH_REPORT_RETENTION_DAYS)
        ).exclude(zip_file="")
        storage = BatchReport.zip_file.field.storage
        for batch in expired.only("pk", "zip_file"):
            storage.delete(batch.zip_file.name)
            deleted += BatchReport.objects.filter(pk=batch.pk).update(zip_file="")
    return failed, deleted


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
