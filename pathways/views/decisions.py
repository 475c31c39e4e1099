"""Decision support: what moves a model's saving, how sure it is, payback, capacity; the cohort estimator."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from costing.decisions import charts as decision_charts
from costing.decisions import estimator
from costing.decisions.settings import DecisionResults, analyse
from pathways import selectors, services
from pathways.forms.decisions import (
    DecisionInputsForm,
    EstimatorForm,
    SetupCostFormSet,
    setup_initial,
)
from practices.access import Permission, practice_access, scoped_get

READ_METHODS = ("GET", "HEAD")
EDIT_METHODS = ("GET", "HEAD", "POST")


def _method_not_allowed(request: HttpRequest, allowed: tuple[str, ...]) -> HttpResponse | None:
    """A 405 for any other method (checked after practice_access, so an outsider still gets 404)."""
    if request.method in allowed:
        return None
    response = HttpResponse(status=405)
    response["Allow"] = ", ".join(allowed)
    return response


def decisions_context(results: DecisionResults) -> dict:
    """What the decision support page shows, from one analysis."""
    c = results.comparison
    sim = results.simulation
    charts = {
        "chart-tornado": decision_charts.tornado(results.tornado, c.saving, c.period),
        "chart-capacity": decision_charts.capacity_freed(results.capacity),
    }
    if results.histogram:
        charts["chart-montecarlo"] = decision_charts.saving_histogram(
            results.histogram, p5=sim.p5, median=sim.median, p95=sim.p95, draws=sim.draws, period=c.period
        )
    return {
        "r": results,
        "per_period": results.per_period,
        "appointment_lengths": results.appointment_lengths,
        "c": c,
        "s": results.settings,
        "sim": sim,
        "probability_percent": results.probability_percent,
        "decision_charts": charts,
    }


@login_required
def model_decisions(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    if refused := _method_not_allowed(request, READ_METHODS):
        return refused
    cost_model = scoped_get(selectors.cost_models(), access, pk=model_pk)
    model = selectors.engine_model(cost_model)
    comparison = selectors.compare_loaded(cost_model)  # also keeps the totals for the lists of models
    settings = selectors.decision_settings(cost_model)
    context = {
        "access": access,
        "practice": access.practice,
        "cost_model": cost_model,
        "stored": selectors.stored_inputs(cost_model) is not None,
        **decisions_context(analyse(model, comparison, settings)),
    }
    return render(request, "pathways/decisions/model_decisions.html", context)


@login_required
def model_decisions_edit(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    if refused := _method_not_allowed(request, EDIT_METHODS):
        return refused
    practice = access.practice
    cost_model = scoped_get(selectors.cost_models(), access, pk=model_pk)
    form_kwargs = {"practice": practice}
    status = 200
    if request.method == "POST":
        form = DecisionInputsForm(request.POST, prefix="inputs")
        setup = SetupCostFormSet(request.POST, prefix="setup", form_kwargs=form_kwargs)
        if form.is_valid() and setup.is_valid():
            services.decision_inputs_save(
                cost_model=cost_model,
                values=form.values(),
                setup_costs=[row.as_input() for row in setup.rows()],
            )
            messages.success(request, f"Saved the decision support inputs of “{cost_model.name}”.")
            return redirect("model_decisions", ods_code=practice.ods_code, model_pk=cost_model.pk)
        status = 422
    else:
        settings = selectors.decision_settings(cost_model)
        form = DecisionInputsForm(initial=DecisionInputsForm.initial_from(settings), prefix="inputs")
        setup = SetupCostFormSet(
            initial=setup_initial(selectors.setup_cost_rows(cost_model)),
            prefix="setup",
            form_kwargs=form_kwargs,
        )
    return render(
        request,
        "pathways/decisions/model_decisions_edit.html",
        {
            "access": access,
            "practice": practice,
            "cost_model": cost_model,
            "form": form,
            "setup": setup,
            "has_errors": status != 200,
        },
        status=status,
    )


@login_required
def cohort_estimator(request: HttpRequest, ods_code: str) -> HttpResponse:
    """Proposed register sizes and before-side patients from the list size and prevalence (nothing saved)."""
    access = practice_access(request.user, ods_code, Permission.VIEW)
    if refused := _method_not_allowed(request, READ_METHODS):
        return refused
    practice = access.practice
    conditions = list(selectors.conditions())
    submitted = "list_size" in request.GET
    form = EstimatorForm(
        request.GET if submitted else None,
        initial={"list_size": practice.list_size or 0},
        conditions=conditions,
    )
    estimates = None
    if submitted and form.is_valid():
        list_size, registers = form.cleaned_data["list_size"], form.registers()
    elif not submitted:
        list_size, registers = practice.list_size or 0, {}
    else:
        list_size = registers = None
    if list_size is not None:
        estimates = estimator.estimate_cohorts(
            list_size,
            {c.code: c.prevalence_percent for c in conditions},
            registers,
            names={c.code: c.name for c in conditions},
        )
    names = {c.code: c.name for c in conditions}
    return render(
        request,
        "pathways/decisions/cohort_estimator.html",
        {
            "access": access,
            "practice": practice,
            "form": form,
            "estimates": estimates,
            "missing": [names.get(code, code) for code in estimates.no_prevalence] if estimates else [],
        },
    )
