"""Bearer tokens for the API: ``Authorization: Bearer pcsp_...``.

A missing header is anonymous (the view answers 401); a header with a token
that is malformed, unknown, revoked, expired or of an inactive user is refused
with 401 and written to the security log, never with the token itself.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api import selectors, services
from practices.security import log_token_refused

KEYWORD = "Bearer"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != KEYWORD.lower().encode():
            return None  # another scheme: not ours (the view then answers 401)
        if len(parts) != 2:
            self.refuse(request, "malformed header")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            self.refuse(request, "malformed token")
        token = selectors.token_for_secret(secret)
        if token is None:
            self.refuse(request, "unknown token")
        if token.is_revoked:
            self.refuse(request, "revoked token", token)
        if token.is_expired:
            self.refuse(request, "expired token", token)
        if not token.user.is_active:
            self.refuse(request, "inactive user", token)
        services.api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{KEYWORD} realm="api"'

    @staticmethod
    def refuse(request, reason: str, token=None):
        log_token_refused(
            request, reason, token_id=token.pk if token else None, user_id=token.user_id if token else None
        )
        raise exceptions.AuthenticationFailed("Invalid, expired or revoked API token.")


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the token (registered when this module is imported)."""

    target_class = BearerTokenAuthentication
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token (pcsp_...)."}
