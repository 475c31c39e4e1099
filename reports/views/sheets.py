"""Spreadsheets: a model and its results as XLSX or CSV, and cohorts imported from CSV or XLSX."""

import logging
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.text import slugify

from costing import engine, tables
from pathways import selectors
from pathways.models import CostModel
from pathways.services import CohortInput, ModelTooLarge, cohorts_import
from practices.access import Permission, practice_access, scoped_get
from reports import spreadsheets
from reports.forms import CohortImportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

logger = logging.getLogger(__name__)


def xlsx_or_503(request: HttpRequest, build: Callable[[], bytes], back: str) -> bytes | HttpResponse:
    """An XLSX workbook, or a page that says the server has no room to make one (503, logged).

    openpyxl writes each sheet to a temporary file: with the temporary folder
    full (or unwritable) that fails with an OSError, which is the server's
    trouble, not the user's, and not a 500.
    """
    try:
        return build()
    except OSError:
        logger.exception("XLSX export: no room in the temporary folder")
        return render(request, "reports/no_space.html", {"back": back}, status=503)


def _download(body, content_type: str, cost_model: CostModel, extension: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    name = f"{cost_model.practice.ods_code}-{slugify(cost_model.name)[:80] or 'cost-model'}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def model_xlsx(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    cost_model = scoped_get(selectors.cost_models(), access, pk=model_pk)
    model = selectors.engine_model(cost_model)
    body = xlsx_or_503(
        request, lambda: spreadsheets.workbook(model, engine.compare(model)), cost_model.get_absolute_url()
    )
    if isinstance(body, HttpResponse):
        return body
    return _download(body, XLSX, cost_model, "xlsx")


@login_required
def model_csv(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    cost_model = scoped_get(selectors.cost_models(), access, pk=model_pk)
    comparison = engine.compare(selectors.engine_model(cost_model))
    body = spreadsheets.results_csv(cost_model.name, comparison)
    return _download(body, "text/csv; charset=utf-8", cost_model, "csv")


@login_required
def cohort_import(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    cost_model = scoped_get(CostModel.objects.all(), access, pk=model_pk)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if cost_model.is_scenario:
        messages.info(request, f"“{cost_model.name}” is a scenario: its cohorts are its base's. Import them there.")
        return redirect(cost_model.get_absolute_url())
    form = CohortImportForm(request.POST or None, request.FILES or None)
    errors: list[tables.CellError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        pathways = {p.key.lower(): p for p in selectors.practice_pathways(practice=access.practice)}
        lookup = {key: p.key for key, p in pathways.items()} | {p.name.lower(): p.key for p in pathways.values()}
        conditions = {c.code: c for c in selectors.conditions()}
        try:
            table = tables.read_table(upload.read(), upload.name)
            rows = spreadsheets.parse_cohorts(
                table,
                pathways=lookup,
                conditions=set(conditions),
                default_side=form.cleaned_data["default_side"] or None,
            )
        except tables.SheetError as exc:
            errors = exc.errors
        else:
            by_key = {p.key: p for p in pathways.values()}
            try:
                cohorts_import(
                    cost_model=cost_model,
                    rows=[
                        CohortInput(
                            label=r.label,
                            patients=r.patients,
                            times=r.times,
                            exceptions=r.exceptions,
                            pathway=by_key[r.pathway],
                            conditions=tuple(conditions[c] for c in r.conditions),
                        )
                        for r in rows
                    ],
                    sides=[r.side for r in rows],
                    replace=form.cleaned_data["replace"],
                    by=request.user,
                )
            except ModelTooLarge as exc:
                errors = [tables.CellError(0, "pathway", str(exc))]
            else:
                messages.success(request, f"Imported {len(rows)} cohort{'s' if len(rows) != 1 else ''}.")
                return redirect(cost_model.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "reports/cohort_import.html",
        {"access": access, "practice": access.practice, "cost_model": cost_model, "form": form, "errors": errors},
        status=status,
    )
