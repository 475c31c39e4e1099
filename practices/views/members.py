"""A practice's people: members, facilitators, pending invitations; and creating a practice.

Writes are POST only, checked after practice_access(): a user who may not see
the practice gets 404 whatever the method, as the tenancy matrix requires.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from practices import selectors
from practices.access import Permission, PracticeAccess, is_facilitator, practice_access, role_at, scoped_get
from practices.forms.accounts import InvitationForm, MembershipRoleForm, PracticeCreateForm
from practices.models import Membership
from practices.services import accounts as services


def _error(request: HttpRequest, message: str) -> None:
    messages.error(request, message, extra_tags="danger")


def _members_url(access: PracticeAccess) -> str:
    return reverse("member_list", kwargs={"ods_code": access.practice.ods_code})


def _member_page(
    request: HttpRequest, access: PracticeAccess, invite_form: InvitationForm | None = None
) -> HttpResponse:
    practice = access.practice
    people = selectors.practice_people(practice=practice)
    return render(
        request,
        "practices/members/member_list.html",
        {
            "access": access,
            "practice": practice,
            "memberships": people.memberships,
            "facilitators": people.facilitators,
            "invitations": people.invitations,
            "now": timezone.now(),
            "invite_form": invite_form or InvitationForm(practice=practice),
            "roles": Membership.Role.choices,
        },
    )


@login_required
def member_list(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.INVITE)
    return _member_page(request, access)


@login_required
def member_invite(request: HttpRequest, ods_code: str) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.INVITE)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = InvitationForm(request.POST, practice=access.practice)
    if not form.is_valid():
        return _member_page(request, access, invite_form=form)
    created = services.invitation_create(
        practice=access.practice,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
        by=request.user,
        build_absolute_uri=request.build_absolute_uri,
    )
    invitation = created.invitation
    until = date_format(timezone.localtime(invitation.expires_at), "j F Y H:i")
    messages.success(
        request,
        f"Invitation sent to {invitation.email} as {invitation.get_role_display().lower()}. "
        f"The link works once, until {until}.",
    )
    return redirect(_members_url(access))


@login_required
def invitation_revoke(request: HttpRequest, ods_code: str, invitation_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.INVITE)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    invitation = scoped_get(selectors.open_invitations(), access, pk=invitation_pk)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn; its link no longer works.")
    return redirect(_members_url(access))


def _after_own_change(request: HttpRequest, access: PracticeAccess) -> HttpResponse:
    """Where to go after changing one's own membership: wherever one may still go."""
    role = role_at(request.user, access.practice)
    if role is None:
        return redirect("dashboard")
    if not PracticeAccess(practice=access.practice, role=role).can_invite:
        return redirect(access.practice)
    return redirect(_members_url(access))


@login_required
def member_remove(request: HttpRequest, ods_code: str, membership_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.INVITE)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    membership = scoped_get(selectors.memberships_with_users(), access, pk=membership_pk)
    name = membership.user.get_full_name() or membership.user.get_username()
    try:
        services.membership_remove(membership=membership)
    except ValidationError as refused:
        _error(request, " ".join(refused.messages))
        return redirect(_members_url(access))
    if membership.user_id == request.user.pk:
        messages.success(request, f"You have left {access.practice.name}.")
        return _after_own_change(request, access)
    messages.success(request, f"{name} is no longer a member of {access.practice.name}.")
    return redirect(_members_url(access))


@login_required
def member_change_role(request: HttpRequest, ods_code: str, membership_pk: int) -> HttpResponse:
    access = practice_access(request.user, ods_code, Permission.INVITE)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    membership = scoped_get(selectors.memberships_with_users(), access, pk=membership_pk)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        _error(request, "Choose practice admin or practice staff.")
        return redirect(_members_url(access))
    try:
        membership = services.membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except ValidationError as refused:
        _error(request, " ".join(refused.messages))
        return redirect(_members_url(access))
    name = membership.user.get_full_name() or membership.user.get_username()
    messages.success(request, f"{name} is now {membership.get_role_display().lower()}.")
    if membership.user_id == request.user.pk:
        return _after_own_change(request, access)
    return redirect(_members_url(access))


@login_required
@require_http_methods(["GET", "POST"])
def practice_create(request: HttpRequest) -> HttpResponse:
    if not is_facilitator(request.user):
        raise PermissionDenied("Only a Year of Care facilitator may create a practice.")
    form = PracticeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            practice = services.practice_create(
                name=form.cleaned_data["name"],
                ods_code=form.cleaned_data["ods_code"],
                list_size=form.cleaned_data["list_size"],
                organisation=form.cleaned_data["organisation"],
                by=request.user,
            )
        except ValidationError as invalid:
            form.add_error(None, invalid)
        except IntegrityError:
            # Another facilitator created the same ODS code a moment ago.
            form.add_error("ods_code", "A practice with this ODS code already exists.")
        else:
            messages.success(request, f"{practice.name} is created and you are its facilitator.")
            return redirect(practice)
    return render(request, "practices/members/practice_form.html", {"form": form})
