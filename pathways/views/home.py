"""The dashboard (every practice the user may see, with its models) and a practice's page."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pathways import selectors
from pathways.models import CostModel
from practices.access import Permission, is_facilitator, practice_access, visible_practices

# What a list of models needs of each: its name and period, and what keys its cached figures.
LIST_FIELDS = ("id", "practice_id", "name", "period", "version", "created_at")


def _with_figures(models: list[CostModel]) -> list[tuple[CostModel, object]]:
    """Each model with its headline figures (a fixed number of queries: pathways.selectors.headlines)."""
    figures = selectors.headlines(models)
    return [(m, figures[m.pk]) for m in models if m.pk in figures]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    practices = list(
        visible_practices(request.user)
        .select_related("organisation")
        .prefetch_related(Prefetch("cost_models", CostModel.objects.only(*LIST_FIELDS)))
    )
    figures = selectors.headlines(m for practice in practices for m in practice.cost_models.all())
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
    roles = [(role, role.as_engine_role()) for role in practice.staff_roles.all()]
    models = _with_figures(list(practice.cost_models.only(*LIST_FIELDS)))
    return render(
        request,
        "pathways/practice_detail.html",
        {
            "practice": practice,
            "access": access,
            "roles": roles,
            "pathways": practice.pathways.all(),
            "models": models,
        },
    )
