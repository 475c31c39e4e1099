"""Batch reports: a zip of every chosen practice's PDF, built by a background task.

Started by a facilitator from the roll-up (the same selection: filter and chosen
models). A batch is only ever visible to the user who started it: anyone
else gets a 404, whatever their role.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from reports.models import BatchReport
from reports.selectors import select
from reports.tasks import build_batch_report
from reports.views.rollup import facilitator_required

# A batch still queued or running after this long is taken to have been lost (a worker died).
STALE_AFTER = timedelta(minutes=30)


def _own_batch(request: HttpRequest, batch_pk: int, *, with_archive: bool = False) -> BatchReport:
    queryset = BatchReport.objects.filter(user=request.user)
    if not with_archive:
        queryset = queryset.defer("archive")
    return get_object_or_404(queryset, pk=batch_pk)


@login_required
@require_POST
def batch_report_start(request: HttpRequest) -> HttpResponse:
    facilitator_required(request)
    selection = select(request.user, request.POST, load=False)
    back = reverse("rollup") + (f"?{selection.query}" if selection.query else "")
    running = (
        BatchReport.objects.filter(
            user=request.user,
            status__in=[BatchReport.Status.QUEUED, BatchReport.Status.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .defer("archive")
        .first()
    )
    if running is not None:
        messages.info(request, "Your previous batch of reports is still being built: here it is.")
        return redirect(running)
    model_ids = list(dict.fromkeys(m.pk for m in selection.chosen_models))
    if not model_ids:
        messages.error(request, "None of the practices shown has a cost model: there is no report to build.")
        return redirect(back)
    notes = [
        f"{c.practice.name} ({c.practice.ods_code}): no cost model, so no report."
        for c in selection.choices
        if c.chosen is None
    ]
    with transaction.atomic():
        batch = BatchReport.objects.create(
            user=request.user, model_ids=model_ids, total=len(model_ids), errors="\n".join(notes)
        )
        transaction.on_commit(lambda: build_batch_report.delay(batch.pk))
    return redirect(batch)


@login_required
def batch_report_detail(request: HttpRequest, batch_pk: int) -> HttpResponse:
    return render(request, "reports/batch_detail.html", {"batch": _own_batch(request, batch_pk)})


@login_required
def batch_report_progress(request: HttpRequest, batch_pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx every second until the batch is finished."""
    return render(request, "reports/batch_progress.html", {"batch": _own_batch(request, batch_pk)})


@login_required
def batch_report_download(request: HttpRequest, batch_pk: int) -> HttpResponse:
    batch = _own_batch(request, batch_pk, with_archive=True)
    if batch.status != BatchReport.Status.DONE or not batch.archive:
        raise Http404("This batch has no zip (yet).")
    response = HttpResponse(bytes(batch.archive), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="practice-reports-{batch.created_at:%Y-%m-%d}-{batch.pk}.zip"'
    )
    return response
