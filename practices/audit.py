"""Who acted, in the audit trail (django-simple-history).

A service that writes audited rows takes ``by=``, the acting user, and is
decorated with ``@audited``: every history record it writes, those of rows
deleted with a parent included, names ``by`` as the user. Without ``by`` (a test,
a command run by nobody in particular) the record names the request's user, as
simple-history's HistoryRequestMiddleware has it, or nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from django.contrib.auth.models import AbstractBaseUser

P = ParamSpec("P")
R = TypeVar("R")

_acting: ContextVar[AbstractBaseUser | None] = ContextVar("acting_user", default=None)


def audited(service: Callable[P, R]) -> Callable[P, R]:
    """Run ``service`` with its ``by=`` as the user of every history record it writes."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _acting.set(kwargs["by"])
        try:
            return service(*args, **kwargs)
        finally:
            _acting.reset(token)

    return run


def history_user(*, request=None, **kwargs) -> AbstractBaseUser | None:
    """The ``get_user`` of every HistoricalRecords: the acting service's ``by``, else the request's user."""
    by = _acting.get()
    if by is not None:
        return by
    return getattr(request, "user", None)
