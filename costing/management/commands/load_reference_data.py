from datetime import date

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import transaction

from costing import reference
from costing.models import OnCostRate, PayBand, PayScale, PostageRate, SalariedGPRange, StandardHours, UnitCost
from costing.selectors import pay_band_cache_key
from costing.signals import reference_data_loaded


def _sourced(row: dict) -> dict:
    return {
        "source": row.get("source", ""),
        "url": row.get("url", ""),
        "verified": row.get("verified", True),
        "note": row.get("note", ""),
    }


class Command(BaseCommand):
    help = "Load pay scales, on-costs, postage, unit costs and condition registers from costing/reference_data/."

    @transaction.atomic
    def handle(self, *args, **options):
        data = reference.read_pay_and_postage()
        for scale_row in data["pay_scales"]:
            scale, _ = PayScale.objects.update_or_create(
                key=scale_row["key"],
                defaults={"name": scale_row["name"], "year": scale_row["year"], **_sourced(scale_row)},
            )
            for band in scale_row["bands"]:
                PayBand.objects.update_or_create(
                    scale=scale,
                    band=band["band"],
                    defaults={
                        "entry": band["entry"],
                        "intermediate_points": [str(point) for point in band.get("intermediate_points", [])],
                        "top": band["top"],
                        **_sourced(band),
                    },
                )
        for row in data["salaried_gp"]:
            SalariedGPRange.objects.update_or_create(
                year=row["year"],
                defaults={
                    "minimum": row.get("minimum") or None,
                    "maximum": row.get("maximum") or None,
                    **_sourced(row),
                },
            )
        for row in data["on_costs"]:
            OnCostRate.objects.update_or_create(
                year=row["year"],
                defaults={
                    "employer_ni_percent": row["employer_ni_percent"],
                    "ni_secondary_threshold": row["ni_secondary_threshold"],
                    "pension_employer_percent": row["pension_employer_percent"],
                    "pension_full_cost_percent": row.get("pension_full_cost_percent") or None,
                    "pension_levy_percent": row.get("pension_levy_percent") or None,
                    "pension_basis": row.get("pension_basis", ""),
                    **_sourced(row),
                },
            )
        for row in data["postage"]:
            PostageRate.objects.update_or_create(
                effective_from=date.fromisoformat(row["effective_from"]),
                defaults={"first_class": row["first_class"], "second_class": row["second_class"], **_sourced(row)},
            )
        for row in data["unit_costs"]:
            UnitCost.objects.update_or_create(
                role=row["role"],
                year=row["year"],
                defaults={
                    "per_hour": row["per_hour"],
                    "per_hour_with_qualifications": row.get("per_hour_with_qualifications") or None,
                    **_sourced(row),
                },
            )
        hours = data["standard_hours"]
        StandardHours.objects.all().delete()
        StandardHours.objects.create(
            weekly_hours=hours["weekly_hours"],
            weeks_per_year=hours["weeks_per_year"],
            paid_hours_per_year=hours["paid_hours_per_year"],
            **_sourced(hours),
        )
        loaded_above = [summary for _receiver, summary in reference_data_loaded.send(sender=self.__class__)]
        transaction.on_commit(self._forget_cached_pay_bands)
        if options["verbosity"]:
            self.stdout.write(
                ", ".join(
                    [
                        f"Reference data: {PayBand.objects.count()} pay bands",
                        f"{PostageRate.objects.count()} postage rates",
                        *loaded_above,
                    ]
                )
                + "."
            )

    def _forget_cached_pay_bands(self) -> None:
        """The running servers' cached pay bands go, so the next page reads the new ones.

        Should the cache not answer, the data is still loaded (committed) and the
        servers are told nothing: the cached bands are keyed by the reference
        data file they came from (costing.selectors.pay_band_cache_key), so a new
        file is never shadowed; this says so rather than fail.
        """
        cache.delete(pay_band_cache_key())
        if not getattr(cache, "available", True):
            self.stderr.write(
                "The cache did not answer, so it was not cleared: the pay bands are loaded, and servers"
                " read them once the cache answers or its copy expires (a day at most)."
            )
