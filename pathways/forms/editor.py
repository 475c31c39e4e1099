"""Forms of the pathway and cost model editors. Bounds come from costing/limits.py."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.text import format_lazy

from costing import engine, exchange, limits, reference
from pathways.forms import postage
from pathways.models import CohortGroup, Condition, Pathway, Period, Step
from pathways.selectors import conditions, practice_pathways
from pathways.services import CohortInput, StageInput
from practices.concurrency import require_version
from practices.formfields import SafeModelChoiceField, SafeModelMultipleChoiceField, description_field, plain_text
from practices.models import Practice, StaffRole
from practices.selectors import staff_roles

TEMPLATE_FILES = ("example_b.json", "example_cd.json")
CREATE_ROLE = "__create__"


def _number_input(mode: str = "decimal") -> forms.TextInput:
    # Text with an input mode rather than type=number: what was typed comes back
    # with the message beside it, and browsers do not silently drop "7,5".
    return forms.TextInput(attrs={"inputmode": mode, "autocomplete": "off", "size": 5})


# --------------------------------------------------------------------- templates


@lru_cache(maxsize=1)
def template_models() -> tuple[tuple[str, engine.CostModel], ...]:
    """The seed's worked examples, read from their model files: the pathways to start from."""
    return tuple(
        (name.removesuffix(".json"), exchange.loads((reference.EXAMPLES_DIR / name).read_bytes()))
        for name in TEMPLATE_FILES
    )


def template_choices() -> list:
    return [(model.name, [(f"{file}:{p.key}", p.name) for p in model.pathways]) for file, model in template_models()]


def find_template(value: str) -> tuple[engine.Pathway, dict[str, engine.Role]] | None:
    """The template pathway named ``file:key`` and the roles of its file, or None."""
    file, _, key = value.partition(":")
    for name, model in template_models():
        if name == file:
            for pathway in model.pathways:
                if pathway.key == key:
                    return pathway, {r.key: r for r in model.roles}
    return None


def template_roles(pathway: engine.Pathway, roles: dict[str, engine.Role]) -> list[engine.Role]:
    """The roles a template pathway's stages use, in order of first use."""
    return [roles[key] for key in dict.fromkeys(s.role for s in pathway.stages if s.role is not None)]


# A start_from value naming one of the practice's own pathways: "practice:<pk>".
OWN_PATHWAY = "practice:"


class PathwayCreateForm(forms.Form):
    name = forms.CharField(max_length=limits.MAX_NAME_LENGTH, label="Name of the pathway", validators=[plain_text])
    start_from = forms.ChoiceField(
        label="Start from",
        required=False,
        help_text="A blank pathway, a copy of one of this practice's pathways (its stages and roles), "
        "or a copy of one of the worked examples' pathways.",
    )

    def __init__(self, *args, own_pathways=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.own_pathways = {f"{OWN_PATHWAY}{p.pk}": p for p in own_pathways}
        own = [("This practice's pathways", [(value, p.name) for value, p in self.own_pathways.items()])]
        self.fields["start_from"].choices = [
            ("", "A blank pathway"),
            *(own if self.own_pathways else []),
            *template_choices(),
        ]

    def own_pathway(self):
        """The practice's pathway to copy, or None."""
        return self.own_pathways.get(self.cleaned_data.get("start_from") or "")

    def template(self) -> tuple[engine.Pathway, dict[str, engine.Role]] | None:
        value = self.cleaned_data.get("start_from")
        return find_template(value) if value and not value.startswith(OWN_PATHWAY) else None


class RoleMappingForm(forms.Form):
    """For each role of a template pathway, the practice role that does its stages."""

    def __init__(self, *args, roles: list[engine.Role], practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.template_roles = roles
        practice_roles = list(staff_roles(practice=practice))
        self.practice_roles = {str(r.pk): r for r in practice_roles}
        for role in roles:
            rate = engine.round_half_up(role.exact_hourly_rate)
            default = next((r for r in practice_roles if r.key == role.key), None) or next(
                (r for r in practice_roles if r.name.casefold() == role.name.casefold()), None
            )
            self.fields[f"role_{role.key}"] = forms.ChoiceField(
                label=f"{role.name} (£{rate}/h in the example)",
                choices=[
                    (CREATE_ROLE, f"Create this role: {role.name} at £{rate} an hour"),
                    *(
                        [("This practice's roles", [(str(r.pk), f"{r.name} ({r.key})") for r in practice_roles])]
                        if practice_roles
                        else []
                    ),
                ],
                initial=str(default.pk) if default else CREATE_ROLE,
            )

    def mapping(self) -> dict[str, StaffRole | engine.Role]:
        """Template role key → the chosen practice role, or the template role to create."""
        out: dict[str, StaffRole | engine.Role] = {}
        for role in self.template_roles:
            value = self.cleaned_data[f"role_{role.key}"]
            out[role.key] = role if value == CREATE_ROLE else self.practice_roles[value]
        return out


# ------------------------------------------------------------------ pathway edit


class PathwayForm(forms.Form):
    # The version the editor opened: the save is refused if someone saved since.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="Name", max_length=limits.MAX_NAME_LENGTH, validators=[plain_text])
    description = description_field()

    def clean(self) -> dict:
        data = super().clean()
        require_version(data)
        return data


class PracticeRoleField(SafeModelChoiceField):
    def label_from_instance(self, obj: StaffRole) -> str:
        return f"{obj.name} ({obj.key})"


class StageForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label="Name",
        max_length=limits.MAX_NAME_LENGTH,
        validators=[plain_text],
        widget=forms.TextInput(attrs={"size": 24}),
    )
    step = forms.ChoiceField(
        label="Step",
        choices=[("", "Choose a step"), *Step.choices],
        error_messages={"required": "Choose the step this stage belongs to."},
    )
    role = PracticeRoleField(
        label="Role",
        queryset=StaffRole.objects.none(),
        required=False,
        empty_label="No staff time",
        error_messages={"invalid_choice": "Choose one of this practice's staff roles."},
    )
    minutes = forms.DecimalField(
        label="Minutes",
        required=False,
        min_value=Decimal(0),
        max_value=limits.MAX_STAGE_MINUTES,
        decimal_places=limits.MINUTES_PLACES,
        widget=_number_input(),
        error_messages={
            "invalid": "Enter the minutes as a number, like 7 or 7.5.",
            "min_value": "Minutes cannot be negative.",
            "max_value": format_lazy(
                "At most {} minutes for one stage (a working day): check for a typo.", limits.MAX_STAGE_MINUTES
            ),
            "max_decimal_places": "Give minutes to at most 2 decimal places.",
        },
    )
    extra_cost = forms.DecimalField(
        label="Extra cost (£)",
        required=False,
        min_value=Decimal(0),
        max_value=limits.MAX_EXTRA_COST,
        # A fraction of a penny (a text message) is allowed, as in model files (version 2).
        decimal_places=limits.EXTRA_COST_PLACES,
        widget=_number_input(),
        help_text="Postage, stamps or consumables per patient.",
        error_messages={
            "invalid": "Enter an amount in pounds, like 0.85.",
            "min_value": "An extra cost cannot be negative.",
            "max_value": format_lazy("At most £{} a patient for one stage.", limits.MAX_EXTRA_COST),
            "max_decimal_places": "Give pounds and pence: at most 4 decimal places (a fraction of a penny).",
        },
    )
    # Beside the extra cost, not columns of their own: fill it with a letter price at a date.
    letter_class = postage.letter_class_field("Letter price")
    letter_date = postage.letter_date_field("Letter price on")
    inline_fields = ("letter_class", "letter_date")
    letter_source = ""  # "Royal Mail second class, from 7 April 2026" once a letter price is chosen
    visit = forms.IntegerField(
        label="Visit",
        required=False,
        min_value=1,
        max_value=limits.MAX_VISIT_NUMBER,
        widget=_number_input("numeric"),
        help_text="Stages sharing a number are one attendance; blank when not patient-facing.",
        error_messages={
            "invalid": "Enter a visit number, like 1 or 2, or leave it blank.",
            "min_value": "Visit numbers start at 1; leave it blank when the stage is not patient-facing.",
            "max_value": format_lazy("At most {} visits in one pathway.", limits.MAX_VISIT_NUMBER),
        },
    )

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = staff_roles(practice=practice)
        self.fields["extra_cost"].widget.attrs["data-letter-amount"] = ""
        # The stages' help texts are under the table's column headings.
        for field in self.fields.values():
            field.help_text = ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("minutes") is None and "minutes" not in self.errors:
            cleaned["minutes"] = Decimal(0)
        self.letter_source = ""
        if cleaned.get("letter_class"):
            self._fill_letter_price(cleaned)
        if cleaned.get("extra_cost") is None and "extra_cost" not in self.errors:
            cleaned["extra_cost"] = Decimal(0)
        if cleaned.get("minutes") and cleaned.get("role") is None and "role" not in self.errors:
            self.add_error("role", "A stage with minutes needs a role: choose who does it.")
        return cleaned

    def has_changed(self) -> bool:
        # The letter date starts at today: on its own it is no reason to read a new row.
        return bool(set(self.changed_data) - {"letter_date"})

    def _fill_letter_price(self, cleaned: dict) -> None:
        # A chosen class and date set the extra cost, so it works without JavaScript;
        # a date whose price is not known is refused rather than the last price guessed.
        day = cleaned.get("letter_date")
        if day is None:
            if "letter_date" not in self.errors:
                self.add_error("letter_date", "Choose the date of the letter price.")
            return
        price = postage.letter_price(cleaned["letter_class"], day)
        if isinstance(price, str):
            self.add_error("letter_date", price)
            return
        self.errors.pop("extra_cost", None)
        cleaned["extra_cost"] = price.amount
        self.letter_source = price.source

    def as_input(self) -> StageInput:
        c = self.cleaned_data
        return StageInput(
            id=c.get("id"),
            name=c["name"],
            step=c["step"],
            role=c["role"],
            minutes=c["minutes"],
            extra_cost=c["extra_cost"],
            visit=c.get("visit"),
        )


class EditorFormSet(forms.BaseFormSet):
    """A list of rows in order. A new row left untouched is ignored; a row with an id must be valid."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.is_bound and not self.data.get(f"{self.add_prefix(index)}-id"):
            kwargs["empty_permitted"] = True
        return kwargs

    def rows(self) -> list:
        """The filled-in forms, in order (call after is_valid())."""
        return [form for form in self.forms if form.cleaned_data]


class StageFormSetBase(EditorFormSet):
    default_error_messages = {
        "too_many_forms": format_lazy("A pathway has at most {} stages.", limits.MAX_STAGES_PER_PATHWAY),
    }


class CohortFormSetBase(EditorFormSet):
    default_error_messages = {
        "too_many_forms": format_lazy("At most {:,} cohorts on one side of a model.", limits.MAX_COHORTS_PER_SIDE),
    }


StageFormSet = forms.formset_factory(
    StageForm,
    formset=StageFormSetBase,
    extra=0,
    max_num=limits.MAX_STAGES_PER_PATHWAY,
    validate_max=True,
    absolute_max=limits.MAX_STAGES_PER_PATHWAY + 1,
)
StageFormSet.fields = ("id", "name", "step", "role", "minutes", "extra_cost", "letter_class", "letter_date", "visit")
StageFormSet.multi_fields = ()
StageFormSet.noun = "stage"


# ------------------------------------------------------------------ model edit


class CostModelForm(forms.Form):
    name = forms.CharField(label="Name", max_length=limits.MAX_NAME_LENGTH, validators=[plain_text])
    description = description_field()
    period = forms.ChoiceField(
        label="Period",
        choices=Period.choices,
        initial=engine.Period.MONTH.value,
        help_text="What the numbers of patients count: one patient, a month or a year.",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing

    def clean(self) -> dict:
        data = super().clean()
        if self.editing:
            require_version(data)
        return data


class ChosenFirst:
    """A multiple choice widget that lists the chosen options first, in the order they were given."""

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        rank = {str(v): i for i, v in enumerate(value)}
        chosen = sorted((g for g in groups if str(g[1][0]["value"]) in rank), key=lambda g: rank[str(g[1][0]["value"])])
        rest = [g for g in groups if str(g[1][0]["value"]) not in rank]
        return [(None, options, i) for i, (_, options, _) in enumerate(chosen + rest)]


class OrderedCheckboxSelectMultiple(ChosenFirst, forms.CheckboxSelectMultiple):
    """Checkboxes, not a Ctrl-click multi-select: the chosen conditions first, then the others."""


class OrderedConditionsField(SafeModelMultipleChoiceField):
    """Condition registers, cleaned to a list in the order they were submitted."""

    widget = OrderedCheckboxSelectMultiple

    def label_from_instance(self, obj: Condition) -> str:
        return f"{obj.name} ({obj.code})"

    def clean(self, value):
        chosen = super().clean(value)
        by_pk = {str(c.pk): c for c in chosen}
        return list(dict.fromkeys(by_pk[str(v)] for v in value if str(v) in by_pk)) if value else []


class CohortForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(
        label="Name",
        max_length=limits.MAX_NAME_LENGTH,
        validators=[plain_text],
        widget=forms.TextInput(attrs={"size": 24}),
    )
    conditions = OrderedConditionsField(
        label="Conditions",
        queryset=conditions(),
        required=False,
        widget=OrderedCheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": "Choose conditions from the list."},
    )
    patients = forms.IntegerField(
        label="Patients",
        min_value=0,
        max_value=limits.MAX_COHORT_PATIENTS,
        widget=_number_input("numeric"),
        error_messages={
            "required": "Enter the number of patients (0 or more).",
            "invalid": "Enter the number of patients as a whole number, like 23.",
            "min_value": "The number of patients cannot be negative.",
            "max_value": format_lazy(
                "At most {:,} patients in one cohort: check for a typo.", limits.MAX_COHORT_PATIENTS
            ),
        },
    )
    times = forms.IntegerField(
        label="Times in the period",
        required=False,
        min_value=1,
        max_value=limits.MAX_TIMES,
        widget=_number_input("numeric"),
        error_messages={
            "invalid": "Enter how many times each patient goes through the pathway, a whole number like 1 or 2.",
            "min_value": "At least once: a patient who does not go through the pathway is not in the cohort.",
            "max_value": format_lazy("At most {} times in the model's period.", limits.MAX_TIMES),
        },
    )
    # Costing rule 7 (docs/model-format.md, "Exceptions"): a whole number of the cohort's patients.
    exceptions = forms.IntegerField(
        label="Exceptions (screened out at triage)",
        required=False,
        min_value=0,
        max_value=limits.MAX_COHORT_PATIENTS,
        widget=_number_input("numeric"),
        help_text="Patients who go through the stages up to and including triage, and none after.",
        error_messages={
            "invalid": "Enter the number of exceptions as a whole number, like 0 or 3.",
            "min_value": "The number of exceptions cannot be negative.",
            "max_value": "There cannot be more exceptions than patients.",
        },
    )
    pathway = SafeModelChoiceField(
        label="Pathway",
        queryset=Pathway.objects.none(),
        empty_label="Choose a pathway",
        error_messages={
            "required": "Choose the pathway these patients go through.",
            "invalid_choice": "Choose one of this practice's pathways.",
        },
    )

    def __init__(self, *args, practice: Practice, groups: Mapping[int, CohortGroup] | None = None, **kwargs):
        """``groups``: the model's grouped cohorts (cohort id → group), whose patients are read-only."""
        super().__init__(*args, **kwargs)
        self.fields["pathway"].queryset = practice_pathways(practice=practice)
        self.group = (groups or {}).get(self._cohort_id())
        if self.group is not None:
            # A grouped cohort's patients are its group's people: shown, not edited
            # (a disabled field takes its initial value whatever is posted).
            patients = self.fields["patients"]
            patients.disabled = True
            patients.initial = self.group.people
            patients.widget = GroupPatientsWidget(group=self.group)

    def _cohort_id(self) -> int | None:
        raw = self.data.get(self.add_prefix("id")) if self.is_bound else self.initial.get("id")
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("times") is None and "times" not in self.errors:
            cleaned["times"] = 1
        if cleaned.get("exceptions") is None and "exceptions" not in self.errors:
            cleaned["exceptions"] = 0
        exceptions, patients = cleaned.get("exceptions"), cleaned.get("patients")
        if exceptions is not None and patients is not None and exceptions > patients:
            self.add_error(
                "exceptions",
                f"There cannot be more exceptions than patients: at most {patients:,} here.",
            )
        return cleaned

    def as_input(self) -> CohortInput:
        c = self.cleaned_data
        return CohortInput(
            id=c.get("id"),
            label=c["label"],
            patients=c["patients"],
            pathway=c["pathway"],
            conditions=tuple(c.get("conditions") or ()),
            times=c["times"],
            exceptions=c["exceptions"],
        )


class GroupPatientsWidget(forms.Widget):
    """A grouped cohort's patients as text: “1 person (group: Diabetes, CHD and COPD)”."""

    def __init__(self, *, group: CohortGroup, attrs=None):
        super().__init__(attrs)
        self.group = group

    def render(self, name, value, attrs=None, renderer=None):
        people = self.group.people
        noun = "person" if people == 1 else "people"
        return format_html(
            '<span class="form-control-plaintext form-control-sm text-nowrap" id="{}">{} {} (group: {})</span>',
            (attrs or {}).get("id", ""),
            f"{people:,}",
            noun,
            self.group.label,
        )


CohortFormSet = forms.formset_factory(
    CohortForm,
    formset=CohortFormSetBase,
    extra=0,
    max_num=limits.MAX_COHORTS_PER_SIDE,
    validate_max=True,
    absolute_max=limits.MAX_COHORTS_PER_SIDE + 1,
)
CohortFormSet.fields = ("id", "label", "conditions", "patients", "times", "exceptions", "pathway")
CohortFormSet.multi_fields = ("conditions",)
CohortFormSet.noun = "cohort"


# ------------------------------------------------------------------------ import


class ModelImportForm(forms.Form):
    file = forms.FileField(
        label="Model file (JSON)",
        help_text=format_lazy(
            "A cost model file (format pcsp-cost-model, version 1), at most {} MB.",
            limits.MAX_MODEL_FILE_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    name = forms.CharField(
        label="Name of the new model",
        max_length=limits.MAX_NAME_LENGTH,
        validators=[plain_text],
        required=False,
        help_text="Leave blank to use the name in the file.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > limits.MAX_MODEL_FILE_BYTES:
            raise ValidationError(
                "The file is %(size)s MB; a model file may be at most %(limit)s MB. Nothing was imported.",
                params={
                    "size": f"{upload.size / (1024 * 1024):.1f}",
                    "limit": limits.MAX_MODEL_FILE_BYTES // (1024 * 1024),
                },
            )
        try:
            self.model = exchange.loads(upload.read())
        except exchange.ModelFileError as exc:
            raise ValidationError(model_file_error_message(exc)) from None
        return upload


def model_file_error_message(exc: exchange.ModelFileError) -> str:
    where = f" at {exc.path}" if exc.path else ""
    return f"This file cannot be imported: problem{where}: {exc.message}. Nothing was imported."
