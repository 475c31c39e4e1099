"""Who works where: organisations, practices, memberships, facilitators, staff roles."""

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from costing import engine, limits
from practices.audit import history_user

# GP practice codes in the Organisation Data Service: a letter and five digits.
# \Z, not $: "$" also matches before a final newline, so "A81001\n" would pass.
ODS_PRACTICE_CODE = RegexValidator(
    r"\A[A-Z][0-9]{5}\Z", "An ODS practice code is a capital letter and five digits, e.g. A81001."
)
KEY_VALIDATOR = RegexValidator(r"\A[A-Za-z0-9][A-Za-z0-9_-]*\Z", "Use letters, digits, '-' and '_' only.")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ICB = "icb", "Integrated care board"
        PCN = "pcn", "Primary care network"
        FEDERATION = "federation", "GP federation"
        OTHER = "other", "Other"

    name = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="organisation_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Practice(models.Model):
    name = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    ods_code = models.CharField("ODS code", max_length=6, unique=True, validators=[ODS_PRACTICE_CODE])
    list_size = models.PositiveIntegerField(
        "registered list size", validators=[MaxValueValidator(200_000)], help_text="Patients registered."
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="practices"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(list_size__gte=0), name="practice_list_size_not_negative"),
            models.CheckConstraint(condition=Q(ods_code__regex=r"^[A-Z][0-9]{5}\Z"), name="practice_ods_code_format"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    def get_absolute_url(self) -> str:
        return practice_url(self.ods_code)


def practice_url(ods_code: str) -> str:
    """A practice's page (for a practice read as values, too)."""
    return reverse("practice_detail", kwargs={"ods_code": ods_code})


class Membership(models.Model):
    """A practice's own user: an admin who builds models, or staff who read them."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Practice admin"
        STAFF = "staff", "Practice staff"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "practice"], name="membership_one_per_user_practice"),
            models.CheckConstraint(condition=Q(role__in=["admin", "staff"]), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.practice}"


class Facilitator(models.Model):
    """A Year of Care facilitator: looks after many practices."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facilitator")
    practices = models.ManyToManyField(Practice, through="FacilitatorAssignment", related_name="facilitators")

    def __str__(self) -> str:
        return str(self.user)


class FacilitatorAssignment(models.Model):
    facilitator = models.ForeignKey(Facilitator, on_delete=models.CASCADE, related_name="assignments")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="assignments")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facilitator", "practice"], name="assignment_once_per_practice"),
        ]

    def __str__(self) -> str:
        return f"{self.facilitator} → {self.practice}"


class StaffRole(models.Model):
    """A kind of staff member at a practice and what an hour of their time costs.

    One cost basis: a cost per hour, or an annual salary with employer on-costs
    and paid hours. The hourly and per-minute costs are derived (engine.Role),
    never stored.
    """

    CostBasis = models.TextChoices("CostBasis", [(b.name, (b.value, b.label.capitalize())) for b in engine.CostBasis])

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="staff_roles")
    key = models.CharField(max_length=limits.MAX_KEY_LENGTH, validators=[KEY_VALIDATOR])
    name = models.CharField(max_length=limits.MAX_NAME_LENGTH)
    band = models.CharField(max_length=limits.MAX_BAND_LENGTH, blank=True)
    cost_per_hour = models.DecimalField(
        max_digits=10,
        decimal_places=limits.RATE_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(limits.MAX_COST_PER_HOUR)],
    )
    annual_salary = models.DecimalField(
        max_digits=12,
        decimal_places=limits.MONEY_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(limits.MAX_ANNUAL_SALARY)],
    )
    on_cost_percent = models.DecimalField(
        "employer on-costs (%)",
        max_digits=6,
        decimal_places=limits.PERCENT_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(limits.MAX_ON_COST_PERCENT)],
    )
    paid_hours_per_year = models.DecimalField(
        max_digits=7,
        decimal_places=limits.HOURS_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(limits.MAX_PAID_HOURS_PER_YEAR)],
    )
    cost_basis = models.CharField(max_length=20, choices=CostBasis.choices, blank=True)
    # The optimistic lock: an edit saves only if nobody saved since it was opened.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["name", "key"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "key"], name="staffrole_key_unique_in_practice"),
            # The target of the same-practice composite foreign keys (see pathways migrations).
            models.UniqueConstraint(fields=["practice", "id"], name="staffrole_practice_id"),
            models.CheckConstraint(
                condition=(
                    Q(cost_per_hour__isnull=False)
                    & Q(annual_salary__isnull=True)
                    & Q(on_cost_percent__isnull=True)
                    & Q(paid_hours_per_year__isnull=True)
                )
                | (
                    Q(cost_per_hour__isnull=True)
                    & Q(annual_salary__isnull=False)
                    & Q(on_cost_percent__isnull=False)
                    & Q(paid_hours_per_year__isnull=False)
                ),
                name="staffrole_one_cost_basis",
            ),
            models.CheckConstraint(condition=Q(cost_per_hour__gte=0), name="staffrole_cost_per_hour_not_negative"),
            models.CheckConstraint(condition=Q(annual_salary__gte=0), name="staffrole_salary_not_negative"),
            models.CheckConstraint(condition=Q(on_cost_percent__gte=0), name="staffrole_on_cost_not_negative"),
            models.CheckConstraint(condition=Q(paid_hours_per_year__gt=0), name="staffrole_paid_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_engine_role(cls, role: engine.Role, *, practice: Practice, key: str | None = None) -> "StaffRole":
        """An unsaved role of ``practice`` with ``role``'s rates: as_engine_role the other way; ``key`` to rename it."""
        return cls(
            practice=practice,
            key=role.key if key is None else key,
            name=role.name,
            band=role.band,
            cost_per_hour=role.cost_per_hour,
            annual_salary=role.annual_salary,
            on_cost_percent=role.on_cost_percent,
            paid_hours_per_year=role.paid_hours_per_year,
            cost_basis=role.cost_basis.value if role.cost_basis else "",
        )

    def as_engine_role(self) -> engine.Role:
        return engine_role(*(getattr(self, name) for name in ENGINE_ROLE_FIELDS))


# A role row as the engine costs it: these fields of a StaffRole, in this order, from an
# instance (as_engine_role) or read as values (pathways.selectors), go through engine_role.
ENGINE_ROLE_FIELDS = (
    "key",
    "name",
    "band",
    "cost_per_hour",
    "annual_salary",
    "on_cost_percent",
    "paid_hours_per_year",
    "cost_basis",
)


def engine_role(key, name, band, cost_per_hour, annual_salary, on_cost_percent, paid_hours_per_year, cost_basis):
    """The one way a stored role becomes the engine's Role (the fields of ENGINE_ROLE_FIELDS)."""
    return engine.Role(
        key=key,
        name=name,
        band=band,
        cost_per_hour=cost_per_hour,
        annual_salary=annual_salary,
        on_cost_percent=on_cost_percent,
        paid_hours_per_year=paid_hours_per_year,
        cost_basis=engine.CostBasis(cost_basis) if cost_basis else None,
    )


class Invitation(models.Model):
    """An emailed, single-use link to join a practice as admin or staff.

    Only a SHA-256 hash of the random token is stored: the link is in the email
    alone. Used once (accepted_at), and not after expires_at.
    """

    VALID_FOR = timedelta(days=7)

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_accepted",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["admin", "staff"]), name="invitation_role_known"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=False) | Q(accepted_by__isnull=True),
                name="invitation_accepted_by_only_when_accepted",
            ),
            # One pending invitation per person and practice: a new one replaces it.
            models.UniqueConstraint(
                fields=["practice", "email"],
                condition=Q(accepted_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.get_role_display()} at {self.practice}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
