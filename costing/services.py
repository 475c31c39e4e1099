"""The one bridge from the database to the engine."""

from __future__ import annotations

from costing import engine, selectors
from pathways.models import CostModel


def compare_cost_model(cost_model: CostModel | int) -> engine.Comparison:
    """Cost a stored model: load its rows (fixed query count) and run the engine."""
    pk = cost_model if isinstance(cost_model, int) else cost_model.pk
    loaded = selectors.cost_model_with_rows(cost_model_id=pk)
    return engine.compare(selectors.engine_model(loaded))
