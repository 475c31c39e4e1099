"""Each model's totals, stored: the one way lists and roll-ups get them.

A model's totals (the engine's Headline) are a row of ModelTotals, computed at
the model's version, and a scenario's at its base's version too. Every change
that moves a version calls refresh in its own transaction, so the row is written
with the change or not at all; headlines reads the rows of many models in one
query, and any row whose versions no longer match (or that is missing: a model
written by code that did not call refresh) is computed, stored and returned, so
the figures are right even where a writer forgot.

Versions are read before the rows they are computed from: a change committed in
between gives figures newer than their version, which the next read finds stale
and computes again, never figures older than the version they are stored under.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import fields
from decimal import Decimal

from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL

from costing import engine
from pathways import selectors
from pathways.models import CostModel, ModelTotals

logger = logging.getLogger(__name__)

# Headline's figures after its period, in its order, each a column of ModelTotals of the same name but the money's.
COLUMNS = {
    f.name: f"cost_{f.name}" if f.name in ("before", "after") else f.name
    for f in fields(engine.Headline)
    if f.name != "period"
}
# What a scenario is costed with besides its base's rows (selectors.engine_model).
SCENARIO_FIELDS = ("id", "name", "description", "period", "version", "created_at", "overlay", "based_on_id")


def _count(value: Decimal | int) -> int | Decimal:
    """A stored count as the engine gives it: a whole number as an int, else a Decimal without trailing zeros."""
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else value.normalize()


PERIODS = {p.value: p for p in engine.Period}


def _headline(period: str, before, after, *counts_and_minutes) -> engine.Headline:
    """A stored row's figures (COLUMNS' order) as the engine's Headline. Money comes back to the penny
    (the column's two places); counts and minutes lose the column's trailing zeros, as the engine gives them."""
    vb, va, smb, sma, pb, pa, rb, ra, cmb, cma = counts_and_minutes
    minutes = engine.normalise_minutes
    return engine.Headline(
        PERIODS[period],
        before,
        after,
        _count(vb),
        _count(va),
        minutes(smb),
        minutes(sma),
        _count(pb),
        _count(pa),
        _count(rb),
        _count(ra),
        minutes(cmb),
        minutes(cma),
    )


def headline_of(row: ModelTotals) -> engine.Headline:
    """The stored row as the engine's Headline, equal to the one it was computed as."""
    return _headline(row.period, *(getattr(row, column) for column in COLUMNS.values()))


def columns(headline: engine.Headline) -> dict:
    """The figures of ``headline`` as ModelTotals' columns (all but the versions)."""
    return {"period": headline.period.value, **{column: getattr(headline, field) for field, column in COLUMNS.items()}}


def _row(pk: int, headline: engine.Headline, version: int, base_version: int | None) -> ModelTotals:
    return ModelTotals(cost_model_id=pk, version=version, base_version=base_version, **columns(headline))


def fresh(cost_model_ids: Iterable[int]) -> dict[int, ModelTotals]:
    """The totals of these models computed now from their rows (not stored): models in their own
    right in four queries (selectors.headline_rows), scenarios in six more. A model that does not
    exist is left out, as is a scenario whose overlay no longer fits its base (logged)."""
    ids = list(dict.fromkeys(cost_model_ids))
    if not ids:
        return {}
    scenarios = list(CostModel.objects.filter(pk__in=ids, overlay__isnull=False).only(*SCENARIO_FIELDS))
    own = set(ids) - {s.pk for s in scenarios}
    found = {
        pk: _row(pk, h.headline, h.version, None)
        for pk, h in selectors.headlines_from_rows(selectors.headline_rows(own)).items()
    }
    for scenario in selectors.load_engine_rows(scenarios):
        try:
            headline = engine.headline(selectors.engine_model(scenario))
        except ValueError:
            logger.warning("the totals of scenario %s could not be computed", scenario.pk, exc_info=True)
            continue
        found[scenario.pk] = _row(scenario.pk, headline, scenario.version, scenario.based_on.version)
    return found


def _store(rows: Iterable[ModelTotals]) -> None:
    """Insert or replace these rows, in the order of their models' ids (two writers lock in one order)."""
    ModelTotals.objects.bulk_create(
        sorted(rows, key=lambda r: r.cost_model_id),
        update_conflicts=True,
        unique_fields=["cost_model"],
        update_fields=["version", "base_version", "period", *COLUMNS.values()],
    )


def refresh(cost_model_ids: Iterable[int]) -> None:
    """Compute and store the totals of these models and of the scenarios based on them (an edit of a
    base changes its scenarios' figures): call it in the transaction of every change that moves a
    version, after the change."""
    ids = set(cost_model_ids)
    if not ids:
        return
    ids.update(CostModel.objects.filter(based_on_id__in=ids, overlay__isnull=False).values_list("pk", flat=True))
    _store(fresh(ids).values())


def refresh_all(batch: int = 500) -> None:
    """Every model's totals, ``batch`` models at a time (the data migration; a repair)."""
    ids = list(CostModel.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        _store(fresh(ids[start : start + batch]).values())


def current() -> Q:
    """Rows at their model's version, and a scenario's at its base's."""
    return Q(version=F("cost_model__version")) & (
        Q(cost_model__overlay__isnull=True, base_version__isnull=True)
        | Q(cost_model__overlay__isnull=False, base_version=F("cost_model__based_on__version"))
    )


def _among(ids: list[int]):
    """``cost_model_id IN ids``; on PostgreSQL one array parameter (thousands of placeholders are slow to send)."""
    if connection.vendor == "postgresql" and len(ids) > 100:
        column = f'"{ModelTotals._meta.db_table}"."cost_model_id"'
        return RawSQL(f"{column} = ANY(%s)", (ids,), output_field=BooleanField())  # noqa: S611 -- our own names
    return Q(cost_model_id__in=ids)


def headlines(cost_models: Iterable[CostModel]) -> dict[int, engine.Headline]:
    """The totals of stored models by id: one query when every row is current.

    ``cost_models`` need only their id. A model whose row is missing or stale is
    computed (fresh) and its row stored, in a savepoint: should that write fail
    (a model deleted meanwhile, say), the figures are still returned. A model
    deleted meanwhile is left out.
    """
    ids = list(dict.fromkeys(m.pk for m in cost_models))
    if not ids:
        return {}
    rows = ModelTotals.objects.filter(current(), _among(ids)).values_list("cost_model_id", "period", *COLUMNS.values())
    found = {pk: _headline(*figures) for pk, *figures in rows}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        rows = fresh(missing)
        try:
            with transaction.atomic():
                _store(rows.values())
        except DatabaseError:
            logger.warning("totals of %s models computed but not stored", len(rows), exc_info=True)
        found.update({pk: headline_of(row) for pk, row in rows.items()})
    return found
