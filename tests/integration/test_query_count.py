"""Costing a stored model takes the same number of queries whatever its size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pathways import selectors
from tests.factories import CohortFactory, CostModelFactory, PathwayFactory, StageFactory

pytestmark = pytest.mark.django_db


def _model_with(cohorts: int):
    model = CostModelFactory()
    for i in range(cohorts):
        pathway = PathwayFactory(practice=model.practice)
        StageFactory(pathway=pathway)
        StageFactory(pathway=pathway, role=None, minutes=0, extra_cost="0.56", visit=None, step="recall")
        CohortFactory(cost_model=model, pathway=pathway, side="before" if i % 2 else "after")
    return model


def _queries(model) -> int:
    with CaptureQueriesContext(connection) as ctx:
        selectors.compare_cost_model(model.pk)
    return len(ctx.captured_queries)


def test_costing_queries_do_not_grow_with_cohorts():
    small, large = _model_with(10), _model_with(100)

    assert _queries(small) == _queries(large) <= 6
