"""The cache shared by every worker (CACHE_URL=redis://...): an analysis one process makes, another uses."""

import socket

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config.caches import cache_config
from costing.decisions.settings import DecisionSettings
from pathways import selectors
from pathways.services import cost_model_import
from tests.factories import PracticeFactory

REDIS = "redis://127.0.0.1:6379/15"  # a database of its own, emptied by these tests


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_without_a_url_each_process_caches_in_its_own_memory():
    config = cache_config("", max_entries=123)

    assert config["BACKEND"].endswith("LocMemCache") and config["OPTIONS"]["MAX_ENTRIES"] == 123


def test_a_redis_url_gives_the_shared_cache():
    assert cache_config("redis://cache:6379/1")["BACKEND"] == "config.caches.TolerantRedisCache"


@pytest.mark.parametrize("url", ["memcached://cache:11211", "cache:6379", "http://redis"])
def test_any_other_url_is_refused_by_name(url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must be a Redis URL"):
        cache_config(url)


@pytest.mark.django_db
@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_an_analysis_one_process_makes_is_used_by_another(example_b, django_capture_on_commit_callbacks, monkeypatch):
    stored = cost_model_import(practice=PracticeFactory(), model=example_b, by=None)
    model = selectors.cost_model_with_rows(cost_model_id=stored.pk)
    settings = DecisionSettings(draws=100)
    with override_settings(CACHES={"default": cache_config(REDIS)}):
        cache.clear()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                first = selectors.decision_results(model, settings)

            # Another worker: its own connection to the same Redis finds the analysis under the model's version.
            other = RedisCache(REDIS, {"KEY_PREFIX": "pcsp"})
            assert other.get(selectors.decisions_key(model, settings)) == first
            monkeypatch.setattr(selectors, "analyse", lambda *args: pytest.fail("analysed again"))
            with CaptureQueriesContext(connection) as ctx:
                assert selectors.decision_results(model, settings) == first
            assert not ctx.captured_queries  # nothing read to cost it again
        finally:
            cache.clear()
