"""Writes of decision support: a cost model's decision inputs and set-up costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from costing.decisions import settings as decision_settings
from costing.models import APPOINTMENT_FIELDS, PERCENT_FIELDS, DecisionInputs, SetupCost
from pathways.models import CostModel
from practices.models import StaffRole

INPUT_FIELDS = (*PERCENT_FIELDS, "draws", "seed", *APPOINTMENT_FIELDS.values())


@dataclass(frozen=True)
class SetupCostInput:
    kind: str
    role: StaffRole | None
    hours: Decimal | None
    amount: Decimal | None
    description: str = ""


@transaction.atomic
def decision_inputs_save(
    *,
    cost_model: CostModel,
    values: Mapping[str, object],
    setup_costs: Sequence[SetupCostInput],
    by: AbstractBaseUser | None,
) -> DecisionInputs:
    """Store the model's decision inputs and replace its set-up cost lines, in one transaction.

    ``values`` holds every DecisionInputs field of INPUT_FIELDS; a set-up line's
    role must be of the model's practice (ValueError otherwise).
    """
    missing = [name for name in INPUT_FIELDS if name not in values]
    if missing:
        raise ValueError(f"decision inputs: missing {', '.join(missing)}")
    if len(setup_costs) > decision_settings.MAX_SETUP_LINES:
        raise ValueError(f"at most {decision_settings.MAX_SETUP_LINES} set-up cost lines")
    for line in setup_costs:
        if line.role is not None and line.role.practice_id != cost_model.practice_id:
            raise ValueError("a set-up cost line names another practice's role")
    inputs, _created = DecisionInputs.objects.update_or_create(
        cost_model=cost_model, defaults={name: values[name] for name in INPUT_FIELDS}
    )
    SetupCost.objects.filter(cost_model=cost_model).delete()
    SetupCost.objects.bulk_create(
        SetupCost(
            cost_model=cost_model,
            kind=line.kind,
            role=line.role,
            hours=line.hours,
            amount=line.amount,
            description=line.description,
            position=position,
        )
        for position, line in enumerate(setup_costs)
    )
    return inputs
