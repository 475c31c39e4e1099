"""Background tasks: a facilitator's batch of PDF reports, one per practice, as a zip; the sweep.

A batch's reports are built in parallel, as settings.BATCH_REPORT_MODE says (the one place it is
chosen): "tasks", one Celery task per report (build_batch_part), the one that finishes the last
writing the zip from the PDFs they kept in storage; "processes", a pool of the process that runs
the batch (no broker: make run, the bench); "sequential", one after another in that process.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import secrets
import tempfile
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing, contextmanager

from celery import group, shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.text import slugify

from pathways import selectors
from pathways.selectors import decision_settings
from reports import batch_worker, pdf
from reports.models import BatchReport, BatchReportPart, zip_name

logger = logging.getLogger(__name__)


@worker_process_init.connect(weak=False, dispatch_uid="reports.tasks.ready_to_render")
def _worker_ready(**kwargs) -> None:
    """Each Celery worker process renders reports (one task a report): ready as a pool's process is."""
    batch_worker.ready_to_render()


@worker_process_init.connect(weak=False, dispatch_uid="reports.tasks.ready_to_render")
def _worker_ready(**kwargs) -> None:
    """Each Celery worker process renders reports (one task a report): ready as a pool's process is."""
    batch_worker.ready_to_render()


NOT_INCLUDED_NAME = "not-included.txt"
# A batch (or one report of it) whose worker is lost this many times (each delivery killed it) is
# failed, not tried again.
MAX_ATTEMPTS = 3
RUNNING = [BatchReport.Status.QUEUED, BatchReport.Status.RUNNING]
# Reports a pool process is given ahead of the one it renders: the pool never waits, and memory
# holds a few jobs, never the batch.
AHEAD = 2


@shared_task(ignore_result=True)
def build_batch_report(batch_id: int) -> None:
    """Celery entry point; the work is in run_batch."""
    run_batch(batch_id)


@shared_task(ignore_result=True)
def build_batch_part(batch_id: int, attempt: int, position: int) -> None:
    """One report of a batch (BATCH_REPORT_MODE "tasks"); the work is in run_part."""
    run_part(batch_id, attempt, position)


@shared_task(ignore_result=True)
def sweep_batch_reports() -> None:
    """Run by Celery beat: lost batches failed, zips past their retention deleted."""
    from reports.services import batch_reports_sweep

    batch_reports_sweep()


def run_batch(batch_id: int) -> None:
    """Render each chosen model's PDF into a zip, updating done/total after each practice.

    A queued batch runs; so does a running one, as the task is only delivered
    again when the worker that ran it was lost (CELERY_TASK_ACKS_LATE): it starts
    over, as attempt ``attempts``, and every write of an earlier attempt is
    refused. A finished batch is left alone. A model the facilitator is no
    longer assigned to, or that has gone, and a report that fails are each
    named in ``errors``; the others are still in the zip. In mode "tasks" this
    only hands each report to a task of its own (run_part).
    """
    now = timezone.now()
    claimed = BatchReport.objects.filter(pk=batch_id, status__in=RUNNING, attempts__lt=MAX_ATTEMPTS).update(
        status=BatchReport.Status.RUNNING, attempts=F("attempts") + 1, done=0, errors="", heartbeat_at=now
    )
    if not claimed:
        given_up = BatchReport.objects.filter(pk=batch_id, status__in=RUNNING).update(
            status=BatchReport.Status.FAILED,
            errors=f"The batch stopped {MAX_ATTEMPTS} times without finishing (its worker was lost); "
            "try again, or ask for help if it stops again.",
            finished_at=now,
        )
        logger.info("batch report %s: %s", batch_id, "given up" if given_up else "not queued, nothing to do")
        return
    batch = BatchReport.objects.get(pk=batch_id)
    attempt = Attempt(batch_id, batch.attempts)
    with _ends(attempt):
        models = list(
            selectors.cost_models()
            .filter(pk__in=batch.model_ids, practice__assignments__facilitator__user_id=batch.user_id)
            .order_by("practice__name", "practice__ods_code", "id")
        )
        found = {m.pk for m in models}
        gone = [_gone(pk) for pk in batch.model_ids if pk not in found]
        names: set[str] = set()
        named = [(m, _filename(m.practice.ods_code, m.name, names)) for m in models]
        if settings.BATCH_REPORT_MODE == "tasks":
            _hand_out(batch, attempt, gone, named)
            return
        attempt.errors += gone
        attempt.progress(len(gone))
        jobs = (_job(cost_model, filename) for cost_model, filename in named)
        with closing(_rendered(jobs, len(named))) as rendered:  # the pool stopped, whatever stops the zip
            _zip(batch, attempt, ((job.filename, content, job.failed) for job, content in rendered), done=len(gone))


def _gone(pk: int) -> str:
    return f"Cost model #{pk}: no longer there or no longer one of your practices'; no report."


def _job(cost_model, filename: str) -> batch_worker.Job:
    """All one report needs, read here so the process rendering it reads no database.

    A model whose rows cannot be read is a job without a model: its report fails, the others are built.
    """
    practice = cost_model.practice
    try:
        model, decisions = selectors.engine_model(cost_model), decision_settings(cost_model)
    except Exception:
        logger.exception("batch report: cost model %s could not be read for its report", cost_model.pk)
        model = decisions = None
    return batch_worker.Job(
        model_pk=cost_model.pk,
        filename=filename,
        failed=f"{practice.name} ({practice.ods_code}), “{cost_model.name}”: the report failed.",
        model=model,
        subject=pdf.ReportSubject.of(cost_model),
        decisions=decisions,
    )


def _rendered(jobs: Iterable[batch_worker.Job], count: int) -> Iterator[tuple[batch_worker.Job, bytes | None]]:
    """Each job with its PDF (None if it failed), in order: rendered one after another here, or in parallel.

    In parallel (mode "processes"), BATCH_REPORT_PROCESSES processes render: this
    one and a pool of the others. The pool is kept a few jobs ahead; while it is,
    this process renders the next job itself, so no core waits and memory holds a
    few jobs, never the batch.
    """
    processes = min(settings.BATCH_REPORT_PROCESSES, count)
    if settings.BATCH_REPORT_MODE != "processes" or processes < 2:
        for job in jobs:
            yield job, batch_worker.render(job)
        return
    workers = processes - 1
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=batch_worker.setup
    )
    try:
        pending: deque[tuple[batch_worker.Job, Future]] = deque()
        for job in jobs:
            if sum(not future.done() for _job, future in pending) < AHEAD * workers:
                pending.append((job, pool.submit(batch_worker.render, job)))
            else:
                here = Future()
                here.set_result(batch_worker.render(job))
                pending.append((job, here))
            while pending and pending[0][1].done():
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _zip(batch: BatchReport, attempt: Attempt, reports: Iterable[tuple[str, bytes | None, str]], *, done=None):
    """The reports (name, PDF or None, the line naming a failed one) zipped into storage; the batch finished."""
    # On disk, not in memory: a national batch is hundreds of megabytes.
    with tempfile.TemporaryFile(suffix=".zip") as spool:
        built = 0
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            for filename, content, failed in reports:
                if content is None:
                    attempt.errors.append(failed)
                else:
                    archive.writestr(filename, content)
                    built += 1
                if done is not None:
                    done += 1
                    attempt.progress(done)
            if attempt.errors:
                archive.writestr(NOT_INCLUDED_NAME, "Reports not in this zip:\n" + "\n".join(attempt.errors) + "\n")
        stored = ""
        if built:
            spool.seek(0)
            stored = BatchReport.zip_file.field.storage.save(zip_name(batch, ""), File(spool))
    attempt.finish(status=BatchReport.Status.DONE if built else BatchReport.Status.FAILED, zip_file=stored)


@contextmanager
def _ends(attempt: Attempt):
    """Whatever stops the work, the batch ends, saying why."""
    try:
        yield
    except pdf.PdfUnavailable as unavailable:
        # Already logged; the message says what the server needs installed.
        attempt.errors.append(str(unavailable))
        attempt.finish(status=BatchReport.Status.FAILED)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            attempt.fail_unexpectedly()
            return
        logger.exception("batch report %s: no space left for the zip", attempt.batch_id)
        attempt.errors.append("The server ran out of disk space for the zip; try again later, or ask for help.")
        attempt.finish(status=BatchReport.Status.FAILED)
    except Exception:
        attempt.fail_unexpectedly()


# ------------------------------------------------------------------ one task a report


def _hand_out(batch: BatchReport, attempt: Attempt, gone: list[str], named: list) -> None:
    """A part for each report (a model gone is a finished part, with its error), and a task for each to build."""
    discard_parts(BatchReportPart.objects.filter(batch=batch))  # an earlier attempt's
    parts = [
        BatchReportPart(batch=batch, attempt=attempt.number, position=n, finished=True, error=error)
        for n, error in enumerate(gone)
    ]
    parts += [
        BatchReportPart(batch=batch, attempt=attempt.number, position=n, model_id=cost_model.pk, filename=filename)
        for n, (cost_model, filename) in enumerate(named, start=len(gone))
    ]
    BatchReportPart.objects.bulk_create(parts)
    attempt.errors += gone
    attempt.progress(len(gone))
    if not named:
        _assemble(batch.pk, attempt.number)
        return
    group(build_batch_part.si(batch.pk, attempt.number, part.position) for part in parts if not part.finished).delay()


def run_part(batch_id: int, number: int, position: int) -> None:
    """Build one report of attempt ``number`` of a batch into storage; the last to finish writes the zip.

    Delivered again after its worker was lost, it builds the report again, up to
    MAX_ATTEMPTS times, after which the report is named as failed. A part of an
    attempt that is no longer the batch's (a later delivery, the sweep) writes nothing.
    """
    attempt = Attempt(batch_id, number)
    unfinished = BatchReportPart.objects.filter(batch_id=batch_id, attempt=number, position=position, finished=False)
    if not unfinished.filter(tries__lt=MAX_ATTEMPTS).update(tries=F("tries") + 1):
        part = unfinished.select_related("batch").first()
        if part is not None:  # each delivery killed its worker
            failed = _part_subject(part)
            error = f"{failed}: the report stopped its worker {MAX_ATTEMPTS} times; not built."
            if _finish_part(attempt, part, stored="", error=error):
                _assemble(batch_id, number)
        elif _all_finished(attempt):  # the worker was lost as this part wrote the zip
            _assemble(batch_id, number)
        return
    part = unfinished.select_related("batch").first()
    if part is None or not attempt.mine().exists():
        return
    with _ends(attempt):
        cost_model = (
            selectors.cost_models()
            .filter(pk=part.model_id, practice__assignments__facilitator__user_id=part.batch.user_id)
            .first()
        )
        stored, error = "", ""
        if cost_model is None:
            error = _gone(part.model_id)
        else:
            job = _job(cost_model, part.filename)
            content = batch_worker.render(job)
            if content is None:
                error = job.failed
            else:
                token = secrets.token_hex(8)
                name = f"batch-reports/{part.batch.user_id}/parts/{batch_id}-{number}-{position}-{token}.pdf"
                stored = _storage().save(name, ContentFile(content))
        if _finish_part(attempt, part, stored=stored, error=error):
            _assemble(batch_id, number)


def _part_subject(part: BatchReportPart) -> str:
    return f"Cost model #{part.model_id} ({part.filename})"


def _finish_part(attempt: Attempt, part: BatchReportPart, *, stored: str, error: str) -> bool:
    """The part finished and counted in done/total: whether it was the last."""
    with transaction.atomic():
        if BatchReportPart.objects.filter(pk=part.pk, finished=False).update(finished=True, stored=stored, error=error):
            counted = attempt.mine().update(
                done=F("done") + 1,
                heartbeat_at=timezone.now(),
                errors=Concat(F("errors"), Value("\n" + error)) if error else F("errors"),
            )
            if counted:
                # The row is this transaction's until it commits: exactly one part sees the last count.
                done, total = BatchReport.objects.filter(pk=attempt.batch_id).values_list("done", "total").get()
                return done == total
            transaction.set_rollback(True)
    if stored:  # built twice, or for an attempt that is no longer the batch's
        _storage().delete(stored)
    return False


def _all_finished(attempt: Attempt) -> bool:
    parts = BatchReportPart.objects.filter(batch_id=attempt.batch_id, attempt=attempt.number)
    return attempt.mine().exists() and parts.exists() and not parts.filter(finished=False).exists()


def _assemble(batch_id: int, number: int) -> None:
    """Attempt ``number``'s reports, each built by its own task, zipped in order; the batch finished."""
    attempt = Attempt(batch_id, number)
    batch = attempt.mine().first()
    if batch is None:
        return
    with _ends(attempt):
        parts = list(BatchReportPart.objects.filter(batch_id=batch_id, attempt=number).order_by("position"))
        reports = ((p.filename, _read(p.stored) if p.stored else None, p.error) for p in parts)
        _zip(batch, attempt, reports)


def _read(name: str) -> bytes:
    with _storage().open(name, "rb") as stored:
        return stored.read()


def _storage():
    return BatchReport.zip_file.field.storage


def discard_parts(parts) -> int:
    """The parts' PDFs deleted from storage, then the parts: the number deleted."""
    storage = _storage()
    for name in parts.exclude(stored="").values_list("stored", flat=True):
        storage.delete(name)
    return parts.delete()[0]


class Attempt:
    """The writes of one delivery of a batch's task: each only while the batch is still this attempt's."""

    def __init__(self, batch_id: int, number: int):
        self.batch_id = batch_id
        self.number = number
        self.errors: list[str] = []

    def mine(self):
        return BatchReport.objects.filter(pk=self.batch_id, attempts=self.number, status=BatchReport.Status.RUNNING)

    def progress(self, done: int) -> None:
        self.mine().update(done=done, errors="\n".join(self.errors), heartbeat_at=timezone.now())

    def finish(self, *, status: str, zip_file: str = "") -> None:
        finished = self.mine().update(
            status=status, zip_file=zip_file, errors="\n".join(self.errors), finished_at=timezone.now()
        )
        if not finished and zip_file:
            # The sweep or a later delivery took the batch over meanwhile: this zip is nobody's.
            _storage().delete(zip_file)
        if finished:
            discard_parts(BatchReportPart.objects.filter(batch_id=self.batch_id))

    def fail_unexpectedly(self) -> None:
        logger.exception("batch report %s: stopped", self.batch_id)
        self.errors.append("The batch stopped on an unexpected error; try again or ask for help.")
        self.finish(status=BatchReport.Status.FAILED)


def _filename(ods_code: str, model_name: str, taken: set[str]) -> str:
    stem = f"{ods_code}-{slugify(model_name)[:80] or 'cost-model'}"
    name, n = f"{stem}.pdf", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.pdf"
    taken.add(name)
    return name
