"""A practice's population profiles: list, enter, import, view, edit, delete; a model generated from one,
and a profile derived from a model."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from costing import profiles, tables
from pathways import selectors, services
from pathways.forms.profiles import (
    BLANK_BANDS,
    BLANK_GROUPS,
    AgeBandFormSet,
    GenerateForm,
    GroupFormSet,
    ProfileForm,
    ProfileImportForm,
    formset_initial,
    profile_initial,
    read_forms,
)
from pathways.models import CostModel, PracticeProfile
from practices.access import Permission, practice_access, scoped_get
from practices.concurrency import EditConflict

TEMPLATE_FILE = "files/practice-profile-template.csv"


@login_required
def profile_list(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    return render(
        request,
        "pathways/profiles/profile_list.html",
        {
            "access": access,
            "practice": access.practice,
            "profiles": selectors.practice_profiles(practice=access.practice),
            "template_file": TEMPLATE_FILE,
        },
    )


# "Add rows" buttons: the page comes back with the rows as typed and more blank ones; nothing is saved.
MORE_ROWS = {"more:bands": ("bands", ("ages", "people")), "more:groups": ("groups", ("conditions", "count", "people"))}


def _typed_rows(data, prefix: str, names: tuple[str, ...], limit: int) -> list[dict]:
    try:
        total = max(0, min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), limit))
    except ValueError:
        total = 0
    return [{name: data.get(f"{prefix}-{i}-{name}", "") for name in names} for i in range(total)]


def _more_rows(request: HttpRequest) -> str | None:
    """The prefix whose rows an "Add rows" button asked for, or None (Save)."""
    wanted = MORE_ROWS.get(request.POST.get("action", "")) if request.method == "POST" else None
    return wanted[0] if wanted else None


def _profile_forms(request: HttpRequest, *, initial: dict, profile: profiles.Profile | None):
    conditions = list(selectors.conditions())
    data = request.POST if request.method == "POST" else None
    bands_initial, groups_initial = formset_initial(profile)
    more = _more_rows(request)
    if more is not None:
        # The page as typed, unchecked, with more blank rows where asked.
        initial = {name: data.get(name, "") for name in ProfileForm(conditions=conditions).fields}
        bands_initial = _typed_rows(data, "bands", MORE_ROWS["more:bands"][1], AgeBandFormSet.absolute_max)
        groups_initial = _typed_rows(data, "groups", MORE_ROWS["more:groups"][1], GroupFormSet.absolute_max)
        if more == "bands":
            bands_initial += [{}] * BLANK_BANDS
        else:
            groups_initial += [{}] * BLANK_GROUPS
        data = None
    form = ProfileForm(data, initial=initial, conditions=conditions)
    bands = AgeBandFormSet(data, prefix="bands", initial=bands_initial)
    groups = GroupFormSet(data, prefix="groups", initial=groups_initial)
    return form, bands, groups


def _edit_page(request, access, form, bands, groups, *, practice_profile=None, status=200) -> HttpResponse:
    return render(
        request,
        "pathways/profiles/profile_form.html",
        {
            "access": access,
            "practice": access.practice,
            "profile": practice_profile,
            "form": form,
            "bands": bands,
            "groups": groups,
            "has_errors": request.method == "POST" and _more_rows(request) is None,
        },
        status=status,
    )


def _store_new(request: HttpRequest, access, form, profile: profiles.Profile, message: str) -> HttpResponse:
    stored = services.profile_create(
        practice=access.practice,
        read_on=form.cleaned_data["read_on"],
        note=form.cleaned_data["note"],
        profile=profile,
        by=request.user,
    )
    messages.success(request, message)
    return redirect(stored.get_absolute_url())


@login_required
def profile_create(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form, bands, groups = _profile_forms(request, initial={"list_size": access.practice.list_size}, profile=None)
    if request.method == "POST" and _more_rows(request) is None:
        profile = read_forms(form, bands, groups)
        if profile is not None:
            return _store_new(request, access, form, profile, "Profile saved.")
        return _edit_page(request, access, form, bands, groups, status=422)
    return _edit_page(request, access, form, bands, groups)


@login_required
def profile_edit(request: HttpRequest, ods_code: str, profile_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    stored = scoped_get(selectors.profiles_with_rows(), access, pk=profile_pk)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    current = selectors.engine_profile(stored)
    initial = profile_initial(current, read_on=stored.read_on, note=stored.note, version=stored.version)
    form, bands, groups = _profile_forms(request, initial=initial, profile=current)
    if request.method == "POST" and _more_rows(request) is None:
        profile = read_forms(form, bands, groups)
        if profile is not None:
            try:
                services.profile_update(
                    practice_profile=stored,
                    read_on=form.cleaned_data["read_on"],
                    note=form.cleaned_data["note"],
                    profile=profile,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except EditConflict:
                messages.error(
                    request, "Someone else saved this profile since you opened it: nothing was saved. Here is theirs."
                )
                return redirect("profile_edit", ods_code=ods_code, profile_pk=stored.pk)
            messages.success(request, "Profile saved.")
            return redirect(stored.get_absolute_url())
        return _edit_page(request, access, form, bands, groups, practice_profile=stored, status=422)
    return _edit_page(request, access, form, bands, groups, practice_profile=stored)


@login_required
def profile_import(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = ProfileImportForm(request.POST or None, request.FILES or None)
    errors: list[tables.CellError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = tables.read_table(upload.read(), upload.name)
            profile = profiles.read_profile(table, conditions={c.code for c in selectors.conditions()})
        except tables.SheetError as exc:
            errors = exc.errors
        else:
            return _store_new(request, access, form, profile, "Profile imported.")
    return render(
        request,
        "pathways/profiles/profile_import.html",
        {
            "access": access,
            "practice": access.practice,
            "form": form,
            "errors": errors,
            "template_file": TEMPLATE_FILE,
        },
        status=422 if request.method == "POST" else 200,
    )


def _generation(profile: profiles.Profile):
    """The groups a model would have, and what that assumes; or why none can be generated."""
    try:
        groups, assumptions = profiles.groups_by_set(profile)
    except profiles.CannotGenerate as refusal:
        return None, (), str(refusal)
    return groups, assumptions, ""


@login_required
def profile_detail(request: HttpRequest, ods_code: str, profile_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    stored = scoped_get(selectors.profiles_with_rows(), access, pk=profile_pk)
    profile = selectors.engine_profile(stored)
    groups, assumptions, refusal = _generation(profile)
    names = {r.condition.code: r.condition.name for r in stored.registers.all()}
    return render(
        request,
        "pathways/profiles/profile_detail.html",
        {
            "access": access,
            "practice": access.practice,
            "profile": stored,
            "data": profile,
            "names": names,
            "registers": [(r, names[r.code]) for r in profile.registers],
            "generated_groups": groups,
            "assumptions": assumptions,
            "refusal": refusal,
            "in_groups": sum(g.people for g in profile.groups),
        },
    )


@login_required
@require_POST
def profile_delete(request: HttpRequest, ods_code: str, profile_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    stored = scoped_get(PracticeProfile.objects.all(), access, pk=profile_pk)
    services.profile_delete(practice_profile=stored, by=request.user)
    messages.success(
        request, f"The profile of {stored.read_on:%-d %B %Y} was deleted. It can be restored from Deleted items."
    )
    return redirect("profile_list", ods_code=ods_code)


@login_required
def profile_generate(request: HttpRequest, ods_code: str, profile_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    stored = scoped_get(selectors.profiles_with_rows(), access, pk=profile_pk)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    profile = selectors.engine_profile(stored)
    groups, assumptions, refusal = _generation(profile)
    codes = [r.code for r in profile.registers if r.people > 0]
    names = {r.condition.code: r.condition.name for r in stored.registers.all()}
    form = GenerateForm(
        request.POST if request.method == "POST" else None,
        initial={"name": f"From the profile of {stored.read_on:%-d %B %Y}"},
        codes=codes,
        names=names,
        pathways=list(selectors.practice_pathways(practice=access.practice)),
    )
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            cost_model = services.cost_model_generate(
                practice_profile=stored,
                choices=form.choices(),
                name=form.cleaned_data["name"],
                period=form.cleaned_data["period"],
                by=request.user,
            )
        except profiles.CannotGenerate as problem:
            form.add_error(None, f"{str(problem)[:1].upper()}{str(problem)[1:]}.")
        else:
            messages.success(request, "Model generated: edit it as any other.")
            return redirect(cost_model.get_absolute_url())
    return render(
        request,
        "pathways/profiles/profile_generate.html",
        {
            "access": access,
            "practice": access.practice,
            "profile": stored,
            "form": form,
            "generated_groups": groups,
            "assumptions": assumptions,
            "refusal": refusal,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def model_profile_derive(request: HttpRequest, ods_code: str, model_pk: int) -> HttpResponse:
    """A profile of the people a model counts; where its sides are not one population, the reason, and nothing saved."""
    access = practice_access(request.user, ods_code, Permission.EDIT)
    cost_model = scoped_get(CostModel.objects.all(), access, pk=model_pk)
    try:
        stored = services.profile_derive(cost_model=cost_model, by=request.user)
    except profiles.CannotGenerate as refusal:
        messages.error(request, f"No profile was made: {refusal}.")
        return redirect(cost_model.get_absolute_url())
    messages.success(request, "Profile made from the model: check its list size, which a model does not hold.")
    return redirect(stored.get_absolute_url())
