"""Reads of reference data: pay bands as points a role can be costed at; the rows the role pickers offer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache as once

from django.core.cache import cache

from costing import engine, reference
from costing.models import OnCostRate, PayBand, PayScale, PostageRate, SalariedGPRange, StandardHours, UnitCost


@dataclass(frozen=True)
class PayBandOption:
    """A point on a pay scale, ready to cost a role: salary + on-costs + paid hours."""

    value: str  # "afc-2025-26|6|entry"
    label: str
    scale_year: str
    band: str
    annual_salary: Decimal
    on_cost_percent: Decimal
    paid_hours_per_year: Decimal
    band_text: str = ""  # what the role's band says; "AfC <band>" when empty

    def as_role(self, key: str, name: str) -> engine.Role:
        return engine.Role(
            key=key,
            name=name,
            band=self.band_text or f"AfC {self.band}",
            annual_salary=self.annual_salary,
            on_cost_percent=self.on_cost_percent,
            paid_hours_per_year=self.paid_hours_per_year,
            cost_basis=engine.CostBasis.SALARY_ON_COSTS,
        )


@once
def pay_band_cache_key() -> str:
    """The cached pay bands' key, named by the reference data file the servers run with.

    load_reference_data deletes it after loading; should the cache not answer
    then, a new file still gets a new key, so no server shows the old bands.
    """
    digest = hashlib.sha256(reference.PAY_AND_POSTAGE.read_bytes()).hexdigest()[:16]
    return f"reference:pay-band-options:{digest}"


def band_points(band: PayBand) -> list[tuple[str, Decimal]]:
    """A band's pay points in order: entry, any intermediate points, top (once when top is entry)."""
    middle = band.intermediate_points or []
    names = ["intermediate"] if len(middle) == 1 else [f"intermediate-{n}" for n in range(1, len(middle) + 1)]
    points = [("entry", band.entry), *zip(names, map(Decimal, middle), strict=True)]
    if band.top != band.entry:
        points.append(("top", band.top))
    return points


def pay_band_options() -> list[PayBandOption]:
    """Every pay point of every scale, and every salaried GP range, with that year's employer on-costs.

    A salaried GP range is offered only for a year with on-cost rates, as a
    point without them would be costed with no on-costs at all.
    Cached: reference data changes only when load_reference_data runs (which clears it).
    """
    return cache.get_or_set(pay_band_cache_key(), _pay_band_options, timeout=24 * 3600)


def _on_costs(salary: Decimal, rate: OnCostRate | None) -> Decimal:
    if rate is None:
        return Decimal(0)
    return reference.employer_on_cost_percent(
        salary,
        ni_percent=rate.employer_ni_percent,
        ni_threshold=rate.ni_secondary_threshold,
        pension_percent=rate.pension_employer_percent,
    )


def _pay_band_options() -> list[PayBandOption]:
    on_costs = {r.year: r for r in OnCostRate.objects.all()}
    hours = StandardHours.objects.first()
    paid_hours = hours.paid_hours_per_year if hours else Decimal(1950)
    options = []
    for band in PayBand.objects.select_related("scale").order_by("scale__year", "id"):
        rate = on_costs.get(band.scale.year)
        for point, salary in band_points(band):
            options.append(
                PayBandOption(
                    value=f"{band.scale.key}|{band.band}|{point}",
                    label=f"AfC {band.scale.year} band {band.band}, {point.replace('-', ' ')} (£{salary:,.0f})",
                    scale_year=band.scale.year,
                    band=band.band,
                    annual_salary=salary,
                    on_cost_percent=_on_costs(salary, rate),
                    paid_hours_per_year=paid_hours,
                )
            )
    for gp in SalariedGPRange.objects.filter(minimum__isnull=False, maximum__isnull=False, year__in=on_costs):
        computed = "" if gp.verified else "; computed, not published"
        for point, salary in (("minimum", gp.minimum), ("maximum", gp.maximum)):
            options.append(
                PayBandOption(
                    value=f"salaried-gp|{gp.year}|{point}",
                    label=f"Salaried GP {gp.year}, {point} of the range (£{salary:,.0f}{computed})",
                    scale_year=gp.year,
                    band="Salaried GP",
                    annual_salary=salary,
                    on_cost_percent=_on_costs(salary, on_costs[gp.year]),
                    paid_hours_per_year=paid_hours,
                    band_text="Salaried GP",
                )
            )
    return options


@dataclass(frozen=True)
class PickerRows:
    """The reference rows the staff role pickers offer, as stored."""

    standard_hours: StandardHours | None  # None before the reference data is loaded
    on_cost_rates: dict[str, OnCostRate]  # by year
    scales: list[PayScale]  # by year, each with its bands read (scale.bands.all())
    unit_costs: list[UnitCost]  # by year and role
    salaried_gp: list[SalariedGPRange]  # by year, only those with a minimum and a maximum


def picker_rows() -> PickerRows:
    """Standard hours, on-cost rates, pay scales with their bands, unit costs, salaried GP ranges: six queries."""
    return PickerRows(
        standard_hours=StandardHours.objects.first(),
        on_cost_rates={rate.year: rate for rate in OnCostRate.objects.all()},
        scales=list(PayScale.objects.prefetch_related("bands")),
        unit_costs=list(UnitCost.objects.all()),
        salaried_gp=list(SalariedGPRange.objects.filter(minimum__isnull=False, maximum__isnull=False)),
    )


@once
def _postage_checked_until() -> date:
    # The date the postage list was last checked complete lives with the rows in git.
    return reference.postage_table()[1]


def _letter_prices(row: PostageRate) -> reference.LetterPrices:
    return reference.LetterPrices(
        effective_from=row.effective_from,
        first_class=row.first_class,
        second_class=row.second_class,
        source=row.source,
        url=row.url,
    )


def letter_prices_on(day: date) -> reference.LetterPrices | None:
    """Royal Mail first and second class letter prices in force on `day`, with their source; None if not known."""
    rows = [
        _letter_prices(r) for r in PostageRate.objects.filter(effective_from__lte=day).order_by("-effective_from")[:1]
    ]
    return reference.postage_on(day, rows, checked_until=_postage_checked_until())


def letter_price_table() -> tuple[list[reference.LetterPrices], date]:
    """Every letter price change in date order and the date the list is known complete: for a page to embed."""
    rows = [_letter_prices(r) for r in PostageRate.objects.order_by("effective_from")]
    return rows, _postage_checked_until()
