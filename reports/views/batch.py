"""Batch reports: a zip of every chosen practice's PDF, built by a background task.

Started by a facilitator from the roll-up (the same selection: filter and chosen
models). A batch is only ever visible to the user who started it: anyone
else gets a 404, whatever their role.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from practices.access import facilitator_access
from reports.models import BatchReport
from reports.selectors import own_batch, running_batch, select
from reports.services import batch_report_create


@login_required
@require_POST
def batch_report_start(request: HttpRequest) -> HttpResponse:
    facilitator_access(request.user)
    selection = select(request.user, request.POST, load=False)
    back = reverse("rollup") + (f"?{selection.query}" if selection.query else "")
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
def batch_report_detail(request: HttpRequest, batch_pk: int) -> HttpResponse:
    return render(request, "reports/batch_detail.html", {"batch": own_batch(request.user, batch_pk)})


@login_required
def batch_report_progress(request: HttpRequest, batch_pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx every second until the batch is finished."""
    return render(request, "reports/batch_progress.html", {"batch": own_batch(request.user, batch_pk)})


@login_required
def batch_report_download(request: HttpRequest, batch_pk: int) -> HttpResponse:
    batch = own_batch(request.user, batch_pk, with_archive=True)
    if batch.status != BatchReport.Status.DONE or not batch.archive:
        raise Http404("This batch has no zip (yet).")
    response = HttpResponse(bytes(batch.archive), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="practice-reports-{batch.created_at:%Y-%m-%d}-{batch.pk}.zip"'
    )
    return response
