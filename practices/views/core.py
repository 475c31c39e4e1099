from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from costing import services
from practices.access import Permission, is_facilitator, practice_access, visible_practices


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    practices = visible_practices(request.user).select_related("organisation").prefetch_related("cost_models")
    rows = [
        {
            "practice": practice,
            "models": [(m, services.compare_cost_model(m)) for m in practice.cost_models.all()],
        }
        for practice in practices
    ]
    return render(request, "practices/dashboard.html", {"rows": rows, "is_facilitator": is_facilitator(request.user)})


@login_required
def practice_detail(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    practice = access.practice
    roles = [(role, role.as_engine_role()) for role in practice.staff_roles.all()]
    models = [(m, services.compare_cost_model(m)) for m in practice.cost_models.all()]
    return render(
        request,
        "practices/practice_detail.html",
        {
            "practice": practice,
            "access": access,
            "roles": roles,
            "pathways": practice.pathways.all(),
            "models": models,
        },
    )
