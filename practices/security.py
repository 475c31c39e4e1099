"""Session limits and the security log: logins, failed logins, refused access.

Sessions end after 30 minutes idle or 12 hours in all, whichever comes first; a
deactivated user's sessions end at once (Django's ModelBackend refuses inactive
users on every request).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.shortcuts import redirect

log = logging.getLogger("pcsp.security")

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"


class SessionLimitsMiddleware:
    """Log out a session idle past SESSION_IDLE_SECONDS or older than SESSION_ABSOLUTE_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_SECONDS
            expired = now - login_at > settings.SESSION_ABSOLUTE_SECONDS
            if idle or expired:
                log.info("session ended (%s) user=%s", "idle" if idle else "absolute limit", request.user.pk)
                logout(request)
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            request.session.setdefault(LOGIN_AT, login_at)
            if now - seen_at >= 60:  # write the session at most once a minute
                request.session[SEEN_AT] = now
        return self.get_response(request)


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "-") if request is not None else "-"


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    log.info("login user=%s address=%s", user.pk, _address(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The username tried, never the password; truncated so the log cannot be flooded.
    log.warning("failed login username=%r address=%s", str(credentials.get("username", ""))[:150], _address(request))


def log_refused(request, status: int) -> None:
    user = getattr(request, "user", None)
    log.warning(
        "refused %s %s %s user=%s address=%s",
        status,
        request.method,
        request.path[:300],
        user.pk if user is not None and user.is_authenticated else "anonymous",
        _address(request),
    )


def log_token_refused(request, reason: str, *, token_id: int | None = None, user_id: int | None = None) -> None:
    """An API token that was refused (malformed, unknown, revoked, expired, its user inactive); never the token."""
    log.warning(
        "api token refused (%s) token=%s user=%s %s %s address=%s",
        reason,
        token_id if token_id is not None else "-",
        user_id if user_id is not None else "-",
        request.method,
        request.path[:300],
        _address(request),
    )
