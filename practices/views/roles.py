"""The staff roles of a practice: list, create, edit, delete."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from costing import engine
from costing.templatetags.costing_tags import gbp
from practices import selectors
from practices.access import Permission, PracticeAccess, practice_access, scoped_get
from practices.concurrency import EditConflict
from practices.forms.roles import (
    PayBandPickerForm,
    StaffRoleForm,
    UnitCostPickerForm,
    picker_reference,
    plain,
    pounds,
)
from practices.models import StaffRole
from practices.services import roles as services


@dataclass(frozen=True)
class RoleRow:
    role: StaffRole
    rate: engine.Role  # hourly_rate and minute_rate come from the engine
    basis: str
    salary: str  # how a salary-based rate is made; "" for a cost per hour
    pathway_count: int


def basis_label(rate: engine.Role) -> str:
    return rate.cost_basis.label if rate.cost_basis else "cost basis not stated"


def salary_text(role: StaffRole) -> str:
    if role.annual_salary is None:
        return ""
    hours = format(role.paid_hours_per_year.normalize(), ",f")
    return f"{pounds(role.annual_salary)} a year + {plain(role.on_cost_percent)}% on-costs ÷ {hours} paid hours"


@login_required
def role_list(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.VIEW)
    rows = []
    for role in selectors.staff_roles_with_pathway_counts(practice=access.practice):
        rate = role.as_engine_role()
        rows.append(RoleRow(role, rate, basis_label(rate), salary_text(role), role.pathway_count))
    return render(
        request,
        "practices/roles/role_list.html",
        {"access": access, "practice": access.practice, "rows": rows},
    )


@login_required
def role_create(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    return _role_form_page(request, access, None)


@login_required
def role_edit(request: HttpRequest, ods_code: str, role_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    role = scoped_get(StaffRole.objects.all(), access, pk=role_pk)
    return _role_form_page(request, access, role)


@login_required
def role_delete(request: HttpRequest, ods_code: str, role_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.EDIT)
    role = scoped_get(StaffRole.objects.all(), access, pk=role_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.staff_role_delete(role=role, by=request.user)
    except services.StaffRoleInUse as used:
        shown = used.pathway_names[:5]
        more = len(used.pathway_names) - len(shown)
        names = ", ".join(f"“{name}”" for name in shown) + (f" and {more} more" if more else "")
        stages = f"{used.stage_count} stage{'s' if used.stage_count != 1 else ''}"
        messages.warning(
            request,
            f"“{role.name}” was not deleted: {stages} use it, in {names}. "
            "Give those stages another role first, then delete it.",
        )
    else:
        messages.success(request, f"Deleted the role “{role.name}”.")
    return redirect("role_list", ods_code=access.practice.ods_code)


def _role_form_page(request: HttpRequest, access: PracticeAccess, role: StaffRole | None) -> HttpResponse:
    if request.method not in {"GET", "HEAD", "POST"}:
        return HttpResponseNotAllowed(["GET", "POST"])
    practice = access.practice
    reference = picker_reference()
    title = f"Edit “{role.name}”" if role is not None else "New staff role"
    filled_from = ""
    if request.method == "POST":
        pay_band_picker = PayBandPickerForm(reference=reference)
        unit_cost_picker = UnitCostPickerForm(reference=reference)
        form = StaffRoleForm(request.POST, practice=practice, instance=role)
        if form.is_valid():
            saved = _save(request, form, practice, role)
            if saved is not None:
                rate = saved.as_engine_role()
                messages.success(
                    request,
                    f"Saved “{saved.name}”: {gbp(rate.hourly_rate)} an hour, £{rate.minute_rate} a minute "
                    f"— {basis_label(rate)}.",
                )
                if role is None and request.POST.get("then") == "another":
                    return redirect("role_create", ods_code=practice.ods_code)
                return redirect("role_list", ods_code=practice.ods_code)
    else:
        initial = StaffRoleForm.initial_for(role) if role is not None else {}
        # Without JavaScript the pickers are GET forms to this page: their choice fills the form.
        pay_band_picker, unit_cost_picker = _pickers(request, reference)
        for picker in (pay_band_picker, unit_cost_picker):
            if picker.is_bound and picker.is_valid():
                initial.update(picker.role_initial())
                filled_from = picker.description()
        form = StaffRoleForm(initial=initial, practice=practice, instance=role)
    usage = selectors.role_usage(role=role) if role is not None else None
    current = role.as_engine_role() if role is not None else None
    return render(
        request,
        "practices/roles/role_form.html",
        {
            "access": access,
            "practice": practice,
            "role": role,
            "title": title,
            "form": form,
            "pay_band_picker": pay_band_picker,
            "unit_cost_picker": unit_cost_picker,
            "filled_from": filled_from,
            "reference": reference,
            "current": current,
            "current_basis": basis_label(current) if current is not None else "",
            "usage": usage,
        },
    )


def _pickers(request: HttpRequest, reference: dict) -> tuple[PayBandPickerForm, UnitCostPickerForm]:
    def bound(prefix: str):
        return request.GET if any(k.startswith(f"{prefix}-") for k in request.GET) else None

    return (
        PayBandPickerForm(bound("payband"), reference=reference),
        UnitCostPickerForm(bound("unitcost"), reference=reference),
    )


def _save(request: HttpRequest, form: StaffRoleForm, practice, role: StaffRole | None) -> StaffRole | None:
    """Save through the service; a rule the database enforces becomes a message on the form."""
    try:
        if role is None:
            return services.staff_role_create(practice=practice, by=request.user, **form.values())
        return services.staff_role_update(
            role=role, by=request.user, expected_version=form.cleaned_data.get("version"), **form.values()
        )
    except EditConflict:
        form.add_error(
            None,
            "Someone else saved this role while you were editing it, so your changes were not saved. "
            "Open the role again to see their changes, then make yours.",
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)
    except IntegrityError:
        # Another request took the key between the form's check and the save.
        form.add_error("key", "Another role at this practice has this key: choose another key.")
    if role is not None:
        role.refresh_from_db()  # the service set the refused values on it
    return None
