"""A facilitator's roll-up of all their assigned practices: page, chart and spreadsheet.

Not practice-scoped: the practices are those assigned to the requesting
facilitator (never memberships, never anyone else's), and anyone who is not a
facilitator gets a 403. What is shown is read by reports.selectors.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from practices.access import facilitator_access
from reports import rollup
from reports.selectors import build_rollup, recent_batches, select
from reports.views.sheets import XLSX, xlsx_or_503

# Practices a page: an ICB's few hundred on one or two pages, a national roll-up's thousands in pages
# of a readable size (all 6,500 on one page were 8.6 MB of HTML). The totals, the workbook and the
# batch of reports are of every practice, whatever the page.
PAGE_SIZE = 200


@login_required
def rollup_page(request: HttpRequest) -> HttpResponse:
    facilitator_access(request.user)
    selection = select(request.user, request.GET)
    result = build_rollup(selection)
    paginator = Paginator(list(zip(selection.choices, result.rows, strict=True)), PAGE_SIZE)
    page = paginator.get_page(_page_number(request.GET.get("page")))  # past the end: the last
    on_page = {choice.param for choice, _ in page}
    charted = [row for _, row in page if row.annual is not None]
    return render(
        request,
        "reports/rollup.html",
        {
            "selection": selection,
            "rows": page,
            "page": page,
            "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            # Models picked for practices on other pages, kept when this page's choices are sent.
            "carried": [(param, pk) for param, pk in selection.explicit.items() if param not in on_page],
            "result": result,
            "chart": rollup.chart(charted) if charted else None,
            "batches": recent_batches(request.user),
        },
    )


def _page_number(raw: str | None) -> int:
    """The page asked for: not a whole number, or below 1, is the first."""
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


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
