"""Reference data: pay scales, on-costs, postage and unit costs, with sources.

Loaded from costing/reference_data/ by `manage.py load_reference_data`; the
files in git are the truth, these tables are what the pages read.
"""

from django.db import models

from costing import limits


class SourcedMixin(models.Model):
    source = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=500, blank=True)
    verified = models.BooleanField(default=True)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True


class PayScale(SourcedMixin):
    key = models.SlugField(max_length=limits.MAX_KEY_LENGTH, unique=True)
    name = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    year = models.CharField(max_length=10)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return self.name


class PayBand(SourcedMixin):
    scale = models.ForeignKey(PayScale, on_delete=models.CASCADE, related_name="bands")
    band = models.CharField(max_length=10)
    entry = models.DecimalField(max_digits=12, decimal_places=2)
    # The pay points between entry and top, in order, as strings of whole pounds ("33487").
    intermediate_points = models.JSONField(default=list, blank=True)
    top = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["scale", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "band"], name="payband_once_per_scale"),
            models.CheckConstraint(
                condition=models.Q(entry__gte=0) & models.Q(top__gte=models.F("entry")), name="payband_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Band {self.band} ({self.scale.year})"


class OnCostRate(SourcedMixin):
    year = models.CharField(max_length=10, unique=True)
    employer_ni_percent = models.DecimalField(max_digits=6, decimal_places=3)
    ni_secondary_threshold = models.DecimalField(max_digits=12, decimal_places=2)
    # What a practice pays as employer (the levy included): the rate the on-costs use.
    pension_employer_percent = models.DecimalField(max_digits=6, decimal_places=3)
    # The whole employer rate, part of it paid centrally by NHS England from April 2019 (levy not included).
    pension_full_cost_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    pension_levy_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    pension_basis = models.TextField(blank=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"Employer on-costs {self.year}"


class SalariedGPRange(SourcedMixin):
    year = models.CharField(max_length=10, unique=True)
    minimum = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"Salaried GP range {self.year}"


class PostageRate(SourcedMixin):
    effective_from = models.DateField(unique=True)
    first_class = models.DecimalField(max_digits=6, decimal_places=2)
    second_class = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["effective_from"]

    def __str__(self) -> str:
        return f"Postage from {self.effective_from}"


class UnitCost(SourcedMixin):
    """A full economic cost per working hour (PSSRU), for the full-unit-cost basis."""

    role = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    year = models.CharField(max_length=10)
    per_hour = models.DecimalField(max_digits=8, decimal_places=2)
    per_hour_with_qualifications = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["year", "role"]
        constraints = [models.UniqueConstraint(fields=["role", "year"], name="unitcost_once_per_role_year")]

    def __str__(self) -> str:
        return f"{self.role} ({self.year})"


class StandardHours(SourcedMixin):
    weekly_hours = models.DecimalField(max_digits=5, decimal_places=2)
    weeks_per_year = models.DecimalField(max_digits=5, decimal_places=2)
    paid_hours_per_year = models.DecimalField(max_digits=7, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.weekly_hours} hours a week"
