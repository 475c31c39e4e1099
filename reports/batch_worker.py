"""What a pool process needs to render one report of a batch (BATCH_REPORT_MODE "processes").

Importable before Django is set up: the pool's processes are started fresh
("spawn"), not forked from a process with threads and open database
connections, so this module's ``setup`` (the pool's initializer) sets Django up
in each of them. A job carries everything its report needs, read by the process
that runs the batch: the worker reads no database.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One report to render: the engine's model, who it is about, its decision inputs, its name in the zip."""

    model_pk: int
    filename: str
    failed: str  # the line naming it in the batch's errors, should it fail
    model: Any  # costing.engine.CostModel; None if it could not be read
    subject: Any  # reports.pdf.ReportSubject
    decisions: Any  # costing.decisions.settings.DecisionSettings


def setup() -> None:
    """The pool's initializer: Django set up in a fresh process (nothing inherited to close), ready to render."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    ready_to_render()


def ready_to_render() -> None:
    """For a process that renders reports (a pool's, a Celery worker's): WeasyPrint loaded, and everything
    loaded so far kept out of the cycle collector's full passes, as config/wsgi.py does for a web worker:
    render_pdf pauses the collector while a report is made and runs it once after, and that one pass
    then walks the report's objects, not Django, the app and WeasyPrint again."""
    from reports import pdf

    with contextlib.suppress(pdf.PdfUnavailable):  # logged; each job says so (render)
        pdf.load_pdf_writer()
    gc.collect()
    gc.freeze()


def render(job: Job) -> bytes | None:
    """The job's PDF, or None (logged) if it failed; PdfUnavailable stops the batch."""
    from reports import pdf

    if job.model is None:
        return None  # it could not be read (logged)
    try:
        return pdf.render_pdf(job.model, job.subject, decisions=job.decisions)
    except pdf.PdfUnavailable:
        raise  # no report can be made on this server
    except Exception:
        logger.exception("batch report: the report of cost model %s failed", job.model_pk)
        return None
