"""The inputs of decision support for one model, and every figure they give.

``DecisionSettings`` holds what a practice may change (pure data, with the
defaults a model without stored inputs uses): the sensitivity ranges of the
tornado, the Monte Carlo draws, seed and uncertainty (± % around the model's
rates and minutes), the appointment length of each kind of role, and the
one-off set-up costs. ``analyse`` runs the decision modules on a model and its
comparison with them, for the page and for the PDF report alike.

numpy is loaded only when ``analyse`` runs the Monte Carlo (see the package).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from costing import engine, limits
from costing.decisions import capacity, payback, sensitivity
from costing.decisions.capacity import DEFAULT_APPOINTMENT_MINUTES, RoleKind

if TYPE_CHECKING:  # pragma: no cover - types only: importing uncertainty loads numpy
    from costing.decisions.uncertainty import Ranges, SimulationResult

# Bounds of what a practice may enter (the database columns and forms use them).
MAX_PERCENT = sensitivity.MAX_PERCENT
MIN_DRAWS = 100
MAX_DRAWS = 20_000
DEFAULT_DRAWS = 2000
DEFAULT_SEED = 12345
MAX_SEED = 2**31 - 1
MAX_APPOINTMENT_MINUTES = limits.MAX_STAGE_MINUTES
# Set-up: a line of staff time or a one-off cost beyond these is a typo.
MAX_SETUP_HOURS = Decimal(10_000)
MAX_SETUP_AMOUNT = Decimal(1_000_000)
MAX_SETUP_LINES = 50
# Bars of the Monte Carlo histogram.
HISTOGRAM_BINS = 30


PER_PERIOD = {engine.Period.PER_PATIENT: "per patient", engine.Period.MONTH: "a month", engine.Period.YEAR: "a year"}


def _default_appointment_minutes() -> dict[RoleKind, Decimal]:
    return dict(DEFAULT_APPOINTMENT_MINUTES)


@dataclass(frozen=True)
class DecisionSettings:
    """Everything decision support needs besides the model; the defaults are the product's."""

    role_rate_percent: Decimal = sensitivity.DEFAULT_ROLE_RATE_PERCENT
    step_minutes_percent: Decimal = sensitivity.DEFAULT_STEP_MINUTES_PERCENT
    extra_costs_percent: Decimal = sensitivity.DEFAULT_EXTRA_COSTS_PERCENT
    patients_percent: Decimal = sensitivity.DEFAULT_PATIENTS_PERCENT
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    # Uncertainty: every role's rate and every staffed stage's minutes ± this %.
    rate_uncertainty_percent: Decimal = Decimal(0)
    minutes_uncertainty_percent: Decimal = Decimal(0)
    # Minutes of the same kind of step move together (uncertainty.Ranges.minutes_together).
    minutes_together: bool = True
    appointment_minutes: Mapping[RoleKind, Decimal] = field(default_factory=_default_appointment_minutes)
    setup: payback.SetupCosts = field(default_factory=payback.SetupCosts)
    # Roles that set-up lines name but the model's stages do not use.
    setup_roles: tuple[engine.Role, ...] = ()

    def __post_init__(self) -> None:
        for percent in (
            self.role_rate_percent,
            self.step_minutes_percent,
            self.extra_costs_percent,
            self.patients_percent,
            self.rate_uncertainty_percent,
            self.minutes_uncertainty_percent,
        ):
            if not isinstance(percent, Decimal) or not 0 <= percent <= MAX_PERCENT:
                raise ValueError(f"a percentage must be a Decimal from 0 to {MAX_PERCENT}")
        if not isinstance(self.minutes_together, bool):
            raise ValueError("minutes_together must be True or False")
        for number, low, high, what in ((self.draws, MIN_DRAWS, MAX_DRAWS, "draws"), (self.seed, 0, MAX_SEED, "seed")):
            if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
                raise ValueError(f"the {what} must be a whole number from {low} to {high}")
        for kind, minutes in self.appointment_minutes.items():
            if (
                not isinstance(kind, RoleKind)
                or not isinstance(minutes, Decimal)
                or not 0 < minutes <= MAX_APPOINTMENT_MINUTES
            ):
                raise ValueError(f"an appointment is more than 0 and at most {MAX_APPOINTMENT_MINUTES} minutes")

    @property
    def is_uncertain(self) -> bool:
        return bool(self.rate_uncertainty_percent or self.minutes_uncertainty_percent)

    def sensitivity_ranges(self) -> sensitivity.SensitivityRanges:
        return sensitivity.SensitivityRanges(
            role_rate_percent=self.role_rate_percent,
            step_minutes_percent=self.step_minutes_percent,
            extra_costs_percent=self.extra_costs_percent,
            patients_percent=self.patients_percent,
        )

    def uncertainty_ranges(self, model: engine.CostModel) -> Ranges:
        from costing.decisions import uncertainty

        return uncertainty.ranges_around(
            model,
            rate_percent=self.rate_uncertainty_percent,
            minutes_percent=self.minutes_uncertainty_percent,
            minutes_together=self.minutes_together,
        )

    def appointment_minutes_by_role(self, roles: Iterable[engine.Role]) -> dict[str, Decimal]:
        """The appointment length of each role key, from the role's kind."""
        lengths = {**DEFAULT_APPOINTMENT_MINUTES, **self.appointment_minutes}
        return {role.key: lengths[capacity.role_kind(role)] for role in roles}

    def costing_roles(self, model: engine.CostModel) -> tuple[engine.Role, ...]:
        """The model's roles and any other role a set-up line names (by key, the model's first)."""
        keys = {role.key for role in model.roles}
        return model.roles + tuple(role for role in self.setup_roles if role.key not in keys)


@dataclass(frozen=True)
class HistogramBin:
    low: Decimal
    high: Decimal
    draws: int


@dataclass(frozen=True)
class DecisionResults:
    settings: DecisionSettings
    comparison: engine.Comparison
    tornado: tuple[sensitivity.TornadoBar, ...]
    simulation: SimulationResult
    # Empty when nothing is uncertain (every draw is the model's saving).
    histogram: tuple[HistogramBin, ...]
    setup_lines: tuple[payback.SetupLine, ...]
    setup_total: Decimal
    payback: payback.PaybackResult
    capacity: capacity.CapacityFreed

    @property
    def per_period(self) -> str:
        """'a month', 'a year' or 'per patient': after a figure of the model's period."""
        return PER_PERIOD[self.comparison.period]

    @property
    def appointment_lengths(self) -> dict[str, Decimal]:
        """Appointment minutes by kind of role ('gp', 'nurse', 'hca', 'other')."""
        lengths = {**DEFAULT_APPOINTMENT_MINUTES, **self.settings.appointment_minutes}
        return {kind.value: minutes for kind, minutes in lengths.items()}

    @property
    def probability_percent(self) -> Decimal:
        return self.simulation.probability_positive * 100

    @property
    def top_bar(self) -> sensitivity.TornadoBar | None:
        return self.tornado[0] if self.tornado else None


def analyse(
    model: engine.CostModel, comparison: engine.Comparison, settings: DecisionSettings | None = None
) -> DecisionResults:
    """Tornado, Monte Carlo, set-up and payback, and capacity freed of a model.

    ``comparison`` is engine.compare(model), which the caller has for the page or
    the report already: it is the base case of every figure here. Only the tornado
    and the Monte Carlo cost the model again, with their inputs varied.
    """
    from costing.decisions import uncertainty

    if (comparison.name, comparison.period, comparison.roles) != (model.name, model.period, model.roles):
        raise ValueError("the comparison is not of this model")
    settings = settings or DecisionSettings()
    ranges = settings.uncertainty_ranges(model)
    simulation, draws = uncertainty.simulate_with_draws(
        model, ranges, draws=settings.draws, seed=settings.seed, base_saving=comparison.saving
    )
    histogram: tuple[HistogramBin, ...] = ()
    if not ranges.is_empty and simulation.p5 != simulation.p95:
        histogram = histogram_bins(draws)
    lines = payback.setup_lines(settings.setup, settings.costing_roles(model))
    total = payback.setup_total(lines)
    return DecisionResults(
        settings=settings,
        comparison=comparison,
        tornado=sensitivity.tornado(model, ranges=settings.sensitivity_ranges(), base_saving=comparison.saving),
        simulation=simulation,
        histogram=histogram,
        setup_lines=lines,
        setup_total=total,
        payback=payback.payback(comparison, total),
        capacity=capacity.capacity_freed(
            comparison, appointment_minutes=settings.appointment_minutes_by_role(comparison.roles)
        ),
    )


def histogram_bins(draws: Iterable[Decimal], bins: int = HISTOGRAM_BINS) -> tuple[HistogramBin, ...]:
    """Equal-width bins from the lowest to the highest saving, whole pennies wide (the last is closed)."""
    values = sorted(draws)
    if not values:
        return ()
    low, high = values[0], values[-1]
    if low == high:
        return (HistogramBin(low=low, high=high, draws=len(values)),)
    pennies = int((high - low) * 100)
    width = Decimal(max(1, -(-pennies // bins))) / 100  # whole pennies, rounded up
    count = max(1, math.ceil((high - low) / width))
    counts = [0] * count
    for value in values:
        counts[min(int((value - low) / width), count - 1)] += 1
    return tuple(HistogramBin(low=low + width * i, high=low + width * (i + 1), draws=n) for i, n in enumerate(counts))
