"""Throttling per token: each token has its own budget of requests (settings.API_THROTTLE_RATE)."""

from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken

log = logging.getLogger("pcsp.security")


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        # Read when asked, not when the class is defined, so that a deployment (or a test) can change it.
        return settings.API_THROTTLE_RATE

    def allow_request(self, request, view) -> bool:
        allowed = super().allow_request(request, view)
        if not allowed:
            log.warning("api throttled token=%s user=%s %s", request.auth.pk, request.user.pk, request.path[:300])
        return allowed

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None  # the docs page and its schema, with a session: not throttled here
        # The hash, not the id: an id can come round again (a restored database), a hash does not.
        return self.cache_format % {"scope": self.scope, "ident": request.auth.token_hash[:32]}
