from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from costing import engine, exchange, selectors, services
from pathways.models import CostModel
from practices.access import Permission, practice_access, scoped_get


@login_required
def model_detail(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    cost_model = scoped_get(CostModel.objects.all(), access, pk=model_pk)
    comparison = services.compare_cost_model(cost_model)
    role_names = {role.key: role.name for role in comparison.roles}
    staff = [
        {
            "key": role.key,
            "name": role.name,
            "rate": role.hourly_rate,
            "basis": role.cost_basis.label if role.cost_basis else "not stated",
            "before_minutes": comparison.before.staff_minutes[role.key],
            "after_minutes": comparison.after.staff_minutes[role.key],
            "before_cost": comparison.before.staff_cost[role.key],
            "after_cost": comparison.after.staff_cost[role.key],
            "before_fte": engine.hours_to_fte(comparison.before.staff_minutes[role.key], comparison.period),
            "after_fte": engine.hours_to_fte(comparison.after.staff_minutes[role.key], comparison.period),
        }
        for role in comparison.roles
    ]
    steps = [
        {
            "label": step.label,
            "before": comparison.before.cost_by_step[step],
            "after": comparison.after.cost_by_step[step],
        }
        for step in engine.Step
        if comparison.before.cost_by_step[step] or comparison.after.cost_by_step[step]
    ]
    return render(
        request,
        "pathways/model_detail.html",
        {
            "access": access,
            "practice": access.practice,
            "cost_model": cost_model,
            "c": comparison,
            "staff": staff,
            "steps": steps,
            "role_names": role_names,
            "annual": annual_figures(comparison),
        },
    )


def annual_figures(comparison: engine.Comparison) -> dict | None:
    """Before, after and saving over a year, for a model counted per month."""
    if comparison.periods_per_year in (None, 1):
        return None
    return {
        "before": comparison.annualised(comparison.before.cost),
        "after": comparison.annualised(comparison.after.cost),
        "saving": comparison.annualised(comparison.saving),
    }


@login_required
def model_export(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    cost_model = scoped_get(CostModel.objects.all(), access, pk=model_pk)
    text = exchange.dumps(selectors.engine_model(selectors.cost_model_with_rows(cost_model_id=cost_model.pk)))
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    filename = slugify(cost_model.name)[:80] or "cost-model"
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response
