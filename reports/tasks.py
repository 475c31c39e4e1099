"""Background tasks: a facilitator's batch of PDF reports, one per practice, as a zip; the sweep."""

from __future__ import annotations

import errno
import logging
import tempfile
import zipfile

from celery import shared_task
from django.core.files import File
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from pathways import selectors
from pathways.selectors import decision_settings
from reports import pdf
from reports.models import BatchReport, zip_name

logger = logging.getLogger(__name__)

NOT_INCLUDED_NAME = "not-included.txt"
# A batch whose worker is lost this many times (each delivery killed it) is failed, not tried again.
MAX_ATTEMPTS = 3
RUNNING = [BatchReport.Status.QUEUED, BatchReport.Status.RUNNING]


@shared_task(ignore_result=True)
def build_batch_report(batch_id: int) -> None:
    """Celery entry point; the work is in run_batch."""
    run_batch(batch_id)


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
    named in ``errors``; the others are still in the zip.
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
    try:
        models = list(
            selectors.cost_models()
            .filter(pk__in=batch.model_ids, practice__assignments__facilitator__user_id=batch.user_id)
            .order_by("practice__name", "practice__ods_code", "id")
        )
        found = {m.pk for m in models}
        gone = [pk for pk in batch.model_ids if pk not in found]
        attempt.errors += [
            f"Cost model #{pk}: no longer there or no longer one of your practices'; no report." for pk in gone
        ]
        attempt.progress(len(gone))

        # On disk, not in memory: a national batch is hundreds of megabytes.
        with tempfile.TemporaryFile(suffix=".zip") as spool:
            built = _write_zip(spool, models, attempt, done=len(gone))
            stored = ""
            if built:
                spool.seek(0)
                stored = BatchReport.zip_file.field.storage.save(zip_name(batch, ""), File(spool))
        attempt.finish(
            status=BatchReport.Status.DONE if built else BatchReport.Status.FAILED,
            zip_file=stored,
        )
    except pdf.PdfUnavailable as unavailable:
        # Already logged; the message says what the server needs installed.
        attempt.errors.append(str(unavailable))
        attempt.finish(status=BatchReport.Status.FAILED)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        logger.exception("batch report %s: no space left for the zip", batch_id)
        attempt.errors.append("The server ran out of disk space for the zip; try again later, or ask for help.")
        attempt.finish(status=BatchReport.Status.FAILED)
    except Exception:
        logger.exception("batch report %s: stopped", batch_id)
        attempt.errors.append("The batch stopped on an unexpected error; try again or ask for help.")
        attempt.finish(status=BatchReport.Status.FAILED)


def _write_zip(spool, models, attempt: Attempt, *, done: int) -> int:
    """Each model's report into the zip; the number built."""
    built, names = 0, set()
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        for cost_model in models:
            practice = cost_model.practice
            try:
                subject = pdf.ReportSubject(
                    model_name=cost_model.name,
                    practice_name=practice.name,
                    ods_code=practice.ods_code,
                    list_size=practice.list_size,
                    description=cost_model.description,
                )
                content = pdf.render_pdf(
                    selectors.engine_model(cost_model), subject, decisions=decision_settings(cost_model)
                )
            except pdf.PdfUnavailable:
                raise  # no report can be made on this server: the batch stops
            except Exception:
                logger.exception("batch report %s: the report of cost model %s failed", attempt.batch_id, cost_model.pk)
                attempt.errors.append(f"{practice.name} ({practice.ods_code}), “{cost_model.name}”: the report failed.")
            else:
                archive.writestr(_filename(practice.ods_code, cost_model.name, names), content)
                built += 1
            done += 1
            attempt.progress(done)
        if attempt.errors:
            archive.writestr(NOT_INCLUDED_NAME, "Reports not in this zip:\n" + "\n".join(attempt.errors) + "\n")
    return built


class Attempt:
    """The writes of one delivery of a batch's task: each only while the batch is still this attempt's."""

    def __init__(self, batch_id: int, number: int):
        self.batch_id = batch_id
        self.number = number
        self.errors: list[str] = []

    def _mine(self):
        return BatchReport.objects.filter(pk=self.batch_id, attempts=self.number, status=BatchReport.Status.RUNNING)

    def progress(self, done: int) -> None:
        self._mine().update(done=done, errors="\n".join(self.errors), heartbeat_at=timezone.now())

    def finish(self, *, status: str, zip_file: str = "") -> None:
        finished = self._mine().update(
            status=status, zip_file=zip_file, errors="\n".join(self.errors), finished_at=timezone.now()
        )
        if not finished and zip_file:
            # The sweep or a later delivery took the batch over meanwhile: this zip is nobody's.
            BatchReport.zip_file.field.storage.delete(zip_file)


def _filename(ods_code: str, model_name: str, taken: set[str]) -> str:
    stem = f"{ods_code}-{slugify(model_name)[:80] or 'cost-model'}"
    name, n = f"{stem}.pdf", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.pdf"
    taken.add(name)
    return name
