"""The audit trail of a model, and a practice's deleted items with a restore button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from pathways import history
from pathways.models import CostModel
from practices.access import Permission, practice_access, scoped_get


@login_required
def model_history(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    """Shown to practice admins and facilitators (who can change models)."""
    access = practice_access(request.user, ods_code, Permission.EDIT)
    cost_model = scoped_get(CostModel.objects.all(), access, pk=model_pk)
    return render(
        request,
        "pathways/history/model_history.html",
        {
            "access": access,
            "practice": access.practice,
            "cost_model": cost_model,
            "events": history.model_history(cost_model),
            "max_events": history.MAX_EVENTS,
        },
    )


@login_required
def deleted_list(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    return render(
        request,
        "pathways/history/deleted_list.html",
        {"access": access, "practice": access.practice, "items": history.deleted_items(access.practice)},
    )


@login_required
def restore(request: HttpRequest, ods_code: str, kind: str, history_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        restored = history.restore_deleted(practice=access.practice, kind=kind, history_id=history_pk, by=request.user)
    except LookupError:
        raise Http404("No such deleted item at this practice.") from None
    except history.CannotRestore as exc:
        messages.error(request, f"Nothing was restored: {exc}.")
        return redirect("deleted_list", ods_code=access.practice.ods_code)
    messages.success(request, f"Restored “{history.item_name(kind, restored)}”.")
    if kind == "role":
        return redirect("role_list", ods_code=access.practice.ods_code)
    return redirect(restored.get_absolute_url())
