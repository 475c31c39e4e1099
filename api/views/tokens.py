"""The user's own API tokens on their account page: make one (shown once), revoke one.

Not practice-scoped: a token is its owner's, and carries exactly its owner's
access. Another user's token is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api import selectors, services
from api.forms import ApiTokenForm


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    created = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                created = services.api_token_create(
                    user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at
                )
            except services.TooManyTokens as exc:
                form.add_error(None, str(exc))
            else:
                form = ApiTokenForm()
    else:
        form = ApiTokenForm()
    response = render(
        request,
        "api/token_list.html",
        {"form": form, "tokens": selectors.user_tokens(user=request.user), "created": created},
        status=200,
    )
    if created is not None:
        response["Cache-Control"] = "no-store"  # the token is on this page only, once
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_pk: int) -> HttpResponse:
    token = next((t for t in selectors.user_tokens(user=request.user) if t.pk == token_pk), None)
    if token is None:
        raise Http404("No such token of yours.")
    services.api_token_revoke(token=token)
    messages.success(request, f"Revoked the token “{token.name}”: it no longer works.")
    return redirect("api_tokens")
