"""Logging filters of the one settings module."""

from __future__ import annotations

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A refused request (403, 404: the access check at work) is one line in the console, not a traceback.

    Django logs the exception that made the response; for 4xx it is expected, and the
    pcsp.security log records the refusal. 5xx keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
