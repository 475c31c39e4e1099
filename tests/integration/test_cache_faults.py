"""The cache is an optimisation: with Redis down, or accepting connections and never answering, pages serve."""

import logging
import socket
import threading
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from config import caches
from config.caches import cache_config
from pathways.services import cost_model_import
from practices.models import FacilitatorAssignment
from tests.factories import FacilitatorFactory, PracticeFactory

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on leaving: connections are refused


@pytest.fixture
def hung_redis():
    """A server that accepts connections and never answers (a Redis stopped with SIGSTOP, a dead link)."""
    server = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def pages(example_cd):
    practice = PracticeFactory(ods_code="A81001")
    model = cost_model_import(practice=practice, model=example_cd, by=None)
    facilitator = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    urls = [
        reverse("dashboard"),
        reverse("practice_detail", args=[practice.ods_code]),
        reverse("model_detail", args=[practice.ods_code, model.pk]),
        reverse("scenario_compare", args=[practice.ods_code]),
        reverse("rollup"),
        reverse("rollup_export"),
    ]
    return facilitator.user, urls


def _serve_all(client, user, urls, url_of_cache, caplog):
    client.force_login(user)
    with override_settings(CACHES={"default": cache_config(url_of_cache)}), caplog.at_level(logging.WARNING):
        started = time.monotonic()
        codes = {url: client.get(url).status_code for url in urls}
        took = time.monotonic() - started
    return codes, took


def test_with_the_cache_down_every_page_serves_and_it_is_logged(client, pages, caplog):
    user, urls = pages

    codes, _took = _serve_all(client, user, urls, f"redis://127.0.0.1:{_closed_port()}/0", caplog)

    assert codes == {url: 200 for url in urls}
    assert any(r.name == "pcsp.cache" and "cache unavailable" in r.getMessage() for r in caplog.records)


def test_with_the_cache_hung_every_page_serves_without_waiting_on_it(client, pages, caplog, hung_redis):
    user, urls = pages

    codes, took = _serve_all(client, user, urls, hung_redis, caplog)
    print(f"{len(urls)} pages in {took:.2f} s with the cache hung")

    assert codes == {url: 200 for url in urls}
    # One short timeout, then the cache is left alone for a while: not a timeout per call.
    assert took < 10 * caches.SOCKET_TIMEOUT + 15, took
    warnings = [r for r in caplog.records if r.name == "pcsp.cache"]
    assert len(warnings) == 1 and "Timeout" in warnings[0].getMessage()


def test_a_failed_cache_is_tried_again_after_a_pause(monkeypatch):
    with override_settings(CACHES={"default": cache_config(f"redis://127.0.0.1:{_closed_port()}/0")}):
        assert cache.get("k", "miss") == "miss"
        assert cache.available is False
        client = cache._cache
        calls = []
        monkeypatch.setattr(caches.RedisCacheClient, "get", lambda self, key, default: calls.append(key) or "hit")
        assert cache.get("k", "miss") == "miss" and calls == []  # resting: not tried
        client._resting_until = 0
        assert cache.get("k", "miss") == "hit"


def test_load_reference_data_with_the_cache_down_loads_and_says_so(capsys, django_capture_on_commit_callbacks):
    with (
        override_settings(CACHES={"default": cache_config(f"redis://127.0.0.1:{_closed_port()}/0")}),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("load_reference_data", verbosity=0)  # no error: loaded

    assert "did not answer" in capsys.readouterr().err
