"""Conditions, pathways of stages, and before/after cost models of cohorts."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from costing import engine, limits
from practices.audit import history_user
from practices.models import KEY_VALIDATOR, Practice, StaffRole

Step = models.TextChoices("Step", [(s.name, (s.value, s.label)) for s in engine.Step])
Period = models.TextChoices("Period", [(p.name, (p.value, p.value.capitalize())) for p in engine.Period])


class Condition(models.Model):
    """A long-term-condition register (reference data, loaded from a file)."""

    code = models.CharField(max_length=limits.MAX_KEY_LENGTH, unique=True)
    name = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    qof_register = models.BooleanField(default=True)
    prevalence_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    prevalence_year = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Pathway(models.Model):
    """A named, ordered list of stages that one patient goes through."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="pathways")
    key = models.CharField(max_length=limits.MAX_KEY_LENGTH, validators=[KEY_VALIDATOR])
    name = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    description = models.TextField(blank=True)
    # The optimistic lock: an edit saves only if nobody saved since it was opened.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["name", "key"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "key"], name="pathway_key_unique_in_practice"),
            models.UniqueConstraint(fields=["practice", "id"], name="pathway_practice_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pathway_detail", kwargs={"ods_code": self.practice.ods_code, "pathway_pk": self.pk})


class Stage(models.Model):
    # Denormalised so that the database can prove the role and the pathway are of
    # one practice (composite foreign keys, see migration 0002).
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    step = models.CharField(max_length=30, choices=Step.choices)
    role = models.ForeignKey(StaffRole, null=True, blank=True, on_delete=models.PROTECT, related_name="stages")
    minutes = models.DecimalField(
        max_digits=7,
        decimal_places=limits.MINUTES_PLACES,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(limits.MAX_STAGE_MINUTES)],
    )
    extra_cost = models.DecimalField(
        "extra cost (£)",
        max_digits=12,
        decimal_places=limits.MONEY_PLACES,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(limits.MAX_EXTRA_COST)],
        help_text="Postage, stamps or consumables per patient.",
    )
    visit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_VISIT_NUMBER)],
        help_text="Stages sharing a number are one attendance; blank when not patient-facing.",
    )
    printed_cost = models.DecimalField(max_digits=12, decimal_places=limits.MONEY_PLACES, null=True, blank=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["pathway", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=0), name="stage_minutes_not_negative"),
            models.CheckConstraint(condition=Q(extra_cost__gte=0), name="stage_extra_cost_not_negative"),
            models.CheckConstraint(condition=Q(visit__gte=1), name="stage_visit_positive"),
            models.CheckConstraint(condition=Q(printed_cost__gte=0), name="stage_printed_cost_not_negative"),
            models.CheckConstraint(condition=Q(role__isnull=False) | Q(minutes=0), name="stage_minutes_need_a_role"),
            models.CheckConstraint(condition=Q(step__in=[s.value for s in engine.Step]), name="stage_step_known"),
        ]

    def __str__(self) -> str:
        return self.name

    def as_engine_stage(self) -> engine.Stage:
        return engine.Stage(
            name=self.name,
            step=engine.Step(self.step),
            role=self.role.key if self.role_id else None,
            minutes=self.minutes,
            extra_cost=self.extra_cost,
            visit=self.visit,
            printed_cost=self.printed_cost,
        )


class CostModel(models.Model):
    """A named before/after comparison of one practice over one period."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="cost_models")
    name = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    description = models.TextField(blank=True)
    period = models.CharField(max_length=20, choices=Period.choices, default=engine.Period.MONTH.value)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="scenarios")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every change: a cache key for results, and the optimistic lock.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["practice", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="costmodel_practice_id"),
            models.CheckConstraint(
                condition=Q(period__in=[p.value for p in engine.Period]), name="costmodel_period_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("model_detail", kwargs={"ods_code": self.practice.ods_code, "model_pk": self.pk})


class Cohort(models.Model):
    class Side(models.TextChoices):
        BEFORE = "before", "Before"
        AFTER = "after", "After"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    cost_model = models.ForeignKey(CostModel, on_delete=models.CASCADE, related_name="cohorts")
    side = models.CharField(max_length=6, choices=Side.choices)
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    conditions = models.ManyToManyField(Condition, blank=True, related_name="cohorts", through="CohortCondition")
    patients = models.PositiveIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(limits.MAX_COHORT_PATIENTS)]
    )
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="cohorts")
    printed_cost_per_patient = models.DecimalField(
        max_digits=12, decimal_places=limits.MONEY_PLACES, null=True, blank=True
    )
    printed_contact_minutes = models.DecimalField(
        max_digits=9, decimal_places=limits.MINUTES_PLACES, null=True, blank=True
    )
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["cost_model", "side", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(patients__gte=0), name="cohort_patients_not_negative"),
            models.CheckConstraint(condition=Q(side__in=["before", "after"]), name="cohort_side_known"),
            models.CheckConstraint(
                condition=Q(printed_cost_per_patient__gte=0), name="cohort_printed_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(printed_contact_minutes__gte=0), name="cohort_printed_minutes_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class CohortCondition(models.Model):
    """A cohort's register, in the order the user gave them."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="cohort_conditions")
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["cohort", "condition"], name="cohort_condition_once")]

    def __str__(self) -> str:
        return f"{self.cohort_id}: {self.condition_id}"
