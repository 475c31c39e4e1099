"""Costing a stored model takes the same number of queries whatever its size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from costing import engine
from pathways import selectors
from pathways.models import CohortGroup
from tests.factories import CohortFactory, CostModelFactory, PathwayFactory, PracticeFactory, StageFactory

pytestmark = pytest.mark.django_db


def _model_with(cohorts: int, **practice):
    model = CostModelFactory(**practice)
    for i in range(cohorts):
        pathway = PathwayFactory(practice=model.practice)
        StageFactory(pathway=pathway)
        StageFactory(pathway=pathway, role=None, minutes=0, extra_cost="0.56", visit=None, step="recall")
        # Every other cohort names a group of its own (format version 2), reviewed twice.
        group = None
        if i % 2:
            group = CohortGroup.objects.create(
                practice=model.practice, cost_model=model, position=i, key=f"g{i}", label=f"Group {i}", people=3
            )
        CohortFactory(
            cost_model=model,
            pathway=pathway,
            side="before" if i % 2 else "after",
            group=group,
            times=2 if group else 1,
            **({"patients": 3} if group else {}),
        )
    return model


def _queries(model) -> int:
    with CaptureQueriesContext(connection) as ctx:
        selectors.compare_cost_model(model.pk)
    return len(ctx.captured_queries)


def test_costing_queries_do_not_grow_with_cohorts():
    small, large = _model_with(10), _model_with(100)

    # The model, its groups, its cohorts, their conditions, their pathways, the stages with their roles.
    assert _queries(small) == _queries(large) <= 7


def _side_by_side_queries(models) -> int:
    with CaptureQueriesContext(connection) as ctx:
        for model in selectors.compared_models(practice=models[0].practice, ids=[m.pk for m in models]):
            selectors.compare_loaded(model)
    return len(ctx.captured_queries)


def test_side_by_side_queries_do_not_grow_with_models():
    practice, other = PracticeFactory(), PracticeFactory()
    two = [_model_with(2, practice=practice) for _ in range(2)]
    six = [_model_with(2, practice=other) for _ in range(6)]

    assert _side_by_side_queries(two) == 6
    assert _side_by_side_queries(six) == 6


def _headline_queries(model) -> int:
    with CaptureQueriesContext(connection) as ctx:
        selectors.headlines_from_rows(selectors.headline_rows([model.pk]))
    return len(ctx.captured_queries)


def test_headline_queries_do_not_grow_with_cohorts():
    small, large = _model_with(10), _model_with(100)

    # The models, their cohorts summed by side, pathway and group, the stages, the roles.
    assert _headline_queries(small) == _headline_queries(large) == 4


def test_headlines_from_rows_count_people_and_reviews_as_compare_does():
    model = _model_with(6)
    group = CohortGroup.objects.get(cost_model=model, key="g1")
    pathway = PathwayFactory(practice=model.practice)
    StageFactory(pathway=pathway)
    # The group named again on its side (on another pathway and on one it shares) and on the other side:
    # its 3 people count once a side, each of its reviews every time.
    for side, on in (("before", pathway), ("before", model.cohorts.get(group=group).pathway), ("after", pathway)):
        CohortFactory(cost_model=model, pathway=on, side=side, group=group, patients=3, times=3)
    CohortFactory(cost_model=model, pathway=pathway, side="after", patients=5)

    (batched,) = selectors.headlines_from_rows(selectors.headline_rows([model.pk])).values()
    full = selectors.compare_cost_model(model.pk)

    assert batched.headline == engine.Headline.of(full)
    assert (batched.headline.people_before, batched.headline.reviews_before) == (
        full.before.people,
        full.before.reviews,
    )
    assert (batched.headline.people_after, batched.headline.reviews_after) == (full.after.people, full.after.reviews)
    assert full.before.people == 3 * 3 and full.before.reviews == 3 * 3 * 2 + 3 * 3 * 2


def test_headlines_from_rows_of_a_pathway_without_stages_are_zero_as_compare_says():
    model = _model_with(2)
    CohortFactory(cost_model=model, pathway=PathwayFactory(practice=model.practice), side="after", patients=4)

    (batched,) = selectors.headlines_from_rows(selectors.headline_rows([model.pk])).values()

    assert batched.headline == engine.Headline.of(selectors.compare_cost_model(model.pk))
