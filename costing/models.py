"""Reference data: pay scales, on-costs, postage and unit costs, with sources.

Loaded from costing/reference_data/ by `manage.py load_reference_data`; the
files in git are the truth, these tables are what the pages read.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from costing import limits
from costing.decisions import settings as decision_settings
from costing.decisions.capacity import DEFAULT_APPOINTMENT_MINUTES, RoleKind


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
    pension_employer_percent = models.DecimalField(max_digits=6, decimal_places=3)

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


# ------------------------------------------------------------------ decision support
# The inputs of a cost model's decision support page (costing/decisions). A model
# without DecisionInputs uses DecisionSettings' defaults; the bounds are those of
# costing/decisions/settings.py, as database constraints.


def _percent_field(verbose_name: str, default: int):
    return models.DecimalField(
        verbose_name,
        max_digits=6,
        decimal_places=limits.PERCENT_PLACES,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(decision_settings.MAX_PERCENT)],
    )


def _appointment_field(verbose_name: str, kind: RoleKind):
    return models.DecimalField(
        verbose_name,
        max_digits=7,
        decimal_places=limits.MINUTES_PLACES,
        default=DEFAULT_APPOINTMENT_MINUTES[kind],
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(decision_settings.MAX_APPOINTMENT_MINUTES)],
    )


PERCENT_FIELDS = (
    "rate_percent",
    "minutes_percent",
    "extra_costs_percent",
    "patients_percent",
    "rate_uncertainty_percent",
    "minutes_uncertainty_percent",
)
APPOINTMENT_FIELDS = {
    RoleKind.GP: "gp_appointment_minutes",
    RoleKind.NURSE: "nurse_appointment_minutes",
    RoleKind.HCA: "hca_appointment_minutes",
    RoleKind.OTHER: "other_appointment_minutes",
}


class DecisionInputs(models.Model):
    cost_model = models.OneToOneField(
        "pathways.CostModel", on_delete=models.CASCADE, related_name="decision_inputs", primary_key=True
    )
    # One-way sensitivity (tornado): each input group moved down and up by this %.
    rate_percent = _percent_field("staff cost per hour ± %", 20)
    minutes_percent = _percent_field("minutes of each kind of step ± %", 20)
    extra_costs_percent = _percent_field("postage and other extra costs ± %", 50)
    patients_percent = _percent_field("patient numbers ± %", 20)
    # Monte Carlo: triangular ranges of ± these % around the model's values.
    draws = models.PositiveIntegerField(
        default=decision_settings.DEFAULT_DRAWS,
        validators=[MinValueValidator(decision_settings.MIN_DRAWS), MaxValueValidator(decision_settings.MAX_DRAWS)],
    )
    seed = models.PositiveIntegerField(
        default=decision_settings.DEFAULT_SEED, validators=[MaxValueValidator(decision_settings.MAX_SEED)]
    )
    rate_uncertainty_percent = _percent_field("staff rates could be ± %", 0)
    minutes_uncertainty_percent = _percent_field("minutes could be ± %", 0)
    # Capacity freed, as appointments of these lengths.
    gp_appointment_minutes = _appointment_field("GP appointment (minutes)", RoleKind.GP)
    nurse_appointment_minutes = _appointment_field("nurse appointment (minutes)", RoleKind.NURSE)
    hca_appointment_minutes = _appointment_field("healthcare assistant appointment (minutes)", RoleKind.HCA)
    other_appointment_minutes = _appointment_field("other staff appointment (minutes)", RoleKind.OTHER)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "decision inputs"
        constraints = [
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 0}) & Q(**{f"{name}__lte": decision_settings.MAX_PERCENT}),
                    name=f"decisioninputs_{name}_range",
                )
                for name in PERCENT_FIELDS
            ),
            models.CheckConstraint(
                condition=Q(draws__gte=decision_settings.MIN_DRAWS) & Q(draws__lte=decision_settings.MAX_DRAWS),
                name="decisioninputs_draws_range",
            ),
            models.CheckConstraint(
                condition=Q(seed__gte=0) & Q(seed__lte=decision_settings.MAX_SEED), name="decisioninputs_seed_range"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gt": 0})
                    & Q(**{f"{name}__lte": decision_settings.MAX_APPOINTMENT_MINUTES}),
                    name=f"decisioninputs_{name}_range",
                )
                for name in APPOINTMENT_FIELDS.values()
            ),
        ]

    def __str__(self) -> str:
        return f"Decision inputs of model {self.cost_model_id}"


class SetupCost(models.Model):
    """One line of a model's one-off set-up cost: staff time (a role's hours) or an amount in pounds."""

    class Kind(models.TextChoices):
        TRAINING = "training", "Training"
        TEMPLATE = "template", "Template building"
        ADMIN = "admin", "Administrative set-up"
        OTHER = "other", "Other one-off cost"

    cost_model = models.ForeignKey("pathways.CostModel", on_delete=models.CASCADE, related_name="setup_costs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    role = models.ForeignKey(
        "practices.StaffRole", null=True, blank=True, on_delete=models.CASCADE, related_name="setup_costs"
    )
    hours = models.DecimalField(
        max_digits=9,
        decimal_places=limits.HOURS_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(decision_settings.MAX_SETUP_HOURS)],
    )
    amount = models.DecimalField(
        "amount (£)",
        max_digits=12,
        decimal_places=limits.MONEY_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(decision_settings.MAX_SETUP_AMOUNT)],
    )
    description = models.CharField(max_length=limits.MAX_NAME_LENGTH, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["cost_model", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["training", "template", "admin", "other"]), name="setupcost_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(hours__lte=decision_settings.MAX_SETUP_HOURS),
                name="setupcost_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(amount__lte=decision_settings.MAX_SETUP_AMOUNT),
                name="setupcost_amount_range",
            ),
            # Staff time (a role and its hours, no amount) or an amount (no role, no hours);
            # other one-off costs are amounts only.
            models.CheckConstraint(
                condition=(Q(role__isnull=False) & Q(hours__isnull=False) & Q(amount__isnull=True) & ~Q(kind="other"))
                | (Q(role__isnull=True) & Q(hours__isnull=True) & Q(amount__isnull=False)),
                name="setupcost_staff_time_or_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description or self.role or self.amount}"
