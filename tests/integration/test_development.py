"""What a developer sees under `make run`: the address served, and a quiet console for expected refusals."""

import io
import logging

import pytest
from django.core.management import call_command

from config.log_filters import RefusalsWithoutTraceback

pytestmark = pytest.mark.django_db


def test_setup_demo_prints_the_address_it_is_given():
    out = io.StringIO()

    call_command("setup_demo", "--address", "127.0.0.1:8101", stdout=out)

    assert "Log in at http://127.0.0.1:8101/ as:" in out.getvalue()
    assert "8000" not in out.getvalue()


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("refused")
    except PermissionError as error:
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden", (), None)
        record.exc_info = (type(error), error, error.__traceback__)
        record.status_code = status
        return record


@pytest.mark.parametrize("status", [403, 404])
def test_an_expected_refusal_is_logged_without_its_traceback(status):
    record = _record(status)

    assert RefusalsWithoutTraceback().filter(record)

    assert record.exc_info is None
    assert "Traceback" not in logging.Formatter().format(record)


def test_a_server_error_keeps_its_traceback():
    record = _record(500)

    assert RefusalsWithoutTraceback().filter(record)

    assert "Traceback" in logging.Formatter().format(record)


def test_the_filter_is_on_djangos_request_logger():
    assert any(isinstance(f, RefusalsWithoutTraceback) for f in logging.getLogger("django.request").filters)
