"""Session limits, the client's address, throttles and the security log.

Sessions end after 30 minutes idle or 12 hours in all, whichever comes first; a
deactivated user's sessions are deleted at once, so reactivation does not bring
them back (Django's ModelBackend also refuses inactive users on every request).
The client's address is read through a configured number of trusted proxies
(``client_address``), for the lockout, the throttles and the log.
"""

from __future__ import annotations

import ipaddress
import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils import timezone

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


def client_address(request) -> str:
    """The address of whoever sent the request.

    REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT proxies stand in front: each
    appends the address it was connected from to X-Forwarded-For, so the client's
    is that many entries from the right. Anything further left was written by the
    client and is never trusted. Also django-axes' AXES_CLIENT_IP_CALLABLE.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote  # not through all the proxies: the connection's own address
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:  # fewer proxies than configured, and the client wrote this one
        return remote


def _address(request) -> str:
    return (client_address(request) or "-") if request is not None else "-"


def throttle(kind: str, key: str, *, limit: int, seconds: int) -> bool:
    """Count one more ``kind`` event for ``key`` in a window of ``seconds``; False once past ``limit``.

    In the shared cache, so every worker counts together where the cache is shared.
    """
    name = f"throttle:{kind}:{key}"
    cache.add(name, 0, timeout=seconds)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=seconds)
        count = 1
    if count > limit:
        log.warning("throttled %s key=%s", kind, key[:100])
        return False
    return True


def throttled(kind: str, key: str, *, limit: int) -> bool:
    """Whether ``key`` is past ``limit`` for ``kind`` already (nothing counted)."""
    return (cache.get(f"throttle:{kind}:{key}") or 0) >= limit


@receiver(post_save, sender=get_user_model())
def _deactivated_users_sessions_end(sender, instance, **kwargs):
    """Delete every session of a user who is not active: reactivation starts from a new login."""
    if instance.is_active:
        return
    user_id = str(instance.pk)
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    if ended:
        Session.objects.filter(pk__in=ended).delete()
        log.info("sessions ended (deactivated) user=%s count=%s", instance.pk, len(ended))


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
