"""One-way sensitivity: which input moves the saving most (the bars of a tornado chart).

Each input group is moved down and up by a percentage while everything else
stays as it is, and the saving is costed again by the engine's rules, exactly:

- a role's cost per hour (default ±20 %): an hourly role's ``cost_per_hour`` is
  scaled, a salaried role's ``annual_salary`` is scaled (on-costs and paid hours
  unchanged), so the rate moves by exactly the percentage and is never rounded;
- the minutes of one kind of step (default ±20 %): every stage of that step, in
  every pathway, before and after, together;
- postage and other extra costs (default ±50 %): every stage's extra cost, each
  rounded half up to the penny (money is whole pennies);
- patient numbers (default ±20 %): the model's patient scale (costing rule 8),
  exactly, as the what-if panel does: no rounding to whole people, so even a
  model of one person per cohort has its swing.

Limits on minutes, rates and the what-if patient scale are not enforced here: a
tornado shows a plausible range, not an input. A percentage is at most 100, so
nothing becomes negative.

How. The model is costed once, stage line by stage line, in whole pennies
(``engine.stage_pennies``). Each line is rounded to the penny on its own, so a
variation moves only the lines it touches: each side's pennies move by each
touched line's change times that side's passes through it (an exception's
screened pass counts for the lines it incurs, costing rule 7); each side is then
scaled by the model's patient scale, to the penny once (rule 8). Patient numbers
touch no line: that varied model's totals come from engine.headline, which costs
each pathway once.
``varied_model`` gives the varied model itself, for a full re-costing
(engine.headline) that these savings equal to the penny
(tests/unit/test_decisions_sensitivity.py checks it on random models).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, Inexact, localcontext
from enum import StrEnum
from fractions import Fraction

from costing import engine

DEFAULT_ROLE_RATE_PERCENT = Decimal(20)
DEFAULT_STEP_MINUTES_PERCENT = Decimal(20)
DEFAULT_EXTRA_COSTS_PERCENT = Decimal(50)
DEFAULT_PATIENTS_PERCENT = Decimal(20)
MAX_PERCENT = Decimal(100)

MINUS = "\u2212"


class InputGroup(StrEnum):
    """What a tornado bar varies."""

    ROLE_RATE = "role_rate"
    STEP_MINUTES = "step_minutes"
    EXTRA_COSTS = "extra_costs"
    PATIENTS = "patients"


@dataclass(frozen=True)
class SensitivityRanges:
    """How far each input group is moved down and up, as a percentage (symmetric).

    ``role_rates`` (by role key) and ``step_minutes`` (by ``engine.Step``) override
    the group's default for one role or one step. A percentage of 0 leaves the
    input out of the chart.
    """

    role_rate_percent: Decimal = DEFAULT_ROLE_RATE_PERCENT
    step_minutes_percent: Decimal = DEFAULT_STEP_MINUTES_PERCENT
    extra_costs_percent: Decimal = DEFAULT_EXTRA_COSTS_PERCENT
    patients_percent: Decimal = DEFAULT_PATIENTS_PERCENT
    role_rates: Mapping[str, Decimal] = field(default_factory=dict)
    step_minutes: Mapping[engine.Step, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        percents = [
            self.role_rate_percent,
            self.step_minutes_percent,
            self.extra_costs_percent,
            self.patients_percent,
            *self.role_rates.values(),
            *self.step_minutes.values(),
        ]
        for percent in percents:
            if not isinstance(percent, Decimal) or not 0 <= percent <= MAX_PERCENT:
                raise ValueError(f"a sensitivity range must be a Decimal percentage from 0 to {MAX_PERCENT}")

    def for_role(self, key: str) -> Decimal:
        return self.role_rates.get(key, self.role_rate_percent)

    def for_step(self, step: engine.Step) -> Decimal:
        return self.step_minutes.get(step, self.step_minutes_percent)


@dataclass(frozen=True)
class TornadoBar:
    label: str
    kind: InputGroup
    # The role key or the step value the bar varies; None for extra costs and patients.
    key: str | None
    percent: Decimal
    low_value_label: str
    high_value_label: str
    # The saving with the input at its low end and at its high end (not the lower
    # and the higher saving: a higher rate of a before-only role raises the saving).
    saving_low: Decimal
    saving_high: Decimal
    # |saving_high - saving_low|: the bar's width.
    swing: Decimal
    base_saving: Decimal


def tornado(
    model: engine.CostModel, *, ranges: SensitivityRanges | None = None, base_saving: Decimal | None = None
) -> tuple[TornadoBar, ...]:
    """The one-way sensitivity bars of a model, widest swing first (ties by label).

    ``base_saving``: the model's saving as modelled, if the caller has costed it
    already (engine.compare(model).saving); costed here if not.
    """
    ranges = ranges or SensitivityRanges()
    if base_saving is None:
        base_saving = engine.headline(model).saving
    lines = _Lines(model)
    stages = [stage for pathway in model.pathways for stage in pathway.stages]
    bars = []

    used_roles = {stage.role for stage in stages if stage.role is not None}
    names = [role.name for role in model.roles]
    for role in model.roles:
        percent = ranges.for_role(role.key)
        if role.key not in used_roles or not percent:
            continue
        label = role.name if names.count(role.name) == 1 else f"{role.name} [{role.key}]"
        low, high = (_scaled_role(role, factor) for factor in _factors(percent))
        bars.append(
            _bar(
                f"{label}: cost per hour",
                InputGroup.ROLE_RATE,
                role.key,
                percent,
                (f"£{low.hourly_rate}/h ({MINUS}{_pc(percent)})", f"£{high.hourly_rate}/h (+{_pc(percent)})"),
                tuple(lines.saving(InputGroup.ROLE_RATE, role.key, factor) for factor in _factors(percent)),
                base_saving,
            )
        )

    for step in engine.Step:
        percent = ranges.for_step(step)
        if not percent or not any(stage.step == step and stage.minutes for stage in stages):
            continue
        bars.append(
            _bar(
                f"{step.label}: minutes",
                InputGroup.STEP_MINUTES,
                step.value,
                percent,
                (f"{MINUS}{_pc(percent)} minutes", f"+{_pc(percent)} minutes"),
                tuple(lines.saving(InputGroup.STEP_MINUTES, step, factor) for factor in _factors(percent)),
                base_saving,
            )
        )

    percent = ranges.extra_costs_percent
    if percent and any(stage.extra_cost for stage in stages):
        bars.append(
            _bar(
                "Postage and other extra costs",
                InputGroup.EXTRA_COSTS,
                None,
                percent,
                (f"{MINUS}{_pc(percent)}", f"+{_pc(percent)}"),
                tuple(lines.saving(InputGroup.EXTRA_COSTS, None, factor) for factor in _factors(percent)),
                base_saving,
            )
        )

    percent = ranges.patients_percent
    if percent and any(cohort.patients for cohort in model.before + model.after):
        bars.append(
            _bar(
                "Patient numbers",
                InputGroup.PATIENTS,
                None,
                percent,
                (f"{MINUS}{_pc(percent)} patients", f"+{_pc(percent)} patients"),
                tuple(lines.saving(InputGroup.PATIENTS, None, factor) for factor in _factors(percent)),
                base_saving,
            )
        )

    return tuple(sorted(bars, key=lambda bar: (-bar.swing, bar.label)))


# --------------------------------------------------------------------------- helpers


def _bar(
    label: str,
    kind: InputGroup,
    key: str | None,
    percent: Decimal,
    value_labels: tuple[str, str],
    savings: tuple[Decimal, Decimal],
    base_saving: Decimal,
) -> TornadoBar:
    low, high = savings
    return TornadoBar(
        label=label,
        kind=kind,
        key=key,
        percent=percent,
        low_value_label=value_labels[0],
        high_value_label=value_labels[1],
        saving_low=low,
        saving_high=high,
        swing=abs(high - low),
        base_saving=base_saving,
    )


def _factors(percent: Decimal) -> tuple[Decimal, Decimal]:
    step = _times(percent, Decimal("0.01"))
    return 1 - step, 1 + step


def _times(value: Decimal, factor: Decimal) -> Decimal:
    """An exact product: raises decimal.Inexact rather than round."""
    with localcontext() as context:
        context.prec = 60
        context.traps[Inexact] = True
        return value * factor


def _pc(percent: Decimal) -> str:
    return f"{engine.normalise_minutes(percent)}%"


def varied_model(model: engine.CostModel, kind: InputGroup, key, factor: Decimal) -> engine.CostModel:
    """The model with one input group moved by ``factor`` (1 - percent/100 or 1 + percent/100):
    ``key`` is the role key (ROLE_RATE), the engine.Step (STEP_MINUTES), or None.

    What a tornado bar's saving is of: engine.headline(varied_model(...)).saving
    equals the bar's, which is costed without building it (_Lines).
    """
    if kind is InputGroup.ROLE_RATE:
        role = next(role for role in model.roles if role.key == key)
        return _with_role(model, _scaled_role(role, factor))
    if kind is InputGroup.STEP_MINUTES:
        return _with_step_minutes(model, key, factor)
    if kind is InputGroup.EXTRA_COSTS:
        return _with_extra_costs(model, factor)
    return _with_patients(model, factor)


class _Lines:
    """A model costed once, stage line by stage line, for the savings of its variations.

    Every stage of every pathway a cohort uses, as its pennies per pass (staff +
    extra, rounded once: costing rule 1), with each side's passes through it:
    full passes through every stage and an exception's screened passes through
    the stages it incurs (rule 7). A side's pennies are then scaled by the model's
    patient scale, to the penny once (rule 8). Raises ValueError as
    engine.headline does for a reference the model lacks.
    """

    def __init__(self, model: engine.CostModel):
        engine.check_references(model)
        self.model = model
        self.rates = {role.key: engine.rate_ratio(role) for role in model.roles}
        used = {cohort.pathway for cohort in model.before + model.after}
        self.pathways = [pathway for pathway in model.pathways if pathway.key in used]
        self.screened = {p.key: engine.screened_stages(s.step for s in p.stages) for p in self.pathways}
        self.pennies = {
            p.key: [self._line(stage, stage.minutes, self._rate(stage), stage.extra_cost) for stage in p.stages]
            for p in self.pathways
        }
        self.passes = self._passes(model)
        self.base = {side: self._side_pennies(side) for side in SIDES}
        self.scale = model.patient_scale.as_integer_ratio()

    def _rate(self, stage: engine.Stage) -> engine.Ratio | None:
        return None if stage.role is None else self.rates[stage.role]

    @staticmethod
    def _line(stage: engine.Stage, minutes: Decimal, rate: engine.Ratio | None, extra_cost: Decimal) -> int:
        staff, extra = engine.stage_pennies(minutes.as_integer_ratio(), rate, extra_cost)
        return staff + extra

    def _passes(self, model: engine.CostModel) -> dict[str, dict[str, tuple[int, int]]]:
        """(full, screened) passes by side and pathway key."""
        passes = {side: {p.key: [0, 0] for p in self.pathways} for side in SIDES}
        for side in SIDES:
            for cohort in getattr(model, side):
                counts = passes[side][cohort.pathway]
                counts[0] += (cohort.patients - cohort.exceptions) * cohort.times
                counts[1] += cohort.exceptions * cohort.times
        return {side: {key: tuple(counts) for key, counts in by_key.items()} for side, by_key in passes.items()}

    def _side_pennies(self, side: str) -> int:
        total = 0
        for key, (full, screened) in self.passes[side].items():
            lines = self.pennies[key]
            total += full * sum(lines) + screened * sum(lines[: self.screened[key]])
        return total

    def _saving(self, before: int, after: int) -> Decimal:
        """Costing rule 8: each side x the model's patient scale, to the penny once; then the difference."""
        if self.scale != (1, 1):
            before, after = (engine.round_half_up_pennies(p * self.scale[0], self.scale[1]) for p in (before, after))
        return _pounds(before - after)

    def saving(self, kind: InputGroup, key, factor: Decimal) -> Decimal:
        """The saving of varied_model(model, kind, key, factor), to the penny."""
        if kind is InputGroup.PATIENTS:  # no line moves: the varied model's totals, by the engine
            return engine.headline(_with_patients(self.model, factor)).saving
        if kind is InputGroup.ROLE_RATE:
            role = next(role for role in self.model.roles if role.key == key)
            rate = engine.rate_ratio(_scaled_role(role, factor))

            def change(stage: engine.Stage) -> int | None:
                return self._line(stage, stage.minutes, rate, stage.extra_cost) if stage.role == key else None

        elif kind is InputGroup.STEP_MINUTES:

            def change(stage: engine.Stage) -> int | None:
                if stage.step != key or not stage.minutes:
                    return None
                return self._line(stage, _times(stage.minutes, factor), self._rate(stage), stage.extra_cost)

        else:

            def change(stage: engine.Stage) -> int | None:
                if not stage.extra_cost:
                    return None
                return self._line(stage, stage.minutes, self._rate(stage), _scaled_extra_cost(stage, factor))

        totals = dict(self.base)
        for pathway in self.pathways:
            incurred = self.screened[pathway.key]
            for index, (stage, pennies) in enumerate(zip(pathway.stages, self.pennies[pathway.key], strict=True)):
                new = change(stage)
                if new is None or new == pennies:
                    continue
                for side in SIDES:
                    full, screened = self.passes[side][pathway.key]
                    totals[side] += (new - pennies) * (full + (screened if index < incurred else 0))
        return self._saving(totals["before"], totals["after"])


SIDES = ("before", "after")


def _pounds(pennies: int) -> Decimal:
    return Decimal(pennies).scaleb(-2)


def _scaled_role(role: engine.Role, factor: Decimal) -> engine.Role:
    if role.cost_per_hour is not None:
        return replace(role, cost_per_hour=_times(role.cost_per_hour, factor))
    return replace(role, annual_salary=_times(role.annual_salary, factor))


def _with_role(model: engine.CostModel, new: engine.Role) -> engine.CostModel:
    return replace(model, roles=tuple(new if role.key == new.key else role for role in model.roles))


def _with_stages(model: engine.CostModel, change) -> engine.CostModel:
    pathways = tuple(
        replace(pathway, stages=tuple(change(stage) for stage in pathway.stages)) for pathway in model.pathways
    )
    return replace(model, pathways=pathways)


def _with_step_minutes(model: engine.CostModel, step: engine.Step, factor: Decimal) -> engine.CostModel:
    return _with_stages(
        model, lambda s: replace(s, minutes=_times(s.minutes, factor)) if s.step == step and s.minutes else s
    )


def _with_extra_costs(model: engine.CostModel, factor: Decimal) -> engine.CostModel:
    def change(stage: engine.Stage) -> engine.Stage:
        return replace(stage, extra_cost=_scaled_extra_cost(stage, factor)) if stage.extra_cost else stage

    return _with_stages(model, change)


def _scaled_extra_cost(stage: engine.Stage, factor: Decimal) -> Decimal:
    """A stage's extra cost times ``factor``, half up to the penny (money is whole pennies)."""
    return engine.round_half_up(Fraction(stage.extra_cost) * Fraction(factor))


def _with_patients(model: engine.CostModel, factor: Decimal) -> engine.CostModel:
    return replace(model, patient_scale=_times(model.patient_scale, factor))
