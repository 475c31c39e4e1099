"""The dashboard (every practice the user may see, with its models) and a practice's page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pathways import first_steps, selectors, totals
from pathways.models import CostModel
from practices import selectors as practice_selectors
from practices.access import Permission, is_facilitator, practice_access


def _with_figures(models: list[CostModel]) -> list[tuple[CostModel, object]]:
    """Each model with its headline figures (one query: pathways.totals.headlines)."""
    figures = totals.headlines(models)
    return [(m, figures[m.pk]) for m in models if m.pk in figures]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    practices = selectors.dashboard_practices(user=request.user)
    figures = totals.headlines(m for practice in practices for m in practice.cost_models.all())
    rows = [
        {
            "practice": practice,
            "models": [(m, figures[m.pk]) for m in practice.cost_models.all() if m.pk in figures],
        }
        for practice in practices
    ]
    return render(request, "pathways/dashboard.html", {"rows": rows, "is_facilitator": is_facilitator(request.user)})


@login_required
def practice_detail(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    practice = access.practice
    roles = [(role, role.as_engine_role()) for role in practice_selectors.staff_roles(practice=practice)]
    models = _with_figures(selectors.practice_cost_models(practice=practice))
    pathways = list(selectors.practice_pathways(practice=practice))
    facts = first_steps.Facts(
        roles=len(roles), pathways=len(pathways), models=len(models), headlines=tuple(h for _m, h in models)
    )
    steps = first_steps.checklist(practice, facts, can_edit=access.can_edit)
    return render(
        request,
        "pathways/practice_detail.html",
        {
            "practice": practice,
            "access": access,
            "roles": roles,
            "pathways": pathways,
            "models": models,
            # Shown until every step is done.
            "first_steps": steps if not all(step.done for step in steps) else [],
            "first_steps_done": sum(step.done for step in steps),
        },
    )
