"""A facilitator's roll-up of all their assigned practices: page, chart and spreadsheet.

Not practice-scoped: the practices are those assigned to the requesting
facilitator (never memberships, never anyone else's), and anyone who is not a
facilitator gets a 403. What is shown is read by reports.selectors.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from practices.access import facilitator_access
from reports import rollup
from reports.selectors import build_rollup, recent_batches, select
from reports.views.sheets import XLSX, xlsx_or_503


@login_required
def rollup_page(request: HttpRequest) -> HttpResponse:
    facilitator_access(request.user)
    selection = select(request.user, request.GET)
    result = build_rollup(selection)
    batches = recent_batches(request.user)
    return render(
        request,
        "reports/rollup.html",
        {
            "selection": selection,
            "rows": list(zip(selection.choices, result.rows, strict=True)),
            "result": result,
            "chart": rollup.chart(result),
            "batches": batches,
        },
    )


@login_required
def rollup_export(request: HttpRequest) -> HttpResponse:
    """The roll-up table as a spreadsheet (numbers as numbers, text never a formula)."""
    facilitator_access(request.user)
    selection = select(request.user, request.GET)
    result = build_rollup(selection)
    back = reverse("rollup") + (f"?{selection.query}" if selection.query else "")
    body = xlsx_or_503(request, lambda: rollup.xlsx(result), back)
    if isinstance(body, HttpResponse):
        return body
    response = HttpResponse(body, content_type=XLSX)
    filename = f"practice-rollup-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
