"""Errors of the API: always ``{"detail": "..."}`` JSON; refused access goes to the security log as for pages."""

from __future__ import annotations

from rest_framework import status
from rest_framework.views import exception_handler as drf_exception_handler

from practices.security import log_refused


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handling (logged with its traceback)
    if response.status_code in (status.HTTP_403_FORBIDDEN, status.HTTP_404_NOT_FOUND):
        log_refused(context["request"], response.status_code)
    if not (isinstance(response.data, dict) and isinstance(response.data.get("detail"), str)):
        response.data = {"detail": _one_line(response.data)}
    return response


def _one_line(data) -> str:
    """A validation error's messages as one line (``field: problem; ...``)."""
    if isinstance(data, dict):
        return "; ".join(f"{key}: {_one_line(value)}" for key, value in data.items())
    if isinstance(data, list):
        return "; ".join(_one_line(item) for item in data)
    return str(data)
