"""Decision support: what moves a model's saving, how sure it is, payback, capacity; the cohort estimator."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from costing import limits
from costing.decisions import charts as decision_charts
from costing.decisions import estimator
from costing.decisions.settings import DecisionResults
from pathways import selectors, services
from pathways.forms.decisions import (
    DecisionInputsForm,
    EstimateAcceptForm,
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
    settings = selectors.decision_settings(cost_model)
    context = {
        "access": access,
        "practice": access.practice,
        "cost_model": cost_model,
        "stored": selectors.stored_inputs(cost_model) is not None,
        # Cached by the model's version; made afresh, it also keeps the totals for the lists of models.
        **decisions_context(selectors.decision_results(cost_model, settings)),
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


def _estimate(form: EstimatorForm, conditions: list) -> estimator.CohortEstimates | None:
    """The proposal from a valid form (None otherwise); people figures the registers rule out go
    beside their fields."""
    if not form.is_valid():
        return None
    estimates = estimator.estimate_cohorts(
        form.cleaned_data["list_size"],
        {c.code: c.prevalence_percent for c in conditions},
        form.registers(),
        names={c.code: c.name for c in conditions},
        min_ages={c.code: c.denominator_min_age for c in conditions},
        age_lists=form.age_lists(),
    )
    try:
        estimator.count_people(
            [e.register for e in estimates.conditions],
            people=form.cleaned_data.get("people"),
            multimorbid=form.cleaned_data.get("multimorbid"),
        )
    except estimator.PeopleError as exc:
        form.add_error(exc.field, str(exc))
        return None
    return estimates


def _estimator_page(request, access, form, conditions, estimates, accept=None, status=200) -> HttpResponse:
    names = {c.code: c for c in conditions}
    if estimates is not None and accept is None and access.can_edit:
        accept = _accept_form(None, access.practice, estimates)
    people = None
    if estimates is not None:
        people = estimator.count_people(
            [e.register for e in estimates.conditions],
            people=form.cleaned_data.get("people"),
            multimorbid=form.cleaned_data.get("multimorbid"),
        )
    return render(
        request,
        "pathways/decisions/cohort_estimator.html",
        {
            "access": access,
            "practice": access.practice,
            "form": form,
            "estimates": estimates,
            "people": people,
            "rows": [
                (e, names.get(e.code), accept.pathway_field(e.code) if accept else None) for e in estimates.conditions
            ]
            if estimates
            else [],
            "accept": accept,
            "hidden": form.hidden_values() if estimates is not None else [],
            "has_pathways": selectors.has_pathways(practice=access.practice) if accept is not None else True,
            "missing": [names.get(code, code) for code in estimates.no_prevalence] if estimates else [],
            "needs_age_list": [(names.get(code), age) for code, age in estimates.needs_age_list] if estimates else [],
            "sources": [c for c in conditions if c.prevalence_percent is not None],
        },
        status=status,
    )


def _accept_form(data, practice, estimates: estimator.CohortEstimates) -> EstimateAcceptForm:
    return EstimateAcceptForm(
        data,
        practice=practice,
        codes=[e.code for e in estimates.conditions],
        models=selectors.cost_models_by_name(practice=practice),
        pathways=selectors.practice_pathways(practice=practice),
    )


@login_required
def cohort_estimator(request: HttpRequest, ods_code: str) -> HttpResponse:
    """Proposed registers, reviews and people from the list size and prevalence; an editor accepts
    the proposal with cohort_estimate_accept."""
    access = practice_access(request.user, ods_code, Permission.VIEW)
    if refused := _method_not_allowed(request, READ_METHODS):
        return refused
    practice = access.practice
    conditions = list(selectors.conditions())
    submitted = "list_size" in request.GET
    form = EstimatorForm(
        request.GET if submitted else {"list_size": practice.list_size or 0},
        conditions=conditions,
    )
    return _estimator_page(request, access, form, conditions, _estimate(form, conditions))


@login_required
def cohort_estimate_accept(request: HttpRequest, ods_code: str) -> HttpResponse:
    """Create the proposal's cohorts in a chosen or new model (POST only); errors go back to the page."""
    access = practice_access(request.user, ods_code, Permission.EDIT)
    if refused := _method_not_allowed(request, ("POST",)):
        return refused
    practice = access.practice
    conditions = list(selectors.conditions())
    form = EstimatorForm(request.POST, conditions=conditions)
    estimates = _estimate(form, conditions)
    if estimates is None:
        return _estimator_page(request, access, form, conditions, None, status=422)
    accept = _accept_form(request.POST, practice, estimates)
    if accept.is_valid():
        chosen = accept.chosen()
        after = estimator.AfterPlan(accept.cleaned_data["after"])
        try:
            plan = estimator.plan_cohorts(
                estimates,
                period=accept.model_period(),
                include=list(chosen),
                after=after,
                people=form.cleaned_data.get("people"),
                multimorbid=form.cleaned_data.get("multimorbid"),
            )
        except estimator.PeopleError as exc:
            accept.add_error("after", str(exc))
        else:
            target = accept.cost_model()
            limit = limits.MAX_COHORTS_PER_SIDE
            counts = selectors.side_counts(cost_model=target) if target is not None else {}
            if any(
                counts.get(side, 0) + len(new) > limit for side, new in (("before", plan.before), ("after", plan.after))
            ):
                accept.add_error("target", f"This model would have more than {limit:,} cohorts on a side.")
            else:
                after_pathways = {
                    "after": accept.cleaned_data.get("after_pathway"),
                    "after-multi": accept.cleaned_data.get("after_pathway_multi"),
                }
                by_code = {c.code: c for c in conditions}
                cost_model = services.cohort_estimate_accept(
                    practice=practice,
                    before=[
                        services.CohortInput(
                            label=c.label,
                            patients=c.patients,
                            pathway=chosen[c.key],
                            conditions=tuple(by_code[code] for code in c.conditions if code in by_code),
                        )
                        for c in plan.before
                    ],
                    after=[
                        services.CohortInput(label=c.label, patients=c.patients, pathway=after_pathways[c.key])
                        for c in plan.after
                    ],
                    note=estimator_note(estimates, plan),
                    cost_model=target,
                    name=accept.cleaned_data.get("name", "").strip(),
                    period=accept.model_period().value,
                    by=request.user,
                )
                messages.success(
                    request,
                    f"Added {len(plan.before) + len(plan.after)} cohorts to “{cost_model.name}”: "
                    f"{plan.people.registrations:,} register entries count reviews, one per register, not people.",
                )
                return redirect(cost_model.get_absolute_url())
    return _estimator_page(request, access, form, conditions, estimates, accept=accept, status=422)


def estimator_note(estimates: estimator.CohortEstimates, plan: estimator.Plan) -> str:
    """The model's description line: where the cohorts came from and what they count."""
    bands = "".join(f", aged {age}+ {size:,}" for age, size in estimates.age_lists)
    return (
        f"From the cohort estimator: list size {estimates.list_size:,}{bands}; each prevalence applied to its "
        "own list. " + " ".join(plan.notes)
    )
