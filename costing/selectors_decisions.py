"""Reads of decision support: a cost model's stored inputs as a DecisionSettings.

A model without stored inputs gets the defaults; nothing is created on a read.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from costing.decisions.payback import SetupCosts
from costing.decisions.settings import DecisionSettings
from costing.models import APPOINTMENT_FIELDS, DecisionInputs, SetupCost
from pathways.models import CostModel


def stored_inputs(cost_model: CostModel) -> DecisionInputs | None:
    """The model's DecisionInputs row, or None (never created here)."""
    try:
        return cost_model.decision_inputs
    except DecisionInputs.DoesNotExist:
        return None


def setup_cost_rows(cost_model: CostModel) -> list[SetupCost]:
    return list(SetupCost.objects.filter(cost_model=cost_model).select_related("role").order_by("position", "id"))


def decision_settings(cost_model: CostModel) -> DecisionSettings:
    """The model's decision inputs and set-up costs (two queries), or the defaults."""
    return settings_from_rows(stored_inputs(cost_model), setup_cost_rows(cost_model))


def settings_from_rows(inputs: DecisionInputs | None, rows: list[SetupCost]) -> DecisionSettings:
    setup, roles = setup_costs_from_rows(rows)
    if inputs is None:
        return DecisionSettings(setup=setup, setup_roles=roles)
    return DecisionSettings(
        role_rate_percent=inputs.rate_percent,
        step_minutes_percent=inputs.minutes_percent,
        extra_costs_percent=inputs.extra_costs_percent,
        patients_percent=inputs.patients_percent,
        draws=inputs.draws,
        seed=inputs.seed,
        rate_uncertainty_percent=inputs.rate_uncertainty_percent,
        minutes_uncertainty_percent=inputs.minutes_uncertainty_percent,
        appointment_minutes={kind: getattr(inputs, name) for kind, name in APPOINTMENT_FIELDS.items()},
        setup=setup,
        setup_roles=roles,
    )


def setup_costs_from_rows(rows: list[SetupCost]):
    """SetupCosts from stored lines: hours of one role and kind added up; an amount is an
    'other' cost named by its kind and description (made unique with a number)."""
    hours: dict[str, dict[str, Decimal]] = {kind: defaultdict(Decimal) for kind in ("training", "template", "admin")}
    others: dict[str, Decimal] = {}
    roles = {}
    for row in rows:
        if row.role_id is not None and row.hours is not None and row.kind in hours:
            hours[row.kind][row.role.key] += row.hours
            roles.setdefault(row.role.key, row.role.as_engine_role())
        elif row.amount is not None:
            label = setup_amount_label(row.kind, row.description)
            unique, n = label, 1
            while unique in others:
                n += 1
                unique = f"{label} ({n})"
            others[unique] = row.amount
    setup = SetupCosts(
        training_hours=dict(hours["training"]),
        template_hours=dict(hours["template"]),
        admin_hours=dict(hours["admin"]),
        other_costs=others,
    )
    return setup, tuple(roles.values())


def setup_amount_label(kind: str, description: str) -> str:
    """How an amount of a set-up line is named: 'Training: external trainer', or its description."""
    description = description.strip()
    if kind == SetupCost.Kind.OTHER:
        return description or SetupCost.Kind.OTHER.label
    label = SetupCost.Kind(kind).label
    return f"{label}: {description}" if description else label
