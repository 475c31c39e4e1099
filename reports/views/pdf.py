from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from pathways import selectors
from practices.access import Permission, practice_access, scoped_get
from reports.pdf import PdfUnavailable, ReportSubject, render_pdf


@login_required
def model_pdf(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    """The model's PDF report (page 1 the summary, then the appendix); anyone who can see the model can download it."""
    return _pdf(request, ods_code, model_pk, summary_only=False)


@login_required
def model_summary_pdf(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    """Page 1 of the report on its own: the one-page summary for a partners' meeting."""
    return _pdf(request, ods_code, model_pk, summary_only=True)


def _pdf(request: HttpRequest, ods_code: str, model_pk: int, *, summary_only: bool) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    cost_model = scoped_get(selectors.cost_models(), access, pk=model_pk)
    practice = access.practice
    subject = ReportSubject.of(cost_model)
    decisions = None if summary_only else selectors.decision_settings(cost_model)
    try:
        pdf = render_pdf(selectors.engine_model(cost_model), subject, decisions=decisions, summary_only=summary_only)
    except PdfUnavailable as unavailable:
        context = {"message": str(unavailable), "cost_model": cost_model}
        return render(request, "reports/pdf_unavailable.html", context, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = "-summary" if summary_only else ""
    filename = f"{practice.ods_code}-{slugify(cost_model.name)[:80] or 'cost-model'}{suffix}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
