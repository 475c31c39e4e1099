"""Forms of decision support: a model's decision inputs, its set-up costs, the cohort estimator.

Bounds come from costing/decisions/settings.py and costing/limits.py; the
database has the same as constraints. Bad input is a message beside the field.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy

from costing import limits
from costing.decisions import settings as decision_settings
from costing.decisions.settings import DecisionSettings
from costing.engine import normalise_minutes
from pathways.models import APPOINTMENT_FIELDS, PERCENT_FIELDS, Condition, SetupCost
from pathways.services import SetupCostInput
from practices.formfields import SafeModelChoiceField
from practices.models import Practice, StaffRole
from practices.selectors import staff_roles


def _number_input(mode: str = "decimal", size: int = 6) -> forms.TextInput:
    # Text with an input mode rather than type=number: what was typed comes back
    # with the message beside it (as in pathways/forms/editor.py).
    return forms.TextInput(attrs={"inputmode": mode, "autocomplete": "off", "size": size})


def _percent(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        min_value=Decimal(0),
        max_value=decision_settings.MAX_PERCENT,
        decimal_places=limits.PERCENT_PLACES,
        widget=_number_input(),
        error_messages={
            "required": "Enter a percentage from 0 to 100 (0 leaves this out).",
            "invalid": "Enter a percentage as a number, like 20 or 12.5.",
            "min_value": "A percentage cannot be negative.",
            "max_value": "A percentage is at most 100.",
            "max_decimal_places": "Give at most 3 decimal places.",
            "max_digits": "A percentage is at most 100.",
            "max_whole_digits": "A percentage is at most 100.",
        },
    )


def _appointment(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(1),
        max_value=decision_settings.MAX_APPOINTMENT_MINUTES,
        decimal_places=limits.MINUTES_PLACES,
        widget=_number_input(),
        error_messages={
            "required": "Enter the length of a typical appointment in minutes.",
            "invalid": "Enter minutes as a number, like 10 or 12.5.",
            "min_value": "An appointment is at least 1 minute.",
            "max_value": format_lazy("At most {} minutes.", decision_settings.MAX_APPOINTMENT_MINUTES),
            "max_decimal_places": "Give minutes to at most 2 decimal places.",
            "max_digits": format_lazy("At most {} minutes.", decision_settings.MAX_APPOINTMENT_MINUTES),
            "max_whole_digits": format_lazy("At most {} minutes.", decision_settings.MAX_APPOINTMENT_MINUTES),
        },
    )


def _whole(label: str, low: int, high: int, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=low,
        max_value=high,
        widget=_number_input("numeric", 8),
        error_messages={
            "required": f"Enter a whole number from {low:,} to {high:,}.",
            "invalid": f"Enter a whole number from {low:,} to {high:,}.",
            "min_value": f"At least {low:,}.",
            "max_value": f"At most {high:,}.",
        },
    )


class DecisionInputsForm(forms.Form):
    """The percentages, Monte Carlo draws, seed and uncertainty, and appointment lengths."""

    rate_percent = _percent("Staff cost per hour: ± %", "Each role's cost per hour, one role at a time.")
    minutes_percent = _percent("Minutes of each kind of step: ± %", "Every stage of one kind of step together.")
    extra_costs_percent = _percent("Postage and other extra costs: ± %")
    patients_percent = _percent("Patient numbers: ± %", "Every cohort, before and after.")
    rate_uncertainty_percent = _percent(
        "Staff rates could be ± %", "A triangular range around each role's cost per hour; 0: certain."
    )
    minutes_uncertainty_percent = _percent(
        "Minutes could be ± %", "A triangular range around each stage's minutes; 0: certain."
    )
    minutes_together = forms.TypedChoiceField(
        label="How the minutes vary",
        choices=[
            ("true", "Minutes of the same kind of step move together (if reviews run long, they run long everywhere)"),
            ("false", "Each stage's minutes vary on their own (errors partly cancel out: a narrower range)"),
        ],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        initial="true",
        # Left unanswered: the default, together.
        required=False,
        empty_value=True,
        error_messages={"invalid_choice": "Choose one of the two."},
    )
    draws = _whole("Simulated variations (Monte Carlo draws)", decision_settings.MIN_DRAWS, decision_settings.MAX_DRAWS)
    seed = _whole(
        "Random seed",
        0,
        decision_settings.MAX_SEED,
        "The same seed gives the same figures; change it to see how much they move.",
    )
    gp_appointment_minutes = _appointment("GP appointment (minutes)")
    nurse_appointment_minutes = _appointment("Nurse appointment (minutes)")
    hca_appointment_minutes = _appointment("Healthcare assistant appointment (minutes)")
    other_appointment_minutes = _appointment("Other staff appointment (minutes)")

    SENSITIVITY = ("rate_percent", "minutes_percent", "extra_costs_percent", "patients_percent")
    UNCERTAINTY = ("rate_uncertainty_percent", "minutes_uncertainty_percent", "minutes_together", "draws", "seed")
    APPOINTMENTS = tuple(APPOINTMENT_FIELDS.values())

    @staticmethod
    def initial_from(settings: DecisionSettings) -> dict:
        """The form's values from settings, without trailing zeros (20, not 20.000)."""
        lengths = {**decision_settings.DEFAULT_APPOINTMENT_MINUTES, **settings.appointment_minutes}
        return {
            "rate_percent": normalise_minutes(settings.role_rate_percent),
            "minutes_percent": normalise_minutes(settings.step_minutes_percent),
            "extra_costs_percent": normalise_minutes(settings.extra_costs_percent),
            "patients_percent": normalise_minutes(settings.patients_percent),
            "rate_uncertainty_percent": normalise_minutes(settings.rate_uncertainty_percent),
            "minutes_uncertainty_percent": normalise_minutes(settings.minutes_uncertainty_percent),
            "minutes_together": "true" if settings.minutes_together else "false",
            "draws": settings.draws,
            "seed": settings.seed,
            **{name: normalise_minutes(lengths[kind]) for kind, name in APPOINTMENT_FIELDS.items()},
        }

    def groups(self) -> list[tuple[str, str, list]]:
        return [
            (
                "One-way sensitivity (tornado)",
                "How far each input is moved down and up, one at a time.",
                [self[n] for n in self.SENSITIVITY],
            ),
            (
                "Uncertainty (Monte Carlo)",
                "How uncertain the rates and minutes are; the saving is costed again with every draw.",
                [self[n] for n in self.UNCERTAINTY],
            ),
            (
                "Capacity freed",
                "Staff time freed is also shown as appointments of these lengths.",
                [self[n] for n in self.APPOINTMENTS],
            ),
        ]

    def values(self) -> dict:
        """The cleaned values, by DecisionInputs field name."""
        names = (*PERCENT_FIELDS, "minutes_together", "draws", "seed", *APPOINTMENT_FIELDS.values())
        return {name: self.cleaned_data[name] for name in names}


class PracticeRoleChoice(SafeModelChoiceField):
    def label_from_instance(self, obj: StaffRole) -> str:
        return f"{obj.name} (£{obj.as_engine_role().hourly_rate}/h)"


class SetupCostForm(forms.Form):
    """One line: a role's hours of training, template building or admin set-up, or an amount in pounds."""

    kind = forms.ChoiceField(label="Kind", choices=SetupCost.Kind.choices, initial=SetupCost.Kind.TRAINING)
    role = PracticeRoleChoice(
        label="Whose time",
        queryset=StaffRole.objects.none(),
        required=False,
        empty_label="No staff time (an amount)",
        error_messages={"invalid_choice": "Choose one of this practice's staff roles."},
    )
    hours = forms.DecimalField(
        label="Hours",
        required=False,
        min_value=Decimal(0),
        max_value=decision_settings.MAX_SETUP_HOURS,
        decimal_places=limits.HOURS_PLACES,
        widget=_number_input(),
        error_messages={
            "invalid": "Enter hours as a number, like 3 or 1.5.",
            "min_value": "Hours cannot be negative.",
            "max_value": format_lazy(
                "At most {:,} hours on one line: check for a typo.", decision_settings.MAX_SETUP_HOURS
            ),
            "max_digits": format_lazy(
                "At most {:,} hours on one line: check for a typo.", decision_settings.MAX_SETUP_HOURS
            ),
            "max_whole_digits": format_lazy(
                "At most {:,} hours on one line: check for a typo.", decision_settings.MAX_SETUP_HOURS
            ),
            "max_decimal_places": "Give hours to at most 2 decimal places.",
        },
    )
    amount = forms.DecimalField(
        label="Amount (£)",
        required=False,
        min_value=Decimal(0),
        max_value=decision_settings.MAX_SETUP_AMOUNT,
        decimal_places=limits.MONEY_PLACES,
        widget=_number_input(size=9),
        error_messages={
            "invalid": "Enter an amount in pounds, like 250 or 99.50.",
            "min_value": "An amount cannot be negative.",
            "max_value": format_lazy(
                "At most £{:,} on one line: check for a typo.", decision_settings.MAX_SETUP_AMOUNT
            ),
            "max_digits": format_lazy(
                "At most £{:,} on one line: check for a typo.", decision_settings.MAX_SETUP_AMOUNT
            ),
            "max_whole_digits": format_lazy(
                "At most £{:,} on one line: check for a typo.", decision_settings.MAX_SETUP_AMOUNT
            ),
            "max_decimal_places": "Give pounds and pence: at most 2 decimal places.",
        },
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=limits.MAX_NAME_LENGTH,
        widget=forms.TextInput(attrs={"size": 24}),
    )

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = staff_roles(practice=practice)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        kind, role, hours, amount = (cleaned.get(n) for n in ("kind", "role", "hours", "amount"))
        staff_time = role is not None or hours is not None
        if staff_time and amount is not None:
            raise forms.ValidationError("Give a role and its hours, or an amount in pounds, not both.")
        if kind == SetupCost.Kind.OTHER and staff_time:
            self.add_error(
                "amount",
                "Other one-off costs are in pounds: enter an amount (staff time is training, templates or admin).",
            )
        elif role is not None and hours is None:
            self.add_error("hours", "Enter how many hours of this role's time.")
        elif hours is not None and role is None:
            self.add_error("role", "Choose whose time these hours are.")
        elif not staff_time and amount is None:
            raise forms.ValidationError("Give a role and its hours, or an amount in pounds.")
        return cleaned

    def as_input(self) -> SetupCostInput:
        c = self.cleaned_data
        return SetupCostInput(
            kind=c["kind"],
            role=c.get("role"),
            hours=c.get("hours"),
            amount=c.get("amount"),
            description=c.get("description", "").strip(),
        )


class SetupCostFormSetBase(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": format_lazy("At most {} set-up cost lines.", decision_settings.MAX_SETUP_LINES),
    }

    def rows(self) -> list[SetupCostForm]:
        """The filled-in lines not marked for removal (call after is_valid())."""
        return [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]


SetupCostFormSet = forms.formset_factory(
    SetupCostForm,
    formset=SetupCostFormSetBase,
    extra=3,
    can_delete=True,
    max_num=decision_settings.MAX_SETUP_LINES,
    validate_max=True,
    absolute_max=decision_settings.MAX_SETUP_LINES + 3,
)


def setup_initial(rows: list[SetupCost]) -> list[dict]:
    def plain(value):
        return None if value is None else normalise_minutes(value)

    return [
        {"kind": r.kind, "role": r.role_id, "hours": plain(r.hours), "amount": r.amount, "description": r.description}
        for r in rows
    ]


# ------------------------------------------------------------------- estimator


class EstimatorForm(forms.Form):
    """A GET form: the list size and, optionally, the practice's own register counts."""

    list_size = _whole("List size (registered patients)", 0, limits.MAX_COHORT_PATIENTS)

    def __init__(self, *args, conditions: list[Condition], **kwargs):
        super().__init__(*args, **kwargs)
        self.conditions = conditions
        self.register_rows = []
        for condition in conditions:
            name = f"register_{condition.code}"
            self.fields[name] = forms.IntegerField(
                label=f"{condition.name}: register count",
                required=False,
                min_value=0,
                max_value=limits.MAX_COHORT_PATIENTS,
                widget=_number_input("numeric", 8),
                error_messages={
                    "invalid": "Enter a whole number of patients, or leave it blank.",
                    "min_value": "A register count cannot be negative.",
                    "max_value": f"At most {limits.MAX_COHORT_PATIENTS:,} patients.",
                },
            )
            self.register_rows.append((condition, self[name]))

    def registers(self) -> dict[str, int]:
        return {
            c.code: self.cleaned_data[f"register_{c.code}"]
            for c in self.conditions
            if self.cleaned_data.get(f"register_{c.code}") is not None
        }
