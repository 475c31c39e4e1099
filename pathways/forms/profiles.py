"""Forms of a practice profile: its counts entered by hand or uploaded, and generating a model from it.

The text of an age band (``18+``), a group's conditions (``DM; CHD``) and its
number of conditions (``3+``) is read by costing.profiles' own parsers, the
same as the import's, so a row means one thing whichever way it came in. What
must add up is checked by costing.profiles.check, and each problem is shown
beside the field it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django import forms
from django.utils.text import format_lazy

from costing import engine, limits, profiles
from pathways.models import Condition, Pathway, Period

PEOPLE_ERRORS = {
    "min_value": "Must not be negative.",
    "max_value": format_lazy("At most {:,}.", profiles.MAX_LIST_SIZE),
    "invalid": "Enter a whole number.",
}


def _people_field(label: str, *, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=profiles.MAX_LIST_SIZE,
        error_messages=PEOPLE_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ProfileForm(forms.Form):
    """The profile's date, note, list size and one register count per condition (blank: not given)."""

    read_on = forms.DateField(
        label="Date of the search",
        initial=date.today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the counts were read off the clinical system.",
    )
    note = forms.CharField(
        label="Note", max_length=limits.MAX_NAME_LENGTH, required=False, help_text="Where the counts came from."
    )
    list_size = _people_field("List size (all ages)", required=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, conditions: Sequence[Condition], **kwargs):
        super().__init__(*args, **kwargs)
        self.conditions = list(conditions)
        for condition in self.conditions:
            self.fields[self.register_field(condition.code)] = _people_field(f"{condition.name} ({condition.code})")

    @staticmethod
    def register_field(code: str) -> str:
        return f"register_{code}"

    def register_fields(self):
        return [self[self.register_field(c.code)] for c in self.conditions]


class AgeBandForm(forms.Form):
    ages = forms.CharField(label="Ages", max_length=20, required=False, widget=forms.TextInput(attrs={"size": 8}))
    people = _people_field("People")


class GroupForm(forms.Form):
    conditions = forms.CharField(
        label="Conditions",
        max_length=limits.MAX_NAME_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"size": 14}),
    )
    count = forms.CharField(
        label="Number of conditions", max_length=10, required=False, widget=forms.TextInput(attrs={"size": 4})
    )
    people = _people_field("People")


AgeBandFormSet = forms.formset_factory(AgeBandForm, extra=0, max_num=40, absolute_max=40)
GroupFormSet = forms.formset_factory(GroupForm, extra=0, max_num=limits.MAX_GROUPS, absolute_max=limits.MAX_GROUPS)
BLANK_BANDS = 2
BLANK_GROUPS = 6


def formset_initial(profile: profiles.Profile | None) -> tuple[list[dict], list[dict]]:
    """The bands' and groups' rows of a profile, each list followed by blank rows to fill in."""
    bands = [{"ages": b.label, "people": b.people} for b in profile.age_bands] if profile else []
    groups = (
        [
            {
                "conditions": "; ".join(g.conditions),
                "count": g.number,
                "people": g.people,
            }
            for g in profile.groups
        ]
        if profile
        else []
    )
    if not bands:
        bands = [{"ages": "0-17"}, {"ages": "18+"}]
    return bands + [{}] * BLANK_BANDS, groups + [{}] * BLANK_GROUPS


def profile_initial(profile: profiles.Profile, **fields) -> dict:
    initial = {"list_size": profile.list_size, **fields}
    initial |= {ProfileForm.register_field(r.code): r.people for r in profile.registers}
    return initial


def read_forms(form: ProfileForm, bands, groups) -> profiles.Profile | None:
    """The profile the three forms give, or None with each problem added beside its field."""
    valid = all([form.is_valid(), bands.is_valid(), groups.is_valid()])
    if not valid:
        return None
    known = {c.code for c in form.conditions}
    band_rows, group_rows = [], []  # (form, parsed)
    for band_form in bands.forms:
        data = band_form.cleaned_data
        if not data.get("ages") and data.get("people") is None:
            continue
        if data.get("people") is None:
            band_form.add_error("people", "Give the number of people in this band.")
            continue
        try:
            low, high = profiles.parse_ages(data.get("ages", ""))
        except ValueError as problem:
            band_form.add_error("ages", f"{str(problem)[:1].upper()}{str(problem)[1:]}.")
            continue
        band_rows.append((band_form, profiles.AgeBand(low, high, data["people"])))
    for group_form in groups.forms:
        data = group_form.cleaned_data
        codes_text, count_text = data.get("conditions", ""), data.get("count", "")
        if not codes_text and not count_text and data.get("people") is None:
            continue
        group = _group(group_form, codes_text, count_text, data.get("people"), known)
        if group is not None:
            group_rows.append((group_form, group))
    registers = [
        profiles.Register(c.code, form.cleaned_data[form.register_field(c.code)])
        for c in form.conditions
        if form.cleaned_data.get(form.register_field(c.code)) is not None
    ]
    if form.errors or any(f.errors for f in bands.forms) or any(f.errors for f in groups.forms):
        return None
    profile = profiles.Profile(
        list_size=form.cleaned_data["list_size"],
        age_bands=tuple(b for _f, b in band_rows),
        registers=tuple(registers),
        groups=tuple(g for _f, g in group_rows),
    )
    problems = profiles.check(profile)
    for problem in problems:
        message = f"{problem.message[:1].upper()}{problem.message[1:]}."
        if problem.section == "list_size":
            form.add_error("list_size", message)
        elif problem.section == "registers":
            form.add_error(form.register_field(registers[problem.index].code), message)
        elif problem.section == "age_bands":
            band_rows[problem.index][0].add_error("ages" if problem.column == "ages" else "people", message)
        elif problem.section == "groups":
            field = {"conditions": "conditions", "number of conditions": "count"}.get(problem.column, "people")
            group_rows[problem.index if problem.index is not None else -1][0].add_error(field, message)
    return None if problems else profile


def _group(group_form, codes_text: str, count_text: str, people: int | None, known) -> profiles.Group | None:
    if people is None:
        group_form.add_error("people", "Give the number of people in this group.")
        return None
    if codes_text and count_text:
        group_form.add_error("count", "Give the group's conditions or its number of conditions, not both.")
        return None
    try:
        if count_text:
            count, or_more = profiles.parse_count(count_text)
            return profiles.Group(people, count=count, or_more=or_more)
        if not codes_text:
            raise ValueError("give the group's conditions (DM; CHD) or its number of conditions (2, or 3+)")
        return profiles.Group(people, conditions=profiles.parse_codes(codes_text, known))
    except ValueError as problem:
        field = "count" if count_text else "conditions"
        group_form.add_error(field, f"{str(problem)[:1].upper()}{str(problem)[1:]}.")
        return None


class ProfileImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel (.xlsx) file",
        help_text=format_lazy(
            "Columns: kind (list size, age band, register, group), ages (0-17, 18+), conditions (a register's "
            "code; a group's codes separated by ;), number of conditions (a group's 2 or 3+ instead of its codes), "
            "people. At most {} MB.",
            limits.MAX_MODEL_FILE_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    read_on = ProfileForm.base_fields["read_on"]
    note = ProfileForm.base_fields["note"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > limits.MAX_MODEL_FILE_BYTES:
            raise forms.ValidationError(f"The file is larger than {limits.MAX_MODEL_FILE_BYTES // 1024 // 1024} MB.")
        return upload


# ------------------------------------------------------------------ generating a model


class GenerateForm(forms.Form):
    """Per condition of the profile, its current review and how often; the care and support planning after."""

    name = forms.CharField(label="Name of the new model", max_length=limits.MAX_NAME_LENGTH)
    period = forms.ChoiceField(
        label="Period",
        choices=Period.choices,
        initial=engine.Period.YEAR.value,
        help_text="What the counts and the times a review runs are per.",
    )
    csp_pathway = forms.ChoiceField(label="Care and support planning pathway (after)")
    complex_pathway = forms.ChoiceField(
        label="Pathway for complex needs (optional)",
        required=False,
        help_text="Used instead for people with complex needs: at least the number of conditions you set for them.",
    )
    complex_from = forms.IntegerField(
        label="Complex needs from this many conditions",
        min_value=2,
        max_value=profiles.MAX_COMPLEX_FROM,
        initial=profiles.DEFAULT_COMPLEX_FROM,
    )

    def __init__(self, *args, codes: Sequence[str], names: dict[str, str], pathways: Sequence[Pathway], **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = list(codes)
        choices = [("", "Choose a pathway")] + [(p.key, p.name) for p in pathways]
        by_key = {p.key for p in pathways}
        self.fields["csp_pathway"].choices = choices
        self.fields["complex_pathway"].choices = [("", "The same pathway for everyone")] + choices[1:]
        for code in self.codes:
            self.fields[f"pathway_{code}"] = forms.ChoiceField(
                label=f"Current review of {names.get(code, code)} ({code})",
                choices=choices,
                # A pathway keyed by the register's code (example B's dm, chd, copd) is its likely review.
                initial=code.lower() if code.lower() in by_key else "",
            )
            self.fields[f"times_{code}"] = forms.IntegerField(
                label=f"Times a period ({code})",
                min_value=1,
                max_value=limits.MAX_TIMES,
                initial=1,
                error_messages={
                    "min_value": "At least once.",
                    "max_value": format_lazy("At most {} times in the model's period.", limits.MAX_TIMES),
                },
            )

    def rows(self):
        return [(code, self[f"pathway_{code}"], self[f"times_{code}"]) for code in self.codes]

    def choices(self) -> profiles.Choices:
        data = self.cleaned_data
        return profiles.Choices(
            reviews={code: profiles.Review(data[f"pathway_{code}"], data[f"times_{code}"]) for code in self.codes},
            csp_pathway=data["csp_pathway"],
            complex_pathway=data["complex_pathway"] or None,
            complex_from=data["complex_from"],
        )
