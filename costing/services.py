"""The one bridge from the database to the engine."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction

from costing import engine, selectors, whatif
from pathways.models import CostModel
from pathways.services import cost_model_import

# Headline figures are cached under the model's id, version and creation time. Every
# change to a model, its cohorts, or the pathways and roles it is costed with gives it a
# new version (pathways.services, practices.services.roles, pathways.history), so a
# cached figure is never one the model no longer gives; the creation time tells apart
# two models that had the same id (SQLite can reuse the id of a rolled-back insert).
HEADLINE_CACHE_SECONDS = 7 * 24 * 60 * 60


def compare_cost_model(cost_model: CostModel | int) -> engine.Comparison:
    """Cost a stored model: load its rows (fixed query count) and run the engine."""
    pk = cost_model if isinstance(cost_model, int) else cost_model.pk
    return compare_loaded(selectors.cost_model_with_rows(cost_model_id=pk))


def compare_loaded(cost_model: CostModel) -> engine.Comparison:
    """Cost a model fetched through selectors.cost_models_with_rows (no further queries)."""
    comparison = engine.compare(selectors.engine_model(cost_model))
    remember_headline(cost_model, comparison)
    return comparison


def headline_key(pk: int, version: int, created_at: datetime) -> str:
    return f"costing:headline:{pk}:{version}:{created_at.isoformat()}"


def remember_headline(cost_model: CostModel, comparison: engine.Comparison) -> None:
    """Cache the totals of a comparison of the stored model as it was loaded (its version)."""
    _cache_on_commit(
        {headline_key(cost_model.pk, cost_model.version, cost_model.created_at): engine.Headline.of(comparison)}
    )


def _cache_on_commit(values: dict) -> None:
    """Cache figures once what they were read from is committed: at once outside a transaction.

    Inside a transaction that then rolls back, a version could be read that is
    never committed, and later given to different figures: those are not cached.
    """
    if values:
        transaction.on_commit(lambda: cache.set_many(values, HEADLINE_CACHE_SECONDS))


def headlines(cost_models: Iterable[CostModel]) -> dict[int, engine.Headline]:
    """The totals of stored models by id, in a fixed number of queries whatever their number.

    ``cost_models`` need only their id, version and created_at (light rows of a
    list). Totals cached for that version are used as they are; the others are
    costed together (selectors.headline_rows, four queries, and the engine) and
    cached. A model deleted meanwhile is left out.
    """
    keys = {m.pk: headline_key(m.pk, m.version, m.created_at) for m in cost_models}
    cached = cache.get_many(list(keys.values())) if keys else {}
    found = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in keys if pk not in found]
    if missing:
        fresh = headlines_from_rows(selectors.headline_rows(missing))
        found.update({pk: h.headline for pk, h in fresh.items()})
        _cache_on_commit({headline_key(pk, h.version, h.created_at): h.headline for pk, h in fresh.items()})
    return found


@dataclass(frozen=True)
class VersionedHeadline:
    headline: engine.Headline
    version: int
    created_at: datetime


def headlines_from_rows(rows: selectors.HeadlineRows) -> dict[int, VersionedHeadline]:
    """Cost the models of ``rows`` (selectors.headline_rows) for their totals, with the version they are of."""
    with _cycle_collector_paused():
        batch = selectors.totals_batch(rows)
        figures = engine.headlines(batch.models, batch.pathways, batch.roles)
    return {pk: VersionedHeadline(headline, *batch.versions[pk]) for pk, headline in figures.items()}


@contextmanager
def _cycle_collector_paused():
    """Pause Python's cycle collector while a batch's rows are built and costed.

    They hold no reference cycles, but for thousands of models they are hundreds
    of thousands of tuples, which the collector would walk again and again;
    they are freed by reference counting all the same.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
