"""Batch reports: a zip of every chosen practice's PDF, built by a background task.

Started by a facilitator from the roll-up (the same selection: filter and chosen
models). A batch is only ever visible to the user who started it: anyone
else gets a 404, whatever their role.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from practices.access import facilitator_access
from reports.models import BatchReport
from reports.selectors import own_batch, running_batch, select
from reports.services import batch_report_create, batch_report_retry, batch_reports_sweep


@login_required
@require_POST
def batch_report_start(request: HttpRequest) -> HttpResponse:
    facilitator_access(request.user)
    selection = select(request.user, request.POST, load=False)
    back = reverse("rollup") + (f"?{selection.query}" if selection.query else "")
    batch_reports_sweep(user=request.user)
    running = running_batch(request.user)
    if running is not None:
        messages.info(request, "Your previous batch of reports is still being built: here it is.")
        return redirect(running)
    batch = batch_report_create(selection=selection, by=request.user)
    if batch is None:
        messages.error(request, "None of the practices shown has a cost model: there is no report to build.")
        return redirect(back)
    return redirect(batch)


@login_required
@require_POST
def batch_report_retry_view(request: HttpRequest, batch_pk: int) -> HttpResponse:
    facilitator_access(request.user)
    batch = own_batch(request.user, batch_pk)
    if not batch.is_finished:
        return redirect(batch)
    return redirect(batch_report_retry(batch=batch, by=request.user))


def _context(request: HttpRequest, batch_pk: int) -> dict:
    """The user's batch, failed first if it was lost (so polling always ends)."""
    own_batch(request.user, batch_pk)  # 404 before anything is written for anyone else's
    batch_reports_sweep(user=request.user)
    return {"batch": own_batch(request.user, batch_pk), "retention_days": settings.BATCH_REPORT_RETENTION_DAYS}


@login_required
def batch_report_detail(request: HttpRequest, batch_pk: int) -> HttpResponse:
    return render(request, "reports/batch_detail.html", _context(request, batch_pk))


@login_required
def batch_report_progress(request: HttpRequest, batch_pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx every second until the batch is finished."""
    return render(request, "reports/batch_progress.html", _context(request, batch_pk))


@login_required
def batch_report_download(request: HttpRequest, batch_pk: int) -> HttpResponse:
    """The zip, streamed from storage (never read into memory whole)."""
    batch = own_batch(request.user, batch_pk)
    if batch.status != BatchReport.Status.DONE or not batch.zip_file:
        raise Http404("This batch has no zip (yet, or any more).")
    try:
        stream = batch.zip_file.open("rb")
    except FileNotFoundError:
        raise Http404("This batch's zip is no longer stored.") from None
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"practice-reports-{batch.created_at:%Y-%m-%d}-{batch.pk}.zip",
        content_type="application/zip",
    )
