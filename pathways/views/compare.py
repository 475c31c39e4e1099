"""The comparison page, the what-if panel, scenarios and the side-by-side page."""

import hashlib
import logging
from functools import cache as once
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from costing import charts, engine, exchange, overlay, presenter, whatif
from costing.selectors import pay_band_options
from pathways import selectors, services
from pathways.forms.whatif import ScenarioNameForm, WhatIfForm
from practices.access import Permission, practice_access, scoped_get

MAX_SIDE_BY_SIDE = 6


def _results_context(model: engine.CostModel, comparison: engine.Comparison) -> dict:
    """Everything the results part of the page shows: the presenter's figures (as the PDF's) and the charts."""
    return {**presenter.present(model, comparison).context(), "charts": charts.all_charts(comparison)}


def _load(request: HttpRequest, ods_code: str, model_pk: int, need: Permission):
    access = practice_access(request.user, ods_code, need)
    cost_model = scoped_get(selectors.cost_models(), access, pk=model_pk)
    return access, cost_model, selectors.engine_model(cost_model)


@login_required
def model_detail(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access, cost_model, model = _load(request, ods_code, model_pk, Permission.VIEW)
    form = WhatIfForm(model=model, version=cost_model.version, bands=pay_band_options())
    if request.htmx:
        return _render_page(request, access, cost_model, form, _results_context(model, engine.compare(model)), [])
    return _render_page(request, access, cost_model, form, {"results_html": results_html(model)}, [])


# The results part of a model's page (headline, tables, charts) is the same for everyone who may see the model,
# and is a function of the model as the engine costs it and of the code that draws it: it is cached under a
# digest of both, so no edit, role rate or reference figure can be missed (a changed model is another key), and
# a new release draws afresh. Under load (make load, 50 users) rendering it was most of each page's time.
RESULTS_CACHE_SECONDS = 60 * 60
logger = logging.getLogger(__name__)


def results_html(model: engine.CostModel) -> str:
    """The results part of the page for ``model`` as saved: from the cache, or costed, drawn and cached."""
    key = f"compare:results:{_code_digest()}:{hashlib.sha256(repr(model).encode()).hexdigest()}"
    try:
        html = cache.get(key)
    except Exception:  # a cache is a help, never a need
        logger.warning("results not read from the cache: the cache failed", exc_info=True)
        html = None
    if html is None:
        html = render_to_string("pathways/compare/_results.html", _results_context(model, engine.compare(model)))
        try:
            cache.set(key, html, RESULTS_CACHE_SECONDS)
        except Exception:
            logger.warning("results not cached: the cache failed", exc_info=True)
    return mark_safe(html)  # noqa: S308 - our own template's output


@once
def _code_digest() -> str:
    """The templates' and the costing and pathways code's files as deployed (names, sizes, times), once a process."""
    root = Path(settings.BASE_DIR)
    files = sorted(
        p
        for folder in ("templates", "costing", "pathways")
        for p in (root / folder).rglob("*")
        if p.suffix in {".html", ".py"}
    )
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def _family(cost_model) -> dict:
    """A scenario's base and its differences in words; a model's scenarios (and whether it is the baseline)."""
    if cost_model.is_scenario:
        return {
            "base": cost_model.based_on,
            "differences": overlay.describe(
                selectors.base_engine_model(cost_model), selectors.scenario_overlay(cost_model)
            ),
        }
    return {"scenarios": selectors.scenarios_of(cost_model=cost_model)}


def _render_page(request, access, cost_model, form, results: dict, changes, status=200) -> HttpResponse:
    context = {
        "access": access,
        "practice": access.practice,
        "cost_model": cost_model,
        "family": _family(cost_model),
        "form": form,
        "changes": changes,
        "scenario_form": ScenarioNameForm(initial={"scenario_name": f"{cost_model.name} (what if)"}),
        "original": None if not changes else selectors.compare_loaded(cost_model),
        **results,
    }
    if request.htmx:
        # htmx swaps only successful responses: field errors travel out of band.
        return render(request, "pathways/compare/_whatif_response.html", context)
    return render(request, "pathways/compare/model_detail.html", context, status=status)


@login_required
def model_whatif(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    """Recost with the panel's changes; nothing is saved. htmx gets the results part only."""
    access, cost_model, model = _load(request, ods_code, model_pk, Permission.VIEW)
    data = request.POST if request.method == "POST" else request.GET
    if not data:
        return redirect(cost_model.get_absolute_url())
    form = WhatIfForm(data, model=model, version=cost_model.version, bands=pay_band_options())
    if not form.is_valid():
        return _render_page(request, access, cost_model, form, _results_context(model, engine.compare(model)), [], 422)
    if form.cleaned_data["version"] != cost_model.version:
        messages.warning(request, "This model was changed by someone else; the panel now shows the current model.")
        return redirect(cost_model.get_absolute_url())
    changes = form.whatif()
    changed = whatif.apply(model, changes)
    results = _results_context(changed, engine.compare(changed))
    return _render_page(request, access, cost_model, form, results, whatif.describe(model, changes))


@login_required
@require_POST
def model_whatif_save(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    """Save the panel's changes as a new model (a scenario based on this one)."""
    access, cost_model, model = _load(request, ods_code, model_pk, Permission.EDIT)
    form = WhatIfForm(request.POST, model=model, version=cost_model.version, bands=pay_band_options())
    name_form = ScenarioNameForm(request.POST)
    if not form.is_valid() or not name_form.is_valid():
        messages.error(request, "The scenario was not saved: correct the highlighted figures and its name.")
        return _render_page(request, access, cost_model, form, _results_context(model, engine.compare(model)), [], 422)
    if form.cleaned_data["version"] != cost_model.version:
        messages.warning(request, "This model was changed by someone else meanwhile; nothing was saved.")
        return redirect(cost_model.get_absolute_url())
    try:
        scenario = services.scenario_save(
            cost_model=cost_model,
            model=model,
            changes=form.whatif(),
            name=name_form.cleaned_data["scenario_name"],
            by=request.user,
        )
    except services.ScenarioOfScenario:
        form.add_error("scale", "With this scenario's own patient scale that is outside × 0.5 to × 3: choose another.")
        messages.error(request, "The scenario was not saved: correct the highlighted figures.")
        return _render_page(request, access, cost_model, form, _results_context(model, engine.compare(model)), [], 422)
    messages.success(request, f"Saved as scenario “{scenario.name}”.")
    return redirect(scenario.get_absolute_url())


@login_required
def model_export(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    _access, cost_model, model = _load(request, ods_code, model_pk, Permission.VIEW)
    if model.patient_scale != 1:
        messages.error(
            request,
            f"“{cost_model.name}” scales patient numbers by {model.patient_scale.normalize()}, which a model file "
            "cannot hold (it counts whole people): download its base's file instead.",
        )
        return redirect(cost_model.get_absolute_url())
    response = HttpResponse(exchange.dumps(model), content_type="application/json; charset=utf-8")
    filename = slugify(cost_model.name)[:80] or "cost-model"
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response


@login_required
def scenario_compare(request: HttpRequest, ods_code: str) -> HttpResponse:
    """Two or more models of a practice side by side."""
    access = practice_access(request.user, ods_code, Permission.VIEW)
    available = selectors.cost_models_by_name(practice=access.practice)
    wanted = {v for v in request.GET.getlist("m") if v.isdigit()}
    chosen = [m for m in available if str(m.pk) in wanted][:MAX_SIDE_BY_SIDE]
    columns = []
    if chosen:
        loaded = selectors.compared_models(practice=access.practice, ids=[m.pk for m in chosen])
        # The first column is the one the others are measured against: a model in its own right
        # (the baseline first) before any scenario.
        loaded.sort(key=lambda m: (m.is_scenario, not m.is_baseline, m.name, m.pk))
        for cost_model in loaded:
            columns.append({"model": cost_model, "c": selectors.compare_loaded(cost_model)})
    rows = presenter.side_by_side([col["c"] for col in columns])
    chart = None
    if columns:
        chart = charts.scenarios(
            [col["model"].name for col in columns],
            [col["c"].before.cost for col in columns],
            [col["c"].after.cost for col in columns],
        )
    return render(
        request,
        "pathways/compare/scenario_compare.html",
        {
            "access": access,
            "practice": access.practice,
            "available": available,
            "chosen_ids": {m.pk for m in chosen},
            "columns": columns,
            "rows": [{"row": row, "cells": list(zip(row.values, row.differences, strict=True))} for row in rows],
            "chart": chart,
            "too_few": len(chosen) < 2 and bool(wanted),
            "max_models": MAX_SIDE_BY_SIDE,
        },
    )
