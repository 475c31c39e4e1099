"""Errors of the API: always ``{"detail": "..."}`` JSON; refused access goes to the security log as for pages."""

from __future__ import annotations

from collections.abc import Sequence

from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler as drf_exception_handler

from costing import exchange
from practices.security import log_refused


class ModelFileRejected(APIException):
    """A body that is not a valid model file (or part of one): 400 with cost_model's one line."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, error: exchange.ModelFileError):
        super().__init__(str(error))
        self.error = error


class ProfileRejected(APIException):
    """A profile body with problems (api/profiles.py): 400 with each at its place; nothing written."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, problems: Sequence):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def profile_error_json(problems: Sequence) -> dict:
    """``problems`` (each with field and problem): the first as a model file's error is, and all of them."""
    first = problems[0]
    return {
        "detail": "; ".join(str(p) for p in problems),
        "field": first.field,
        "problem": first.problem,
        "problems": [{"field": p.field, "problem": p.problem} for p in problems],
    }


def model_file_error_json(error: exchange.ModelFileError) -> dict:
    return {"detail": str(error), "field": error.path, "problem": error.message}


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handling (logged with its traceback)
    if isinstance(exc, ModelFileRejected):
        response.data = model_file_error_json(exc.error)
    elif isinstance(exc, ProfileRejected):
        response.data = profile_error_json(exc.problems)
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
