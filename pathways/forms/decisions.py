"""Forms of decision support: a model's decision inputs, its set-up costs, the cohort estimator.

Bounds come from costing/decisions/settings.py and costing/limits.py; the
database has the same as constraints. Bad input is a message beside the field.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy

from costing import engine, limits
from costing.decisions import estimator
from costing.decisions import settings as decision_settings
from costing.decisions.settings import DecisionSettings
from costing.engine import normalise_minutes
from pathways.models import APPOINTMENT_FIELDS, PERCENT_FIELDS, Condition, CostModel, Pathway, SetupCost
from pathways.services import SetupCostInput
from practices.formfields import SafeModelChoiceField, plain_text
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
        validators=[plain_text],
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


def _count(label: str, what: str = "patients", help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=0,
        max_value=limits.MAX_COHORT_PATIENTS,
        widget=_number_input("numeric", 8),
        error_messages={
            "invalid": f"Enter a whole number of {what}, or leave it blank.",
            "min_value": "Cannot be negative.",
            "max_value": f"At most {limits.MAX_COHORT_PATIENTS:,} {what}.",
        },
    )


def register_ages(conditions: list[Condition]) -> list[int]:
    """The ages of the lists the conditions' prevalences are of (17: patients aged 17+), youngest first."""
    return sorted({c.denominator_min_age for c in conditions if c.denominator_min_age is not None})


class EstimatorForm(forms.Form):
    """A GET form: the list size, optionally by age band, the practice's own register counts,
    and how many people the registers are."""

    list_size = _whole("List size (registered patients)", 0, limits.MAX_COHORT_PATIENTS)
    people = _count(
        "People on one or more of these registers",
        "people",
        "From a search of your clinical system; without it the proposal can only say “up to”.",
    )
    multimorbid = _count(
        "Of them, people on two or more", "people", "Needed to give people with several conditions their own pathway."
    )

    def __init__(self, *args, conditions: list[Condition], **kwargs):
        super().__init__(*args, **kwargs)
        self.conditions = conditions
        self.age_rows = []
        for age in register_ages(conditions):
            name = f"list_aged_{age}"
            self.fields[name] = _count(f"List aged {age}+")
            self.age_rows.append((age, self[name]))
        self.register_rows = []
        for condition in conditions:
            name = f"register_{condition.code}"
            self.fields[name] = _count(f"{condition.name}: register count")
            self.register_rows.append((condition, self[name]))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            estimator.check_age_lists(cleaned["list_size"], self.age_lists())
        except estimator.AgeListError as exc:
            self.add_error(f"list_aged_{exc.age}", str(exc))
        return cleaned

    def registers(self) -> dict[str, int]:
        return {
            c.code: self.cleaned_data[f"register_{c.code}"]
            for c in self.conditions
            if self.cleaned_data.get(f"register_{c.code}") is not None
        }

    def age_lists(self) -> dict[int, int]:
        return {
            age: self.cleaned_data[field.name]
            for age, field in self.age_rows
            if self.cleaned_data.get(field.name) is not None
        }

    def hidden_values(self) -> list[tuple[str, object]]:
        """What was estimated, to send again with the accept form (the server estimates again)."""
        return [(name, value) for name, value in self.cleaned_data.items() if value is not None]


class PathwayChoice(SafeModelChoiceField):
    def label_from_instance(self, obj: Pathway) -> str:
        return obj.name


def _pathway_choice(label: str, empty_label: str, pathways=None) -> PathwayChoice:
    return PathwayChoice(
        label=label,
        queryset=pathways if pathways is not None else Pathway.objects.none(),
        required=False,
        empty_label=empty_label,
        error_messages={"invalid_choice": "Choose one of this practice's pathways."},
    )


class EstimateAcceptForm(forms.Form):
    """Accepting the proposal: a review pathway per register, the after side, and which model."""

    NEW = "new"

    after = forms.ChoiceField(
        label="After",
        choices=[
            (estimator.AfterPlan.NONE.value, "Leave the after side as it is: I will add its cohorts"),
            (estimator.AfterPlan.ONE.value, "Everyone on these registers through one pathway"),
            (
                estimator.AfterPlan.SPLIT.value,
                "People on one register through one pathway, people on two or more through another",
            ),
        ],
        initial=estimator.AfterPlan.NONE.value,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    after_pathway = _pathway_choice("After: pathway (everyone, or people on one register)", "Choose a pathway")
    after_pathway_multi = _pathway_choice("After: pathway of people on two or more registers", "Choose a pathway")
    target = forms.ChoiceField(label="Add the cohorts to")
    name = forms.CharField(label="Name of the new model", required=False, max_length=limits.MAX_NAME_LENGTH)
    period = forms.ChoiceField(
        label="The new model counts patients a",
        choices=[(engine.Period.YEAR.value, "Year"), (engine.Period.MONTH.value, "Month")],
        initial=engine.Period.YEAR.value,
    )

    def __init__(self, *args, practice: Practice, codes: list[str], models: list[CostModel], pathways, **kwargs):
        super().__init__(*args, **kwargs)
        self.models = {str(m.pk): m for m in models}
        self.fields["target"].choices = [(self.NEW, "A new model"), *((str(m.pk), m.name) for m in models)]
        self.fields["target"].initial = self.NEW
        self.fields["after_pathway"].queryset = pathways
        self.fields["after_pathway_multi"].queryset = pathways
        self.codes = codes
        for code in codes:
            self.fields[f"pathway_{code}"] = _pathway_choice(f"Review pathway ({code})", "Leave out", pathways)

    def pathway_field(self, code: str):
        return self[f"pathway_{code}"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not self.chosen():
            raise forms.ValidationError("Choose a review pathway for at least one register.")
        after = estimator.AfterPlan(cleaned["after"])
        if after is not estimator.AfterPlan.NONE and cleaned.get("after_pathway") is None:
            self.add_error("after_pathway", "Choose the after side's pathway.")
        if after is estimator.AfterPlan.SPLIT and cleaned.get("after_pathway_multi") is None:
            self.add_error("after_pathway_multi", "Choose the pathway of people on two or more registers.")
        target = cleaned["target"]
        if target == self.NEW:
            if not cleaned.get("name", "").strip():
                self.add_error("name", "Name the new model.")
        elif self.models[target].period == engine.Period.PER_PATIENT.value:
            self.add_error(
                "target", "This model counts one patient, not a month or a year: choose another, or a new model."
            )
        return cleaned

    def chosen(self) -> dict[str, Pathway]:
        """Each included register's code to its review pathway, in the proposal's order."""
        return {
            code: self.cleaned_data[f"pathway_{code}"]
            for code in self.codes
            if self.cleaned_data.get(f"pathway_{code}") is not None
        }

    def cost_model(self) -> CostModel | None:
        return self.models.get(self.cleaned_data["target"])

    def model_period(self) -> engine.Period:
        model = self.cost_model()
        return engine.Period(model.period if model is not None else self.cleaned_data["period"])
