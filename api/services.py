"""Writes to API tokens: keyword-only, one transaction each."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken

# Enough for every dashboard and script a person runs; a bound so a leaked session cannot mint thousands.
MAX_USABLE_TOKENS = 20
# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


class TooManyTokens(ValueError):
    def __init__(self):
        super().__init__(f"You have {MAX_USABLE_TOKENS} usable API tokens, the most there may be: revoke one first.")


class CreatedToken(NamedTuple):
    token: ApiToken
    secret: str  # shown once: only its hash is stored


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str, expires_at: datetime | None = None) -> CreatedToken:
    """A new token of ``user``; raises TooManyTokens past MAX_USABLE_TOKENS usable ones."""
    now = timezone.now()
    usable = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if sum(1 for t in usable if not t.is_expired) >= MAX_USABLE_TOKENS:
        raise TooManyTokens()
    if expires_at is not None and expires_at <= now:
        raise ValueError("The expiry date must be in the future.")
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name.strip(), token_hash=ApiToken.hash_token(secret), created_at=now, expires_at=expires_at
    )
    return CreatedToken(token, secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token from now on (kept, so the account page can show it was revoked)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record that the token was used now (at most once a TOUCH_EVERY: no write per request)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
