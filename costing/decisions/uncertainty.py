"""Seeded Monte Carlo: how sure is the saving when rates and minutes are uncertain?

A role's cost per hour and a stage's minutes may carry a triangular range
(low, likely, high). Each draw takes one value per ranged role (shared by every
stage of that role) and one per ranged stage (shared by every cohort of that
pathway), then costs the model by the engine's rules, all draws at once:

1. stage cost per patient in whole pennies: ``engine.stage_pennies``, the
   function the engine costs every stage with;
2. pathway cost per patient = sum of its stage pennies;
3. side cost = sum of (patients - exceptions) x times x pathway pennies, plus
   exceptions x times x the pennies of the stages they incur (engine rule 7);
   saving = before - after.

Steps 2 and 3 are exact integer arithmetic. In step 1 a value that is not drawn
(no range, or a zero-width range) is the engine's exact ratio, so a stage with
nothing drawn costs exactly what the engine's does; a drawn value is a numpy
array of floats, which ``engine.stage_pennies`` rounds elementwise by the same
rule. A float product can sit a hair off an exact half penny, but a continuous
draw lands on a half with probability nil, and the result is a statistical
estimate anyway. So when every range is zero-width, every draw is the engine's
saving to the penny (tests/unit/test_decisions_uncertainty.py checks it on
random models).

Minutes of the same kind of step move together by default
(``Ranges.minutes_together``): if routine reviews run long in one pathway they
are likely to run long in every pathway, so each draw takes one uniform number
per kind of step and every ranged stage of that step takes the same point of
its own triangle (the same percentile: its inverse distribution function at
that number). Drawn independently instead, the stages' errors cancel out and
the range comes out narrower than the one-way sensitivity of a single step.

Draws come from ``numpy.random.default_rng(seed)``, in a fixed order (roles in
model order, then stages in pathway and stage order; moving together, a step's
number is drawn where its first ranged stage comes), so the same model, ranges
and seed give the same figures. A stage drawn alone takes
``triangular(low, likely, high)``; a step's number is ``random()``, which
numpy's triangular turns into a value by the same formula (``_triangular_at``),
so a step with one ranged stage draws the same value either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np

from costing import engine, limits

DEFAULT_DRAWS = 2000
DEFAULT_SEED = 12345
MAX_DRAWS = 100_000
PROBABILITY_PLACES = Decimal("0.001")

Triangle = tuple[Decimal, Decimal, Decimal]  # (low, likely, high)
StageRef = tuple[str, int]  # (pathway key, stage index), as in costing.whatif


@dataclass(frozen=True)
class Ranges:
    """Triangular ranges: cost per hour by role key; minutes by (pathway key, stage index).

    Roles and stages the model does not have are ignored (as in costing.whatif).
    """

    role_rates: Mapping[str, Triangle] = field(default_factory=dict)
    stage_minutes: Mapping[StageRef, Triangle] = field(default_factory=dict)
    # True: the minutes of every stage of one kind of step move together (one draw
    # per step); False: each stage's minutes are drawn on their own.
    minutes_together: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.minutes_together, bool):
            raise ValueError("minutes_together must be True or False")
        for triangle in self.role_rates.values():
            _check(triangle, limits.MAX_COST_PER_HOUR, "a cost per hour")
        for triangle in self.stage_minutes.values():
            _check(triangle, limits.MAX_STAGE_MINUTES, "minutes")

    @property
    def is_empty(self) -> bool:
        return not (self.role_rates or self.stage_minutes)


@dataclass(frozen=True)
class SimulationResult:
    """The saving over the draws, per the model's period, in pounds to the penny."""

    median: Decimal
    p5: Decimal
    p95: Decimal
    mean: Decimal
    # The share of draws with a saving above £0, to 3 decimal places, and their number.
    probability_positive: Decimal
    draws_saving: int
    draws: int
    seed: int
    # engine.compare(model).saving: the saving with every input at the model's value.
    base_saving: Decimal
    period: engine.Period
    # What the range assumes: Ranges.minutes_together.
    minutes_together: bool


def simulate(
    model: engine.CostModel,
    ranges: Ranges,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    base_saving: Decimal | None = None,
) -> SimulationResult:
    """The distribution of the saving when the ranged inputs vary together.

    ``base_saving``: the model's saving as modelled, if the caller has costed it
    already (engine.compare(model).saving); costed here if not.
    """
    return simulate_with_draws(model, ranges, draws=draws, seed=seed, base_saving=base_saving)[0]


def simulate_with_draws(
    model: engine.CostModel,
    ranges: Ranges,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    base_saving: Decimal | None = None,
) -> tuple[SimulationResult, tuple[Decimal, ...]]:
    """``simulate`` and ``saving_draws`` of the same arguments, from one run of the draws."""
    if base_saving is None:
        base_saving = engine.headline(model).saving
    savings = _savings_in_pennies(model, ranges, draws, seed)
    p5, median, p95 = np.percentile(savings, [5, 50, 95], method="linear")
    saving = int((savings > 0).sum())
    return SimulationResult(
        median=_pounds(Fraction(float(median))),
        p5=_pounds(Fraction(float(p5))),
        p95=_pounds(Fraction(float(p95))),
        mean=_pounds(Fraction(int(savings.sum()), draws)),
        probability_positive=engine.round_half_up(Fraction(saving, draws), PROBABILITY_PLACES),
        draws_saving=saving,
        draws=draws,
        seed=seed,
        base_saving=base_saving,
        period=model.period,
        minutes_together=ranges.minutes_together,
    ), _in_pounds(savings)


def saving_draws(
    model: engine.CostModel, ranges: Ranges, *, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED
) -> tuple[Decimal, ...]:
    """The saving of every draw, in pounds, in draw order (for a histogram).

    The same draws as ``simulate`` with the same arguments.
    """
    return _in_pounds(_savings_in_pennies(model, ranges, draws, seed))


def _in_pounds(pennies: np.ndarray) -> tuple[Decimal, ...]:
    return tuple(Decimal(int(p)).scaleb(-2) for p in pennies)


def ranges_around(
    model: engine.CostModel,
    *,
    rate_percent: Decimal = Decimal(0),
    minutes_percent: Decimal = Decimal(0),
    minutes_together: bool = True,
) -> Ranges:
    """Symmetric triangles around the model's values: every role's rate ± rate_percent,
    every staffed stage's minutes ± minutes_percent (a percentage of 0 adds none);
    ``minutes_together`` as in ``Ranges``.

    A starting point for a form. The likely rate is the model's rate to 4 decimal
    places (a salaried rate does not terminate), so only a 0 % range is exact.
    """
    for percent in (rate_percent, minutes_percent):
        if not 0 <= percent <= 100:
            raise ValueError("a range must be a percentage from 0 to 100")
    rate_places = Decimal(1).scaleb(-limits.RATE_PLACES)
    role_rates = {}
    if rate_percent:
        for role in model.roles:
            rate = engine.round_half_up(role.exact_hourly_rate, rate_places)
            role_rates[role.key] = _symmetric(rate, rate_percent, limits.MAX_COST_PER_HOUR)
    stage_minutes = {}
    if minutes_percent:
        for pathway in model.pathways:
            for index, stage in enumerate(pathway.stages):
                if stage.role is not None and stage.minutes:
                    stage_minutes[(pathway.key, index)] = _symmetric(
                        stage.minutes, minutes_percent, limits.MAX_STAGE_MINUTES
                    )
    return Ranges(role_rates=role_rates, stage_minutes=stage_minutes, minutes_together=minutes_together)


# --------------------------------------------------------------------------- helpers


def _savings_in_pennies(model: engine.CostModel, ranges: Ranges, draws: int, seed: int) -> np.ndarray:
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise ValueError(f"draws must be a whole number from 1 to {MAX_DRAWS}")
    engine.check_references(model)
    rng = np.random.default_rng(seed)
    rates = {
        role.key: _value(rng, ranges.role_rates.get(role.key), engine.rate_ratio(role), draws) for role in model.roles
    }
    step_numbers: dict[engine.Step, np.ndarray] = {}  # moving together: one uniform number per kind of step

    def minutes_of(pathway: engine.Pathway, index: int, stage: engine.Stage):
        triangle = ranges.stage_minutes.get((pathway.key, index))
        if not ranges.minutes_together or triangle is None or triangle[0] == triangle[2]:
            return _value(rng, triangle, stage.minutes.as_integer_ratio(), draws)
        if stage.step not in step_numbers:
            step_numbers[stage.step] = rng.random(draws)
        return _triangular_at(step_numbers[stage.step], triangle), 1

    pennies: dict[str, np.ndarray | int] = {}
    screened: dict[str, np.ndarray | int] = {}  # the stages an exception incurs (costing rule 7)
    for pathway in model.pathways:
        total: np.ndarray | int = 0
        incurred = engine.screened_stages(stage.step for stage in pathway.stages)
        if incurred == 0:
            screened[pathway.key] = 0
        for index, stage in enumerate(pathway.stages):
            minutes = minutes_of(pathway, index, stage)
            rate = None if stage.role is None else rates[stage.role]  # no role: no staff cost
            staff, extra = engine.stage_pennies(minutes, rate, stage.extra_cost)
            total = total + _whole(staff) + extra
            if index + 1 == incurred:
                screened[pathway.key] = total
        pennies[pathway.key] = total

    def side(cohorts: tuple[engine.Cohort, ...]) -> np.ndarray:
        cost = np.zeros(draws, dtype=np.int64)
        for cohort in cohorts:
            full = cohort.patients - cohort.exceptions
            cost += np.int64(full * cohort.times) * pennies[cohort.pathway]
            if cohort.exceptions:
                cost += np.int64(cohort.exceptions * cohort.times) * screened[cohort.pathway]
        return cost

    before, after = side(model.before), side(model.after)
    if model.patient_scale != 1:
        # Costing rule 8: each side x the scale, to the penny once; the saving is their difference.
        scale_n, scale_d = model.patient_scale.as_integer_ratio()
        before = engine.round_half_up_pennies(before * scale_n, scale_d)
        after = engine.round_half_up_pennies(after * scale_n, scale_d)
    return before - after


def _check(triangle: Triangle, maximum: Decimal, what: str) -> None:
    if len(triangle) != 3 or not all(isinstance(v, Decimal) for v in triangle):
        raise ValueError(f"a range of {what} must be three Decimals (low, likely, high)")
    low, likely, high = triangle
    if not 0 <= low <= likely <= high <= maximum:
        raise ValueError(f"a range of {what} must have 0 <= low <= likely <= high <= {maximum}")


def _symmetric(value: Decimal, percent: Decimal, maximum: Decimal) -> Triangle:
    spread = value * percent / 100
    return (max(value - spread, Decimal(0)), value, min(value + spread, maximum))


def _value(
    rng: np.random.Generator, triangle: Triangle | None, fixed: engine.Ratio, draws: int
) -> engine.Ratio | tuple[np.ndarray, int]:
    """Draws from a triangle as (floats, 1), or an exact ratio (engine.Ratio) when there is nothing to draw."""
    if triangle is None:
        return fixed
    low, likely, high = triangle
    if low == high:
        return low.as_integer_ratio()
    return rng.triangular(float(low), float(likely), float(high), size=draws), 1


def _triangular_at(numbers: np.ndarray, triangle: Triangle) -> np.ndarray:
    """The triangle's inverse distribution function at uniform ``numbers`` in [0, 1).

    numpy's ``Generator.triangular`` computes each value from one ``random()`` by
    these very operations (distributions.c, random_triangular), so one stage's
    values are the same bits as its draws when drawn alone.
    """
    low, likely, high = (float(v) for v in triangle)
    base = high - low
    ratio = (likely - low) / base
    left_product = (likely - low) * base
    right_product = (high - likely) * base
    with np.errstate(invalid="ignore"):  # each branch is computed for every number; np.where keeps the right one
        return np.where(
            numbers <= ratio, low + np.sqrt(numbers * left_product), high - np.sqrt((1.0 - numbers) * right_product)
        )


def _whole(pennies: np.ndarray | int) -> np.ndarray | int:
    """Pennies rounded from drawn floats (whole numbers, held as floats) as integers; exact ones as they are."""
    return pennies.astype(np.int64) if isinstance(pennies, np.ndarray) else pennies


def _pounds(pennies: Fraction) -> Decimal:
    return engine.round_half_up(pennies / 100)
