from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from costing import engine
from pathways import selectors
from pathways.models import Pathway
from practices.access import Permission, practice_access, scoped_get


def pathway_result(pathway: Pathway) -> engine.PathwayResult:
    """The engine's figures for one patient going through a stored pathway (stages and roles prefetched)."""
    stages = list(pathway.stages.all())
    roles = {s.role.key: s.role.as_engine_role() for s in stages if s.role_id}
    return engine.cost_pathway(
        engine.Pathway(key=pathway.key, name=pathway.name, stages=tuple(s.as_engine_stage() for s in stages)), roles
    )


@login_required
def pathway_list(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    pathways = selectors.pathways_with_model_counts(practice=access.practice)
    rows = [(pathway, pathway_result(pathway)) for pathway in pathways]
    return render(
        request,
        "pathways/editor/pathway_list.html",
        {"access": access, "practice": access.practice, "rows": rows},
    )


@login_required
def pathway_detail(request: HttpRequest, ods_code: str, pathway_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    pathway = scoped_get(selectors.pathways_with_stages(), access, pk=pathway_pk)
    stages = list(pathway.stages.all())
    result = pathway_result(pathway)
    return render(
        request,
        "pathways/pathway_detail.html",
        {
            "access": access,
            "practice": access.practice,
            "pathway": pathway,
            "rows": list(zip(stages, result.stages, strict=True)),
            "result": result,
            "models": selectors.models_using(pathway=pathway),
        },
    )
