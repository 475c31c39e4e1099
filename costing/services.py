"""The one bridge from the database to the engine."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from costing import engine, selectors, whatif
from pathways.models import CostModel
from pathways.services import cost_model_import


def compare_cost_model(cost_model: CostModel | int) -> engine.Comparison:
    """Cost a stored model: load its rows (fixed query count) and run the engine."""
    pk = cost_model if isinstance(cost_model, int) else cost_model.pk
    return compare_loaded(selectors.cost_model_with_rows(cost_model_id=pk))


def compare_loaded(cost_model: CostModel) -> engine.Comparison:
    """Cost a model fetched through selectors.cost_models_with_rows (no further queries)."""
    return engine.compare(selectors.engine_model(cost_model))


@transaction.atomic
def scenario_save(
    *,
    cost_model: CostModel,
    model: engine.CostModel,
    changes: whatif.WhatIf,
    name: str,
    by: AbstractBaseUser | None,
) -> CostModel:
    """Store a what-if as a new model based on ``cost_model``; the original is untouched.

    Roles and pathways the changes leave alone are shared; changed ones are
    stored as new roles and pathways of the practice (cost_model_import).
    """
    assumptions = whatif.describe(model, changes)
    scenario = cost_model_import(practice=cost_model.practice, model=whatif.apply(model, changes), by=by, name=name)
    scenario.based_on = cost_model
    note = "What-if of “" + cost_model.name + "”: " + ("; ".join(assumptions) if assumptions else "no changes") + "."
    scenario.description = f"{note}\n\n{cost_model.description}".strip()
    scenario.save(update_fields=["based_on", "description"])
    return scenario
