from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from costing import engine
from pathways.models import Pathway
from practices.access import Permission, practice_access, scoped_get


@login_required
def pathway_detail(request: HttpRequest, ods_code: str, pathway_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    pathway = scoped_get(Pathway.objects.prefetch_related("stages__role"), access, pk=pathway_pk)
    stages = list(pathway.stages.all())
    roles = {s.role.key: s.role.as_engine_role() for s in stages if s.role_id}
    result = engine.cost_pathway(
        engine.Pathway(key=pathway.key, name=pathway.name, stages=tuple(s.as_engine_stage() for s in stages)), roles
    )
    return render(
        request,
        "pathways/pathway_detail.html",
        {
            "access": access,
            "practice": access.practice,
            "pathway": pathway,
            "rows": list(zip(stages, result.stages, strict=True)),
            "result": result,
        },
    )
