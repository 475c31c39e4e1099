"""What every view of the API shares: strict query parameters, and optimistic locking by If-Match."""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request

from api import schema

LIST_PARAMETERS = frozenset({"page", "page_size"})


class StrictQuery:
    """A query parameter the operation does not take is a 400 that names it, not quietly ignored
    (``?organization=`` for ``?organisation=`` would otherwise show every practice)."""

    query_parameters: frozenset[str] = frozenset()
    query_prefixes: tuple[str, ...] = ()  # families of parameters, such as the roll-up's model_<ODS code>

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication first: no token is a 401 whatever the query
        unknown = sorted(
            name
            for name in request.query_params
            if name not in self.query_parameters and not name.startswith(self.query_prefixes)
        )
        if unknown:
            raise ValidationError(f"Unknown query parameter {unknown[0][:50]!r}.")


# ------------------------------------------------------------------ If-Match: a model's or a profile's version

ETAG = re.compile(r'^\s*(?:W/)?"?([0-9]{1,9})"?\s*$')


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the version (the ETag) you read to change it."


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "It has changed since that version: read it again, then send the new version."


def if_match(what: str, *, required: bool = True) -> OpenApiParameter:
    return OpenApiParameter(
        "If-Match",
        location=OpenApiParameter.HEADER,
        required=required,
        description=f'The {what}\'s version as its ETag gave it (for example "3"): the change is refused with 412 '
        f"if someone saved the {what} since.",
    )


def version_errors(what: str, *, required: bool = True) -> dict:
    errors = {412: OpenApiResponse(schema.ERROR, description=f"The {what} changed since that version: read it again.")}
    if required:
        errors[428] = OpenApiResponse(schema.ERROR, description="If-Match is missing: send the version you read.")
    return errors


def expected_version(request: Request, instance, *, required: bool = True) -> int | None:
    """The version named by If-Match: 428 without one (None if not ``required``), 412 unless it is the instance's."""
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            raise PreconditionRequired()
        return None
    match = ETAG.match(header)
    if match is None or int(match.group(1)) != instance.version:
        raise PreconditionFailed()
    return instance.version


def etag(instance) -> dict[str, str]:
    return {"ETag": f'"{instance.version}"'}
