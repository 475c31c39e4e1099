"""pathways.selectors for the pages: what the view tests do not already show."""

import pytest

from pathways import selectors
from tests.factories import CohortFactory, PracticeFactory

pytestmark = pytest.mark.django_db


def test_compared_models_are_the_practices_own_by_name_with_their_rows_read():
    practice = PracticeFactory()
    later = CohortFactory(cost_model__practice=practice, cost_model__name="B").cost_model
    first = CohortFactory(cost_model__practice=practice, cost_model__name="A").cost_model
    foreign = CohortFactory(cost_model__name="A").cost_model

    models = selectors.compared_models(practice=practice, ids=[later.pk, first.pk, foreign.pk])

    assert models == [first, later]
    assert all(hasattr(m, "_engine_rows") for m in models)
