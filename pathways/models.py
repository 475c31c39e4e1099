"""Conditions, pathways of stages, before/after cost models of cohorts, and their decision inputs."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from simple_history.models import HistoricalRecords

from costing import engine, limits, profiles
from costing.decisions import settings as decision_settings
from costing.decisions.capacity import DEFAULT_APPOINTMENT_MINUTES, RoleKind
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
    # Whom the prevalence is a percentage of, in words ("patients aged 17+"), and the
    # age of that list (None: the whole list, all ages): the estimator applies the
    # percentage to the practice's list of that age (costing/decisions/estimator.py).
    denominator = models.CharField(max_length=200, blank=True)
    denominator_min_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(limits.MAX_REGISTER_AGE)]
    )
    # Why a figure is missing, or how old it is.
    prevalence_note = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


def description_within_limit(table: str) -> models.CheckConstraint:
    """The database's copy of the form's and the model file's bound on a description."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length("description"), limits.MAX_DESCRIPTION_LENGTH),
        name=f"{table}_description_within_limit",
    )


class Pathway(models.Model):
    """A named, ordered list of stages that one patient goes through."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="pathways")
    key = models.CharField(max_length=limits.MAX_KEY_LENGTH, validators=[KEY_VALIDATOR])
    name = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    description = models.TextField(max_length=limits.MAX_DESCRIPTION_LENGTH, blank=True)
    # The optimistic lock: an edit saves only if nobody saved since it was opened.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["name", "key"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "key"], name="pathway_key_unique_in_practice"),
            models.UniqueConstraint(fields=["practice", "id"], name="pathway_practice_id"),
            description_within_limit("pathway"),
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
        max_digits=14,
        # Sub-penny: a text message costs a fraction of a penny (costing rule 1 rounds the line).
        decimal_places=limits.EXTRA_COST_PLACES,
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


class ModelKind:
    """Whether a model is a scenario or a copy, from ``has_overlay`` and ``based_on_id``: the one
    rule for a CostModel and for a model read as values (reports.selectors.ModelChoice)."""

    __slots__ = ()
    has_overlay: bool
    based_on_id: int | None

    @property
    def is_scenario(self) -> bool:
        """An overlay on its base: it holds no cohorts, pathways or roles of its own."""
        return self.has_overlay

    @property
    def is_copy(self) -> bool:
        """A model in its own right that was copied from another (its own rows; edits to that one do not reach it)."""
        return not self.has_overlay and self.based_on_id is not None


def model_url(ods_code: str, model_pk: int) -> str:
    """A cost model's page (for a model read as values, too)."""
    return reverse("model_detail", kwargs={"ods_code": ods_code, "model_pk": model_pk})


class CostModel(ModelKind, models.Model):
    """A named before/after comparison of one practice over one period."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="cost_models")
    name = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    description = models.TextField(max_length=limits.MAX_DESCRIPTION_LENGTH, blank=True)
    period = models.CharField(max_length=20, choices=Period.choices, default=engine.Period.MONTH.value)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="scenarios")
    # A scenario: only what differs from ``based_on`` (costing.overlay's JSON), applied to the base
    # at costing time. None for a model in its own right (one copied from ``based_on`` keeps its rows).
    overlay = models.JSONField(null=True, blank=True, default=None)
    # The practice's baseline: its real figures, which the roll-up, its workbook and batches use.
    is_baseline = models.BooleanField("baseline", default=False)
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
            description_within_limit("costmodel"),
            # A practice has at most one baseline, and it is a model in its own right, never a scenario.
            models.UniqueConstraint(
                fields=["practice"], condition=Q(is_baseline=True), name="costmodel_one_baseline_per_practice"
            ),
            models.CheckConstraint(
                condition=Q(is_baseline=False) | Q(overlay__isnull=True), name="costmodel_baseline_not_a_scenario"
            ),
            models.CheckConstraint(
                condition=Q(overlay__isnull=True) | Q(based_on__isnull=False), name="costmodel_overlay_has_a_base"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return model_url(self.practice.ods_code, self.pk)

    @property
    def has_overlay(self) -> bool:
        return self.overlay is not None


def _figure(places: int):
    return models.DecimalField(max_digits=24, decimal_places=places)


class ModelTotals(models.Model):
    """A model's totals (the engine's Headline) as computed at its version, and its base's for a scenario.

    Written in the transaction of every change that moves a version (pathways.totals.refresh);
    read by lists and roll-ups in one query (pathways.totals.headlines), which compute and
    store again any row whose versions no longer match. Counts and minutes are Decimals: a
    patient scale (costing rule 8) makes them fractional.
    """

    cost_model = models.OneToOneField(CostModel, on_delete=models.CASCADE, primary_key=True, related_name="totals")
    version = models.PositiveIntegerField()
    base_version = models.PositiveIntegerField(null=True)  # a scenario's base's version; None for a model of its own
    period = models.CharField(max_length=20, choices=Period.choices)
    cost_before = _figure(2)
    cost_after = _figure(2)
    visits_before = _figure(4)
    visits_after = _figure(4)
    staff_minutes_before = _figure(6)
    staff_minutes_after = _figure(6)
    people_before = _figure(4)
    people_after = _figure(4)
    reviews_before = _figure(4)
    reviews_after = _figure(4)
    contact_minutes_before = _figure(6)
    contact_minutes_after = _figure(6)

    def __str__(self) -> str:
        return f"totals of model {self.cost_model_id} at version {self.version}"


class CohortGroup(models.Model):
    """People of a model's practice who share one set of conditions (model file version 2's ``groups``).

    Cohorts that name the group have its people as their patients; the model's
    people count each group once, however many cohorts (reviews) it has.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    cost_model = models.ForeignKey(CostModel, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveIntegerField(default=0)
    key = models.CharField(max_length=limits.MAX_KEY_LENGTH)
    label = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    people = models.PositiveIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(limits.MAX_COHORT_PATIENTS)]
    )
    conditions = models.ManyToManyField(
        Condition, blank=True, related_name="cohort_groups", through="CohortGroupCondition"
    )
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["cost_model", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cost_model", "key"], name="cohortgroup_key_once_per_model"),
            # The target of a cohort's (cost_model_id, group_id): its group is of its own model (migration 0008).
            models.UniqueConstraint(fields=["cost_model", "id"], name="cohortgroup_model_id"),
            models.CheckConstraint(condition=Q(people__gte=0), name="cohortgroup_people_not_negative"),
        ]

    def __str__(self) -> str:
        return self.label


class CohortGroupCondition(models.Model):
    """A group's register, in the order the user gave them."""

    group = models.ForeignKey(CohortGroup, on_delete=models.CASCADE, related_name="group_conditions")
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "condition"], name="cohortgroup_condition_once")]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.condition_id}"


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
    # How many times each patient goes through the pathway in the model's period.
    times = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_TIMES)]
    )
    # Of the patients, those screened out at triage (costing rule 7: docs/model-format.md, "Exceptions").
    exceptions = models.PositiveIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(limits.MAX_COHORT_PATIENTS)]
    )
    # The group whose people are the patients, of the same model (the database checks: migration 0008).
    group = models.ForeignKey(CohortGroup, null=True, blank=True, on_delete=models.RESTRICT, related_name="cohorts")
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
                condition=Q(exceptions__gte=0) & Q(exceptions__lte=F("patients")),
                name="cohort_exceptions_within_patients",
            ),
            models.CheckConstraint(
                condition=Q(times__gte=1) & Q(times__lte=limits.MAX_TIMES), name="cohort_times_range"
            ),
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


# ------------------------------------------------------------------ practice profiles
# A practice's population as a practice manager reads it off a clinical-system
# search: counts only. A practice keeps one profile per search, dated by when it
# was run, so that a model generated from last year's registers still says which
# counts it came from once this year's are entered; edits to a profile are in its
# history. The rules (what must add up) are costing/profiles.py's.


class PracticeProfile(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="profiles")
    read_on = models.DateField("date of the search")
    note = models.CharField(
        max_length=limits.MAX_NAME_LENGTH, blank=True, help_text="Where the counts came from (the search's name)."
    )
    list_size = models.PositiveIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(profiles.MAX_LIST_SIZE)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The optimistic lock: an edit saves only if nobody saved since it was opened.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["practice", "-read_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(list_size__gte=0) & Q(list_size__lte=profiles.MAX_LIST_SIZE),
                name="practiceprofile_list_size_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.read_on:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("profile_detail", kwargs={"ods_code": self.practice.ods_code, "profile_pk": self.pk})


class ProfileAgeBand(models.Model):
    """People on the list aged ``low_age`` to ``high_age`` (blank: and over)."""

    profile = models.ForeignKey(PracticeProfile, on_delete=models.CASCADE, related_name="age_bands")
    position = models.PositiveSmallIntegerField(default=0)
    low_age = models.PositiveSmallIntegerField(validators=[MaxValueValidator(profiles.MAX_AGE)])
    high_age = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(profiles.MAX_AGE)])
    people = models.PositiveIntegerField(validators=[MaxValueValidator(profiles.MAX_LIST_SIZE)])
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["profile", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(high_age__gte=F("low_age")), name="profileageband_ages_in_order"),
            models.CheckConstraint(condition=Q(people__gte=0), name="profileageband_people_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{profiles.AgeBand(self.low_age, self.high_age, self.people).label}: {self.people}"


class ProfileRegister(models.Model):
    """People on one condition register."""

    profile = models.ForeignKey(PracticeProfile, on_delete=models.CASCADE, related_name="registers")
    position = models.PositiveSmallIntegerField(default=0)
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="+")
    people = models.PositiveIntegerField(validators=[MaxValueValidator(profiles.MAX_LIST_SIZE)])
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["profile", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "condition"], name="profileregister_condition_once"),
            models.CheckConstraint(condition=Q(people__gte=0), name="profileregister_people_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.condition_id}: {self.people}"


class ProfileGroup(models.Model):
    """People with one set of conditions, or (no conditions) with ``condition_count`` of them ("3+": ``or_more``)."""

    profile = models.ForeignKey(PracticeProfile, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveSmallIntegerField(default=0)
    people = models.PositiveIntegerField(validators=[MaxValueValidator(profiles.MAX_LIST_SIZE)])
    condition_count = models.PositiveSmallIntegerField(null=True, blank=True)
    or_more = models.BooleanField(default=False)
    conditions = models.ManyToManyField(
        Condition, blank=True, related_name="profile_groups", through="ProfileGroupCondition"
    )
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["profile", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(people__gte=0), name="profilegroup_people_not_negative"),
            models.CheckConstraint(condition=Q(condition_count__gte=1), name="profilegroup_count_positive"),
            models.CheckConstraint(
                condition=Q(or_more=False) | Q(condition_count__isnull=False), name="profilegroup_or_more_needs_count"
            ),
        ]

    def __str__(self) -> str:
        return f"Group {self.position + 1}: {self.people}"


class ProfileGroupCondition(models.Model):
    group = models.ForeignKey(ProfileGroup, on_delete=models.CASCADE, related_name="group_conditions")
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "condition"], name="profilegroup_condition_once")]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.condition_id}"


# ------------------------------------------------------------------ decision support
# The inputs of a cost model's decision support page (costing.decisions). A model
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
        CostModel, on_delete=models.CASCADE, related_name="decision_inputs", primary_key=True
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
    # True: the minutes of every stage of one kind of step move together in each draw; False: each on its own.
    minutes_together = models.BooleanField("minutes of one kind of step move together", default=True)
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

    cost_model = models.ForeignKey(CostModel, on_delete=models.CASCADE, related_name="setup_costs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    role = models.ForeignKey(StaffRole, null=True, blank=True, on_delete=models.CASCADE, related_name="setup_costs")
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
