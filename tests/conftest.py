from pathlib import Path

import pytest
from django.core.management import call_command

from costing import exchange

FIXTURES = Path(__file__).resolve().parents[1] / "costing" / "fixtures"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference data (pay bands, postage, condition registers) in every test database."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture
def example_b():
    return exchange.loads((FIXTURES / "example_b.json").read_bytes())


@pytest.fixture
def example_b_copd_twice():
    """Format version 2's example: one person (a group), the COPD review twice before."""
    return exchange.loads((FIXTURES / "example_b_copd_twice.json").read_bytes())


@pytest.fixture
def example_cd():
    return exchange.loads((FIXTURES / "example_cd.json").read_bytes())


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests log in many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def no_weasyprint(monkeypatch):
    """WeasyPrint fails to import, as on a server without Pango (its import raises OSError there)."""

    def import_writer():
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")

    monkeypatch.setattr("reports.pdf._import_writer", import_writer)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files the app stores (batch report zips) go to a folder of each test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def batch_reports_built_here(settings):
    """A batch's reports one after another in the test's process: its stand-ins for WeasyPrint, its data."""
    settings.BATCH_REPORT_MODE = "sequential"
