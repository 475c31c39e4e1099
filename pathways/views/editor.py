"""The pathway and cost model editors, model file import, scenarios.

The editors' lists (stages; before and after cohorts) are formsets whose rows
can be added, removed and moved. Without JavaScript each of those is a submit
button (``action=up:stages:2``): the page comes back with the rows changed and
nothing saved. static/js/editor.js does the same in the page. Only ``Save``
writes, through pathways/services.py, in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from costing import engine, exchange, limits
from costing.templatetags.costing_tags import gbp, minutes
from pathways import selectors, services
from pathways.forms import postage
from pathways.forms.editor import (
    CohortFormSet,
    CostModelForm,
    ModelImportForm,
    PathwayCreateForm,
    PathwayForm,
    RoleMappingForm,
    StageFormSet,
    model_file_error_message,
    template_roles,
)
from pathways.models import Cohort, CostModel, Pathway
from pathways.views.pathways import pathway_result
from practices import selectors as practice_selectors
from practices.access import Permission, practice_access, scoped_get
from practices.concurrency import EditConflict

ACTION = re.compile(r"^(add|remove|up|down):([a-z]+)(?::(\d{1,4}))?$")


# ------------------------------------------------------------ list row actions


@dataclass(frozen=True)
class Focus:
    """Where the keyboard focus goes after a row action without JavaScript."""

    prefix: str
    index: int
    control: str


def _raw_rows(data: QueryDict, formset_class, prefix: str) -> list[dict]:
    """The rows of a submitted formset as they were typed, unvalidated."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    total = max(0, min(total, formset_class.absolute_max))
    rows = []
    for i in range(total):
        row = {}
        for name in formset_class.fields:
            key = f"{prefix}-{i}-{name}"
            row[name] = data.getlist(key) if name in formset_class.multi_fields else data.get(key, "")
        rows.append(row)
    return rows


def _apply_action(rows: list[dict], op: str, index: int | None, prefix: str, max_rows: int) -> Focus | None:
    """Add, remove or move a row in place; where the focus should go afterwards."""
    if op == "add":
        if len(rows) >= max_rows:
            return None
        rows.append({})
        return Focus(prefix, len(rows) - 1, "first")
    if index is None or not 0 <= index < len(rows):
        return None
    if op == "remove":
        del rows[index]
        return Focus(prefix, min(index, len(rows) - 1), "remove") if rows else Focus(prefix, -1, "add")
    target = index - 1 if op == "up" else index + 1
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
        return Focus(prefix, target, op)
    return Focus(prefix, index, op)


def _row_action(request: HttpRequest, prefixes: tuple[str, ...]) -> tuple[str, str, int | None] | None:
    """The row action a submit button asked for, or None for Save."""
    match = ACTION.match(request.POST.get("action", ""))
    if match is None or match.group(2) not in prefixes:
        return None
    index = match.group(3)
    return match.group(1), match.group(2), int(index) if index is not None else None


def _focus_first(formset, focus: Focus | None):
    """After adding a row without JavaScript, the keyboard focus goes to its first field."""
    if focus is not None and focus.control == "first" and focus.prefix == formset.prefix:
        form = formset.forms[focus.index]
        first = next(iter(form.visible_fields()))
        first.field.widget.attrs["autofocus"] = True
    return formset


def _initial(data: QueryDict, prefix: str, names: tuple[str, ...]) -> dict:
    return {name: data.get(f"{prefix}-{name}", "") for name in names}


# --------------------------------------------------------------------- pathways


def _stage_initial(stage) -> dict:
    return {
        "id": stage.pk,
        "name": stage.name,
        "step": stage.step,
        "role": stage.role_id,
        "minutes": exchange.figure(stage.minutes),
        "extra_cost": stage.extra_cost if stage.extra_cost else "",
        "visit": stage.visit,
    }


def _figures(result) -> str:
    visits = f"{result.visits} visit{'s' if result.visits != 1 else ''}"
    return (
        f"{gbp(result.cost_per_patient)} per patient, {visits}, {minutes(result.contact_minutes)} minutes contact time"
    )


@login_required
def pathway_create(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    practice = access.practice
    mapping_form = template = None
    file_roles: dict = {}
    own = selectors.practice_pathways(practice=practice)
    if request.method == "POST":
        form = PathwayCreateForm(request.POST, own_pathways=own)
        if form.is_valid():
            name = form.cleaned_data["name"]
            original = form.own_pathway()
            if original is not None:
                pathway = services.pathway_copy(pathway=original, name=name, by=request.user)
                result = pathway_result(selectors.pathway_with_stages(pathway_id=pathway.pk))
                messages.success(
                    request, f"Created the pathway “{pathway.name}” from “{original.name}”: {_figures(result)}."
                )
                return redirect("pathway_edit", ods_code=practice.ods_code, pathway_pk=pathway.pk)
            found = form.template()
            if found is None:
                pathway = services.pathway_create(practice=practice, name=name, by=request.user)
                messages.success(request, f"Created the pathway “{pathway.name}”. Now add its stages.")
                return redirect("pathway_edit", ods_code=practice.ods_code, pathway_pk=pathway.pk)
            template, file_roles = found
            roles = template_roles(template, file_roles)
            chosen = form.cleaned_data["start_from"]
            mapped = request.POST.get("mapped") == chosen
            mapping_form = RoleMappingForm(request.POST if mapped else None, roles=roles, practice=practice)
            if (mapped or not roles) and mapping_form.is_valid():
                pathway = services.pathway_create_from_template(
                    practice=practice, name=name, template=template, roles=mapping_form.mapping(), by=request.user
                )
                result = pathway_result(selectors.pathway_with_stages(pathway_id=pathway.pk))
                messages.success(
                    request, f"Created the pathway “{pathway.name}” from “{template.name}”: {_figures(result)}."
                )
                return redirect("pathway_edit", ods_code=practice.ods_code, pathway_pk=pathway.pk)
    else:
        form = PathwayCreateForm(initial={"start_from": request.GET.get("template", "")}, own_pathways=own)
    return render(
        request,
        "pathways/editor/pathway_create.html",
        {
            "access": access,
            "practice": practice,
            "form": form,
            "mapping_form": mapping_form,
            "template": template,
            "template_roles": file_roles if template else {},
            "chosen": form.cleaned_data.get("start_from") if form.is_bound and form.is_valid() else "",
        },
    )


@login_required
def pathway_edit(request: HttpRequest, ods_code: str, pathway_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    practice = access.practice
    pathway = scoped_get(selectors.pathways_with_stages(), access, pk=pathway_pk)
    form_kwargs = {"practice": practice}
    focus = None
    pending = False
    if request.method == "POST":
        action = _row_action(request, ("stages",))
        if action is None:
            form = PathwayForm(request.POST, prefix="pathway")
            stages = StageFormSet(request.POST, prefix="stages", form_kwargs=form_kwargs)
            if form.is_valid() and stages.is_valid():
                try:
                    services.pathway_update(
                        pathway=pathway,
                        name=form.cleaned_data["name"],
                        description=form.cleaned_data["description"],
                        stages=[row.as_input() for row in stages.rows()],
                        by=request.user,
                        expected_version=form.cleaned_data.get("version"),
                    )
                except services.ModelTooLarge as exc:
                    form.add_error(None, str(exc))
                except EditConflict:
                    form.add_error(
                        None,
                        "Someone else saved this pathway while you were editing it, so your changes were not "
                        "saved. Open the pathway again to see their changes, then make yours.",
                    )
                else:
                    saved = selectors.pathway_with_stages(pathway_id=pathway.pk)
                    count = len(selectors.models_using(pathway=saved))
                    changed = f" This changed {count} cost model{'s' if count != 1 else ''}." if count else ""
                    messages.success(request, f"Saved “{saved.name}”: {_figures(pathway_result(saved))}.{changed}")
                    if request.POST.get("action") == "save-new":  # "Save and start a new pathway"
                        return redirect("pathway_create", ods_code=practice.ods_code)
                    return redirect("pathway_edit", ods_code=practice.ods_code, pathway_pk=pathway.pk)
        else:
            op, prefix, index = action
            form = PathwayForm(
                initial=_initial(request.POST, "pathway", ("name", "description", "version")), prefix="pathway"
            )
            rows = _raw_rows(request.POST, StageFormSet, prefix)
            focus = _apply_action(rows, op, index, prefix, StageFormSet.max_num)
            stages = StageFormSet(initial=rows, prefix=prefix, form_kwargs=form_kwargs)
            pending = True
    else:
        form = PathwayForm(
            initial={"name": pathway.name, "description": pathway.description, "version": pathway.version},
            prefix="pathway",
        )
        stages = StageFormSet(
            initial=[_stage_initial(s) for s in pathway.stages.all()], prefix="stages", form_kwargs=form_kwargs
        )
    return render(
        request,
        "pathways/editor/pathway_edit.html",
        {
            "access": access,
            "practice": practice,
            "pathway": pathway,
            "result": pathway_result(pathway),
            "models": selectors.models_using(pathway=pathway),
            "form": form,
            "stages": _focus_first(stages, focus),
            "max_minutes": limits.MAX_STAGE_MINUTES,
            "focus": focus,
            "pending": pending,
            "letter_prices": postage.price_table(),
            "role_rates": _role_rates(practice),
            # The page's title says "Error:" (base.html) when a stage was refused too.
            "has_errors": stages.is_bound and bool(stages.total_error_count()),
        },
    )


def _role_rates(practice) -> dict[str, str]:
    """Each role's cost per hour by id, for the editor's running total as typed (display only)."""
    places = Decimal("1e-8")  # a salaried rate does not terminate: near enough for a figure shown to the penny
    return {
        str(role.pk): str(engine.round_half_up(role.as_engine_role().exact_hourly_rate, places))
        for role in practice_selectors.staff_roles(practice=practice)
    }


@login_required
@require_POST
def pathway_delete(request: HttpRequest, ods_code: str, pathway_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    pathway = scoped_get(Pathway.objects.all(), access, pk=pathway_pk)
    try:
        services.pathway_delete(pathway=pathway, by=request.user)
    except services.PathwayInUse as exc:
        names = ", ".join(f"“{m.name}”" for m in exc.models)
        count = len(exc.models)
        messages.error(
            request,
            f"“{pathway.name}” was not deleted: {count} cost model{'s' if count != 1 else ''} "
            f"use{'' if count != 1 else 's'} it ({names}). Move their cohorts to another pathway first.",
        )
        return redirect("pathway_edit", ods_code=access.practice.ods_code, pathway_pk=pathway.pk)
    messages.success(request, f"Deleted the pathway “{pathway.name}”.")
    return redirect("pathway_list", ods_code=access.practice.ods_code)


# ------------------------------------------------------------------- cost models


SIDES = (Cohort.Side.BEFORE.value, Cohort.Side.AFTER.value)


def _cohort_initial(cohort: Cohort) -> dict:
    return {
        "id": cohort.pk,
        "label": cohort.label,
        "conditions": [cc.condition_id for cc in cohort.cohort_conditions.all()],
        "patients": cohort.patients,
        "times": cohort.times,
        "exceptions": cohort.exceptions,
        "pathway": cohort.pathway_id,
    }


@login_required
def model_create(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    form = CostModelForm(request.POST if request.method == "POST" else None, prefix="model")
    if request.method == "POST" and form.is_valid():
        cost_model = services.cost_model_create(
            practice=access.practice,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            period=form.cleaned_data["period"],
            by=request.user,
        )
        messages.success(request, f"Created the cost model “{cost_model.name}”. Now add its cohorts, before and after.")
        return redirect("model_edit", ods_code=access.practice.ods_code, model_pk=cost_model.pk)
    return render(
        request,
        "pathways/editor/model_create.html",
        {"access": access, "practice": access.practice, "form": form},
    )


@login_required
def model_edit(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    practice = access.practice
    cost_model = scoped_get(CostModel.objects.all(), access, pk=model_pk)
    if cost_model.is_scenario:
        messages.info(
            request,
            f"“{cost_model.name}” is a scenario: it holds only its differences from its base, listed on its page. "
            "Edit the base and the scenario follows, or make a what-if of it and save that as a scenario.",
        )
        return redirect(cost_model.get_absolute_url())
    form_kwargs = {"practice": practice, "groups": selectors.cohort_groups_by_cohort(cost_model=cost_model)}
    focus = None
    pending = False
    if request.method == "POST":
        action = _row_action(request, SIDES)
        if action is None:
            form = CostModelForm(request.POST, prefix="model", editing=True)
            sides = {side: CohortFormSet(request.POST, prefix=side, form_kwargs=form_kwargs) for side in SIDES}
            if form.is_valid() and all(formset.is_valid() for formset in sides.values()):
                try:
                    services.cost_model_update(
                        cost_model=cost_model,
                        name=form.cleaned_data["name"],
                        description=form.cleaned_data["description"],
                        period=form.cleaned_data["period"],
                        before=[row.as_input() for row in sides["before"].rows()],
                        after=[row.as_input() for row in sides["after"].rows()],
                        by=request.user,
                        expected_version=form.cleaned_data.get("version"),
                    )
                except services.GroupedCohortPatients as exc:
                    sides[exc.side].rows()[exc.index].add_error("patients", str(exc))
                except services.ModelTooLarge as exc:
                    form.add_error(None, str(exc))
                except services.CostModelChanged as exc:
                    data = request.POST.copy()
                    data["model-version"] = str(exc.cost_model.version)
                    form = CostModelForm(data, prefix="model", editing=True)
                    form.is_valid()
                    form.add_error(
                        None,
                        "Someone else saved this model while you were editing it; nothing was saved. "
                        "Press Save again to replace their changes with yours, or open the model again to see theirs.",
                    )
                else:
                    messages.success(request, f"Saved the cost model “{form.cleaned_data['name']}”.")
                    return redirect("model_detail", ods_code=practice.ods_code, model_pk=cost_model.pk)
        else:
            op, prefix, index = action
            form = CostModelForm(
                initial=_initial(request.POST, "model", ("name", "description", "period", "version")), prefix="model"
            )
            sides = {}
            for side in SIDES:
                rows = _raw_rows(request.POST, CohortFormSet, side)
                if side == prefix:
                    focus = _apply_action(rows, op, index, prefix, CohortFormSet.max_num)
                sides[side] = CohortFormSet(initial=rows, prefix=side, form_kwargs=form_kwargs)
            pending = True
    else:
        form = CostModelForm(
            initial={
                "name": cost_model.name,
                "description": cost_model.description,
                "period": cost_model.period,
                "version": cost_model.version,
            },
            prefix="model",
        )
        cohorts = selectors.cohorts_with_conditions(cost_model=cost_model)
        sides = {
            side: CohortFormSet(
                initial=[_cohort_initial(c) for c in cohorts if c.side == side], prefix=side, form_kwargs=form_kwargs
            )
            for side in SIDES
        }
    return render(
        request,
        "pathways/editor/model_edit.html",
        {
            "access": access,
            "practice": practice,
            "cost_model": cost_model,
            "form": form,
            "sides": [
                {
                    "title": side.capitalize(),
                    "formset": _focus_first(sides[side], focus),
                    "caption": f"{side.capitalize()}: the cohorts of patients and the pathway each goes through",
                    "noun": f"{side} cohort",
                    "add_label": f"Add a cohort {side}",
                }
                for side in SIDES
            ],
            "has_errors": any(sides[side].is_bound and sides[side].total_error_count() for side in SIDES),
            "has_pathways": selectors.has_pathways(practice=practice),
            "focus": focus,
            "pending": pending,
        },
    )


@login_required
def model_delete(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    cost_model = scoped_get(CostModel.objects.all(), access, pk=model_pk)
    if request.method == "POST":
        try:
            services.cost_model_delete(cost_model=cost_model, by=request.user)
        except services.BaseHasScenarios as exc:
            messages.error(request, f"Nothing was deleted: {exc}")
            return redirect(cost_model.get_absolute_url())
        messages.success(request, f"Deleted the cost model “{cost_model.name}”.")
        return redirect("practice_detail", ods_code=access.practice.ods_code)
    return render(
        request,
        "pathways/editor/model_confirm_delete.html",
        {
            "access": access,
            "practice": access.practice,
            "cost_model": cost_model,
            "scenarios": selectors.scenarios_of(cost_model=cost_model),
        },
    )


@login_required
@require_POST
def model_duplicate(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    cost_model = scoped_get(CostModel.objects.all(), access, pk=model_pk)
    copy = services.cost_model_duplicate(cost_model=cost_model, by=request.user)
    if copy.is_scenario:
        messages.success(request, f"Saved “{copy.name}”, another scenario with the differences of “{cost_model.name}”.")
        return redirect(copy.get_absolute_url())
    messages.success(
        request,
        f"Saved “{copy.name}”, a copy of “{cost_model.name}”: a model in its own right, which edits to "
        f"“{cost_model.name}” do not reach. For a scenario that follows it, save a what-if on its page.",
    )
    return redirect("model_edit", ods_code=access.practice.ods_code, model_pk=copy.pk)


@login_required
@require_POST
def model_mark_baseline(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    """Make the model its practice's baseline: the figures the roll-up, its workbook and batches use."""
    access = practice_access(request.user, ods_code, Permission.EDIT)
    cost_model = scoped_get(CostModel.objects.all(), access, pk=model_pk)
    try:
        services.cost_model_mark_baseline(cost_model=cost_model, by=request.user)
    except services.BaselineIsAScenario as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{cost_model.name}” is now {access.practice.name}'s baseline.")
    return redirect(cost_model.get_absolute_url())


@login_required
def model_import(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    if request.method == "POST":
        form = ModelImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                cost_model = services.cost_model_import(
                    practice=access.practice, model=form.model, by=request.user, name=form.cleaned_data["name"] or None
                )
            except exchange.ModelFileError as exc:
                form.add_error("file", model_file_error_message(exc))
            else:
                messages.success(request, f"Imported the cost model “{cost_model.name}”.")
                return redirect("model_detail", ods_code=access.practice.ods_code, model_pk=cost_model.pk)
    else:
        form = ModelImportForm()
    return render(
        request,
        "pathways/editor/model_import.html",
        {"access": access, "practice": access.practice, "form": form},
    )
