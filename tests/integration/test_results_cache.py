"""The comparison page's results part, cached under a digest of the model as costed (pathways.views.compare)."""

import re
from decimal import Decimal as D

import pytest
from django.core.cache import cache

from pathways import selectors
from pathways.services import cost_model_import
from pathways.views import compare
from practices.models import Membership, StaffRole
from practices.services.roles import staff_role_update
from tests.factories import MembershipFactory, PracticeFactory

pytestmark = pytest.mark.django_db
RESULTS = re.compile(r'<div id="results">(.*?)</div>\s*</div>\s*<div class="col-xl-4">', re.DOTALL)


@pytest.fixture
def page(client, example_b):
    practice = PracticeFactory(ods_code="B82001")
    stored = cost_model_import(practice=practice, model=example_b, by=None)
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user)
    return stored


def _results(client, cost_model) -> str:
    return RESULTS.search(client.get(cost_model.get_absolute_url()).content.decode()).group(1)


def test_the_cached_results_are_those_drawn_afresh(client, page):
    cache.clear()
    drawn = _results(client, page)  # drawn, then cached
    cached = _results(client, page)

    assert cached == drawn and "£31.39 → £17.72" in cached
    assert any(key.startswith(":1:compare:results:") for key in cache._cache)  # noqa: SLF001 - locmem's store


def test_a_change_to_the_model_is_never_answered_from_the_cache(client, page):
    cache.clear()
    before = _results(client, page)
    role = StaffRole.objects.get(practice=page.practice, key="pn")
    staff_role_update(role=role, by=None, name=role.name, key=role.key, cost_per_hour=D("30.00"))

    after = _results(client, page)

    assert after != before
    assert "£31.39 → £17.72" not in after
    comparison = selectors.compare_cost_model(page)
    assert f"£{comparison.before.cost} → £{comparison.after.cost}" in after


def test_a_failing_cache_is_passed_by(client, page, monkeypatch):
    class Broken:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(compare, "cache", Broken())  # the page's cache alone: sessions and lockouts keep theirs

    assert "£31.39 → £17.72" in _results(client, page)
