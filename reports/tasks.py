"""Background tasks: a facilitator's batch of PDF reports, one per practice, as a zip."""

from __future__ import annotations

import io
import logging
import zipfile

from celery import shared_task
from django.utils import timezone
from django.utils.text import slugify

from pathways import selectors
from pathways.selectors import decision_settings
from reports import pdf
from reports.models import BatchReport

logger = logging.getLogger(__name__)

NOT_INCLUDED_NAME = "not-included.txt"


@shared_task(ignore_result=True)
def build_batch_report(batch_id: int) -> None:
    """Celery entry point; the work is in run_batch."""
    run_batch(batch_id)


def run_batch(batch_id: int) -> None:
    """Render each chosen model's PDF into a zip, updating done/total after each practice.

    Only a queued batch runs (a redelivered task does nothing). A model the
    facilitator is no longer assigned to, or that has gone, and a report that
    fails are each named in ``errors``; the others are still in the zip.
    """
    claimed = BatchReport.objects.filter(pk=batch_id, status=BatchReport.Status.QUEUED).update(
        status=BatchReport.Status.RUNNING
    )
    if not claimed:
        logger.info("batch report %s: not queued, nothing to do", batch_id)
        return
    batch = BatchReport.objects.defer("archive").get(pk=batch_id)
    errors = batch.error_lines
    try:
        models = list(
            selectors.cost_models()
            .filter(pk__in=batch.model_ids, practice__assignments__facilitator__user_id=batch.user_id)
            .order_by("practice__name", "practice__ods_code", "id")
        )
        found = {m.pk for m in models}
        gone = [pk for pk in batch.model_ids if pk not in found]
        errors += [f"Cost model #{pk}: no longer there or no longer one of your practices'; no report." for pk in gone]
        done = len(gone)
        _progress(batch_id, done, errors)

        buffer, built, names = io.BytesIO(), 0, set()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
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
                    raise  # no report can be made on this server: the batch stops (below)
                except Exception:
                    logger.exception("batch report %s: the report of cost model %s failed", batch_id, cost_model.pk)
                    errors.append(f"{practice.name} ({practice.ods_code}), “{cost_model.name}”: the report failed.")
                else:
                    archive.writestr(_filename(practice.ods_code, cost_model.name, names), content)
                    built += 1
                done += 1
                _progress(batch_id, done, errors)
            if errors:
                archive.writestr(NOT_INCLUDED_NAME, "Reports not in this zip:\n" + "\n".join(errors) + "\n")
        BatchReport.objects.filter(pk=batch_id).update(
            status=BatchReport.Status.DONE if built else BatchReport.Status.FAILED,
            archive=buffer.getvalue() if built else None,
            finished_at=timezone.now(),
        )
    except pdf.PdfUnavailable as unavailable:
        # Already logged; the message says what the server needs installed.
        errors.append(str(unavailable))
        _failed(batch_id, errors)
    except Exception:
        logger.exception("batch report %s: stopped", batch_id)
        errors.append("The batch stopped on an unexpected error; try again or ask for help.")
        _failed(batch_id, errors)


def _progress(batch_id: int, done: int, errors: list[str]) -> None:
    BatchReport.objects.filter(pk=batch_id).update(done=done, errors="\n".join(errors))


def _failed(batch_id: int, errors: list[str]) -> None:
    BatchReport.objects.filter(pk=batch_id).update(
        status=BatchReport.Status.FAILED, errors="\n".join(errors), finished_at=timezone.now()
    )


def _filename(ods_code: str, model_name: str, taken: set[str]) -> str:
    stem = f"{ods_code}-{slugify(model_name)[:80] or 'cost-model'}"
    name, n = f"{stem}.pdf", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.pdf"
    taken.add(name)
    return name
