"""The invitation link: a new person creates an account, a person with one logs in and accepts.

Login, logout and the password pages are Django's own views, configured in
practices/urls/accounts.py with the templates in templates/registration/; the
password change and reset views are throttled here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from practices import selectors
from practices.forms.accounts import InvitationSignupForm
from practices.models import Invitation
from practices.security import client_address, throttle, throttled
from practices.services import accounts as services
from practices.services.accounts import InvitationUnusable

UNUSABLE_STATUS = {"unknown": 404, "accepted": 410, "expired": 410, "other_address": 403}


def _unusable(request: HttpRequest, reason: str, invitation: Invitation | None) -> HttpResponse:
    accepted_by_me = (
        invitation is not None and request.user.is_authenticated and invitation.accepted_by_id == request.user.pk
    )
    return render(
        request,
        "registration/invitation_unusable.html",
        {
            "reason": reason,
            "practice": invitation.practice if accepted_by_me else None,
            "invited_email": invitation.email if reason == "other_address" else "",
        },
        status=UNUSABLE_STATUS[reason],
    )


def _accepted(request: HttpRequest, invitation: Invitation, membership) -> HttpResponse:
    messages.success(request, f"You are now {membership.get_role_display().lower()} at {invitation.practice.name}.")
    return redirect(invitation.practice)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = None
    try:
        invitation = services.invitation_for_token(token)
        services.check_usable(invitation)
    except InvitationUnusable as unusable:
        return _unusable(request, unusable.reason, invitation)

    login_url = f"{reverse('login')}?{urlencode({'next': request.path})}"
    context = {"invitation": invitation, "practice": invitation.practice, "login_url": login_url}

    if request.user.is_authenticated:
        try:
            services.check_invited(invitation, request.user)
        except InvitationUnusable as unusable:
            return _unusable(request, unusable.reason, invitation)
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, by=request.user)
            except InvitationUnusable as unusable:
                return _unusable(request, unusable.reason, invitation)
            return _accepted(request, invitation, membership)
        return render(request, "registration/invitation_accept.html", context)

    if selectors.has_active_account(email=invitation.email):
        # Someone with this address has an account: they log in first, then accept.
        if request.method == "POST":
            return redirect(login_url)
        return render(request, "registration/invitation_accept.html", {**context, "has_account": True})

    form = InvitationSignupForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                by=None,
                username=form.cleaned_data["username"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except InvitationUnusable as unusable:
            return _unusable(request, unusable.reason, invitation)
        except IntegrityError:
            form.add_error("username", "That username has just been taken. Choose another.")
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return _accepted(request, invitation, membership)
    return render(request, "registration/invitation_accept.html", {**context, "form": form})


PASSWORD_CHANGE_WINDOW = 15 * 60
PASSWORD_RESET_WINDOW = 60 * 60


def _too_many(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "registration/throttled.html", {"message": message}, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, refused for 15 minutes after PASSWORD_CHANGE_FAILURES wrong old passwords:
    a stolen session cannot try passwords one after another."""

    def post(self, request, *args, **kwargs):
        if throttled("password-change", str(request.user.pk), limit=settings.PASSWORD_CHANGE_FAILURES):
            return _too_many(
                request, "Too many wrong current passwords: changing the password is paused for 15 minutes."
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password"):
            throttle(
                "password-change",
                str(self.request.user.pk),
                limit=settings.PASSWORD_CHANGE_FAILURES,
                seconds=PASSWORD_CHANGE_WINDOW,
            )
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, sending at most PASSWORD_RESET_EMAILS_PER_ADDRESS emails an hour to one address and
    PASSWORD_RESET_EMAILS_PER_CLIENT from one client. The page says the same whether or not an email
    went, so it tells nobody whether an address has an account or was throttled."""

    def form_valid(self, form):
        address = services.normalise_email(form.cleaned_data["email"])
        allowed = throttle(
            "password-reset-client",
            client_address(self.request),
            limit=settings.PASSWORD_RESET_EMAILS_PER_CLIENT,
            seconds=PASSWORD_RESET_WINDOW,
        ) and throttle(
            "password-reset-address",
            address,
            limit=settings.PASSWORD_RESET_EMAILS_PER_ADDRESS,
            seconds=PASSWORD_RESET_WINDOW,
        )
        if allowed:
            return super().form_valid(form)
        return redirect(self.get_success_url())
