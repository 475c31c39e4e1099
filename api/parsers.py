"""The request body: read as bytes up to a limit, then decoded by costing.exchange (exact decimals).

REST framework's own JSON parser reads numbers with a point as binary floats and
reads a body of any size; model files need exact decimals and a bound.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions, parsers, status


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def body_limit() -> int:
    return settings.API_MAX_BODY_BYTES


class RawJSONParser(parsers.BaseParser):
    """``application/json`` as bytes (at most API_MAX_BODY_BYTES), for costing.exchange to decode."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        limit = body_limit()
        request = parser_context["request"]
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise BodyTooLarge(f"The request body is {declared:,} bytes; the API takes at most {limit:,}.")
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise BodyTooLarge(f"The request body is more than {limit:,} bytes; the API takes at most {limit:,}.")
        return data
