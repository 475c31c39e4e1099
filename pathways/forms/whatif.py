"""The what-if panel: a form built from a model, read back into a WhatIf."""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django import forms
from django.utils.html import format_html

from costing import engine, limits, whatif
from costing.selectors import PayBandOption
from pathways.forms import postage
from pathways.models import Period
from practices.formfields import plain_text

CHANNEL_CHOICES = [("", "As each stage says now")] + [
    (kind.value, kind.label[0].upper() + kind.label[1:]) for kind in whatif.ChannelKind
]

SCALE_CHOICES = [
    (str(s), f"× {s.normalize()}")
    for s in (
        Decimal("0.5"),
        Decimal("0.75"),
        Decimal(1),
        Decimal("1.25"),
        Decimal("1.5"),
        Decimal(2),
        Decimal("2.5"),
        Decimal(3),
    )
]


class WhatIfForm(forms.Form):
    """Fields named by position (role_0_rate, stage_3_1_minutes): keys may hold any character.

    Every field starts at the model's own value; only a value that differs from
    it becomes a change, so submitting the untouched form changes nothing. Each
    stage has a "remove" box; one row (add_*) adds a stage to a chosen pathway,
    done by one of the model's roles (a scenario creates no role).
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    scale = forms.TypedChoiceField(
        label="Patient numbers", choices=SCALE_CHOICES, coerce=Decimal, initial="1", required=False
    )
    period = forms.ChoiceField(
        label="Period the numbers count",
        choices=Period.choices,
        required=False,
        help_text="What the patient numbers count: one patient, a month or a year.",
    )

    def __init__(self, *args, model: engine.CostModel, version: int, bands: list[PayBandOption], **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        self.bands = {b.value: b for b in bands}
        self.fields["version"].initial = version
        self.fields["period"].initial = model.period.value
        self.role_rows = []
        band_choices = [("", "Keep this rate")] + [(b.value, b.label) for b in bands]
        for i, role in enumerate(model.roles):
            rate_name, band_name = f"role_{i}_rate", f"role_{i}_band"
            self.fields[rate_name] = forms.DecimalField(
                label=f"{role.name}: cost per hour (£)",
                initial=role.hourly_rate,
                min_value=Decimal(0),
                max_value=limits.MAX_COST_PER_HOUR,
                decimal_places=limits.RATE_PLACES,
                max_digits=10,
            )
            self.fields[band_name] = forms.ChoiceField(
                label=f"{role.name}: or set from a pay band", choices=band_choices, required=False
            )
            self.role_rows.append((role, self[rate_name], self[band_name]))
        self.extra_rows = []
        amounts = sorted({s.extra_cost for p in model.pathways for s in p.stages if s.extra_cost})
        for j, amount in enumerate(amounts):
            name = f"extra_{j}"
            # Stored to 4 places (a text message costs a fraction of a penny): shown as £0.56, or £0.0125.
            amount = whatif.money_text(amount)
            uses = sum(1 for p in model.pathways for s in p.stages if s.extra_cost == amount)
            self.fields[name] = _extra_cost_field(
                label=f"Every extra cost of £{amount} (postage, {uses} stage{'s' if uses != 1 else ''})",
                initial=amount,
            )
            # "What if we post second class in 2026": a letter price at a date instead of an amount.
            self.fields[f"{name}_letter_class"] = postage.letter_class_field(
                f"Every extra cost of £{amount}: or a letter price"
            )
            self.fields[f"{name}_letter_date"] = postage.letter_date_field(
                f"Every extra cost of £{amount}: letter price on"
            )
            self.fields[name].widget.attrs["data-letter-amount"] = ""
            self.extra_rows.append((amount, self[name], self[f"{name}_letter_class"], self[f"{name}_letter_date"]))
        self.letter_sources: dict[str, str] = {}
        # One channel for every results (information sharing) stage, with or without an extra cost now.
        self.sharing_stages = sum(
            1 for p in model.pathways for s in p.stages if s.step == engine.Step.INFORMATION_SHARING
        )
        self.channel: whatif.Channel | None = None
        if self.sharing_stages:
            self.fields["channel"] = forms.ChoiceField(
                label=f"Share results by ({self.sharing_stages} information sharing "
                f"stage{'s' if self.sharing_stages != 1 else ''})",
                choices=CHANNEL_CHOICES,
                required=False,
            )
            self.fields["channel_letter_date"] = postage.letter_date_field("Letter price on")
            self.fields["channel_text_cost"] = _extra_cost_field(
                label="Cost of a text message (£, to 4 decimal places)",
                required=False,
                help_text="A fraction of a penny is allowed: £0.0125 is 1.25p.",
            )
        # A stage's two fields, built once and copied for each stage (_like).
        minutes_field = _minutes_field()
        # A stage's role: a text box holding the role's name, which the page's script turns into a select of
        # the model's roles, written once (role_options); see RoleField.
        self.role_options = role_labels(model.roles)
        role_field = RoleField(roles=model.roles, labels=self.role_options)
        remove_field = forms.BooleanField(required=False)
        self.pathway_rows = []
        for p, pathway in enumerate(model.pathways):
            stages = []
            for s, stage in enumerate(pathway.stages):
                remove_name = f"stage_{p}_{s}_remove"
                self.fields[remove_name] = _like(remove_field, label=f"Remove {stage.name}", initial=False)
                remove = RemoveBox(
                    name=remove_name,
                    stage_id=f"wi-s{p}-{s}",
                    pathway_id=f"wi-p{p}",
                    checked=self.is_bound and remove_field.widget.value_from_datadict(self.data, None, remove_name),
                )
                if stage.role is None:
                    # Postage only: its cost changes through the extra costs above; it can be removed.
                    stages.append((stage, None, None, remove))
                    continue
                minutes_name, role_name = f"stage_{p}_{s}_minutes", f"stage_{p}_{s}_role"
                self.fields[minutes_name] = _like(
                    minutes_field, label=f"{stage.name}: minutes", initial=engine.normalise_minutes(stage.minutes)
                )
                self.fields[role_name] = _like(
                    role_field, label=f"{stage.name}: done by", initial=self.role_options.get(stage.role, stage.role)
                )
                stages.append((stage, self[minutes_name], self[role_name], remove))
            self.pathway_rows.append((pathway, stages))
        self._add_stage_fields(model)

    def _add_stage_fields(self, model: engine.CostModel) -> None:
        """One row that adds a stage to a pathway the user picks: what a stage of a model file needs."""
        self.fields["add_pathway"] = forms.ChoiceField(
            label="Add a stage to",
            choices=[("", "No stage added")] + [(str(p), pathway.name) for p, pathway in enumerate(model.pathways)],
            required=False,
        )
        self.fields["add_name"] = forms.CharField(
            label="Name of the stage", max_length=limits.MAX_NAME_LENGTH, validators=[plain_text], required=False
        )
        self.fields["add_step"] = forms.ChoiceField(
            label="Step",
            choices=[(s.value, s.label) for s in engine.Step],
            initial=engine.Step.OTHER.value,
            required=False,
        )
        self.fields["add_role"] = forms.ChoiceField(
            label="Done by",
            choices=[("", "Nobody (no staff time)")] + [(r.key, r.name) for r in model.roles],
            required=False,
            error_messages={"invalid_choice": "Choose one of the model's roles: a scenario cannot create a role."},
        )
        self.fields["add_minutes"] = _minutes_field(label="Minutes", required=False)
        self.fields["add_extra_cost"] = _extra_cost_field(
            label="Extra cost (£)", required=False, help_text="Postage, stamps or consumables per patient."
        )
        self.fields["add_visit"] = forms.IntegerField(
            label="Visit",
            required=False,
            min_value=1,
            max_value=limits.MAX_VISIT_NUMBER,
            help_text="Stages sharing a number are one attendance; blank when not patient-facing.",
        )
        self.fields["add_position"] = forms.IntegerField(
            label="Position",
            required=False,
            min_value=1,
            help_text="1 puts it first; blank puts it at the end.",
        )
        self.added: whatif.AddedStage | None = None

    def fields_with_messages(self):
        """Every field that can have an error message (a stage's remove box cannot), for the htmx response."""
        return (self[name] for name in self.fields if not name.endswith("_remove"))

    @property
    def add_stage_fields(self) -> list[forms.BoundField]:
        """The add-a-stage row's fields, in the order the panel shows them."""
        return [self[f"add_{name}"] for name in ADD_FIELDS]

    @cached_property
    def letter_prices(self) -> dict | None:
        """The price table the page's script fills amounts from; read only when the page shows an extra cost."""
        return postage.price_table() if self.extra_rows else None

    def clean(self):
        cleaned = super().clean()
        self._clean_channel(cleaned)
        self._clean_added_stage(cleaned)
        for _amount, field, letter_class, letter_date in self.extra_rows:
            if not cleaned.get(letter_class.name):
                continue
            day = cleaned.get(letter_date.name)
            if day is None:
                if letter_date.name not in self.errors:
                    self.add_error(letter_date.name, "Choose the date of the letter price.")
                continue
            price = postage.letter_price(cleaned[letter_class.name], day)
            if isinstance(price, str):
                self.add_error(letter_date.name, price)
                continue
            self.errors.pop(field.name, None)
            cleaned[field.name] = price.amount
            self.letter_sources[field.name] = price.source
        return cleaned

    def _clean_added_stage(self, cleaned: dict) -> None:
        """The add-a-stage row as a whatif.AddedStage, or a message on the field that stops it."""
        chosen = cleaned.get("add_pathway")
        name = (cleaned.get("add_name") or "").strip()
        if not chosen:
            if name:
                self.add_error("add_pathway", f"Choose the pathway to add “{name}” to.")
            return
        if any(f in self.errors for f in ("add_role", "add_minutes", "add_extra_cost", "add_visit", "add_position")):
            return
        p = int(chosen)
        pathway = self.model.pathways[p]
        if not name:
            if "add_name" not in self.errors:
                self.add_error("add_name", "Name the stage to add.")
            return
        role = cleaned.get("add_role") or None
        minutes = cleaned.get("add_minutes") or Decimal(0)
        if minutes and role is None:
            self.add_error("add_role", "A stage with minutes needs someone to spend them: choose who does it.")
            return
        count = len(pathway.stages)
        position = cleaned.get("add_position")
        if position is not None and position > count + 1:
            self.add_error(
                "add_position",
                f"{pathway.name} has {count} stage{'s' if count != 1 else ''}: give a position from 1 to {count + 1}, "
                "or leave it blank for the end.",
            )
            return
        kept = sum(1 for s in range(count) if not cleaned.get(f"stage_{p}_{s}_remove"))
        if kept >= limits.MAX_STAGES_PER_PATHWAY:
            self.add_error(
                "add_pathway",
                f"{pathway.name} already has {kept} stages, the most a pathway can have: remove one to add another.",
            )
            return
        self.added = whatif.AddedStage(
            pathway=pathway.key,
            position=count if position is None else position - 1,
            stage=engine.Stage(
                name=name,
                step=engine.Step(cleaned.get("add_step") or engine.Step.OTHER),
                role=role,
                minutes=minutes,
                extra_cost=cleaned.get("add_extra_cost") or Decimal(0),
                visit=cleaned.get("add_visit"),
            ),
        )

    def _clean_channel(self, cleaned: dict) -> None:
        """The chosen channel as a whatif.Channel: a letter's price at its date, a text's cost, or none."""
        kind = cleaned.get("channel")
        if not kind:
            return
        kind = whatif.ChannelKind(kind)
        if kind in (whatif.ChannelKind.LETTER_FIRST, whatif.ChannelKind.LETTER_SECOND):
            day = cleaned.get("channel_letter_date")
            if day is None:
                if "channel_letter_date" not in self.errors:
                    self.add_error("channel_letter_date", "Choose the date of the letter price.")
                return
            letter_class = postage.FIRST if kind == whatif.ChannelKind.LETTER_FIRST else postage.SECOND
            price = postage.letter_price(letter_class, day)
            if isinstance(price, str):
                self.add_error("channel_letter_date", price)
                return
            self.channel = whatif.Channel(kind=kind, cost=price.amount, detail=price.source)
        elif kind == whatif.ChannelKind.TEXT:
            cost = cleaned.get("channel_text_cost")
            if cost is None:
                if "channel_text_cost" not in self.errors:
                    self.add_error("channel_text_cost", "Give the cost of one text message, like 0.0125.")
                return
            self.channel = whatif.Channel(kind=kind, cost=cost)
        else:
            self.channel = whatif.Channel(kind=kind)

    def whatif(self) -> whatif.WhatIf:
        """The changes the valid form asks for."""
        data = self.cleaned_data
        period = engine.Period(data["period"]) if data.get("period") else None
        roles = {}
        for i, role in enumerate(self.model.roles):
            band = data.get(f"role_{i}_band")
            rate = data.get(f"role_{i}_rate")
            if band and band in self.bands:
                roles[role.key] = self.bands[band].as_role(role.key, role.name)
            elif rate is not None and rate != role.hourly_rate:
                roles[role.key] = engine.Role(key=role.key, name=role.name, band=role.band, cost_per_hour=rate)
        extra_costs = {}
        amounts = sorted({s.extra_cost for p in self.model.pathways for s in p.stages if s.extra_cost})
        for j, amount in enumerate(amounts):
            new = data.get(f"extra_{j}")
            if new is not None and new != amount:
                extra_costs[amount] = new
        stage_minutes, stage_roles, removed = {}, {}, set()
        for p, pathway in enumerate(self.model.pathways):
            for s, stage in enumerate(pathway.stages):
                if data.get(f"stage_{p}_{s}_remove"):
                    removed.add((pathway.key, s))
                minutes = data.get(f"stage_{p}_{s}_minutes")
                if minutes is not None and minutes != stage.minutes:
                    stage_minutes[(pathway.key, s)] = minutes
                role = data.get(f"stage_{p}_{s}_role")
                if role and role != stage.role:
                    stage_roles[(pathway.key, s)] = role
        return whatif.WhatIf(
            roles=roles,
            extra_costs=extra_costs,
            stage_minutes=stage_minutes,
            stage_roles=stage_roles,
            patient_scale=data.get("scale") or Decimal(1),
            channel=self.channel,
            period=period if period != self.model.period else None,
            removed_stages=frozenset(removed),
            added_stages=(self.added,) if self.added is not None else (),
        )


@dataclass(frozen=True)
class RemoveBox:
    """A stage's remove box, written whole (one format_html, as add_class_fast writes the other widgets).

    It has no label of its own: aria-labelledby names it by words already on the
    page ("Remove", once; the stage's name, ``stage_id``; the pathway's, ``pathway_id``),
    so a model of 600 stages gains one small input a stage.
    """

    name: str
    stage_id: str
    pathway_id: str
    checked: bool = False

    def __str__(self) -> str:  # the template engine writes str() of a value, escaped unless safe (this is)
        return format_html(
            '<input type="checkbox" class="form-check-input" name="{}" aria-labelledby="wi-rm {} {}"{}>',
            self.name,
            self.stage_id,
            self.pathway_id,
            " checked" if self.checked else "",
        )


def _minutes_field(**kwargs) -> forms.DecimalField:
    """A stage's minutes, bounded as the model file and the database bound them."""
    return forms.DecimalField(
        min_value=Decimal(0),
        max_value=limits.MAX_STAGE_MINUTES,
        decimal_places=limits.MINUTES_PLACES,
        max_digits=7,
        **kwargs,
    )


def _extra_cost_field(**kwargs) -> forms.DecimalField:
    """An extra cost in pounds, to a fraction of a penny (limits.EXTRA_COST_PLACES)."""
    return forms.DecimalField(
        min_value=Decimal(0),
        max_value=limits.MAX_EXTRA_COST,
        decimal_places=limits.EXTRA_COST_PLACES,
        max_digits=14,
        **kwargs,
    )


ADD_FIELDS = ("pathway", "name", "step", "role", "minutes", "extra_cost", "visit", "position")
SHORT_NAME = 40


def _short(name: str, key: str) -> str:
    """A role's name in a stage's list of roles: at most SHORT_NAME characters, with its key if cut."""
    return name if len(name) <= SHORT_NAME else f"{name[:SHORT_NAME].rstrip()}… ({key})"


def role_labels(roles) -> dict[str, str]:
    """Each role's label in a stage's role (key: label): its name cut short, with its key if cut or shared."""
    short = {role.key: _short(role.name, role.key) for role in roles}
    counts = Counter(label.casefold() for label in short.values())
    return {key: label if counts[label.casefold()] == 1 else f"{label} ({key})" for key, label in short.items()}


class RoleField(forms.CharField):
    """A stage's role, read from its key, its label in the panel or its name (if no other role has it).

    The page writes each stage's role as a text box holding its label, and the
    model's roles once (as options in a template): the page's script
    (static/js/whatif.js) turns a pathway's text boxes into selects of those
    options when the pathway is opened. A select of every role on every stage
    was a megabyte of the comparison page at the app's limits (issue 19); without
    a script the text box is the field, so a role is typed by name.
    """

    default_error_messages = {
        "unknown": "Not one of this model's staff roles: give a role's name as the staff rates above name it.",
    }

    def __init__(self, *, roles, labels: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        names = Counter(role.name.strip().casefold() for role in roles)
        lookup = {role.name.strip().casefold(): role.key for role in roles if names[role.name.strip().casefold()] == 1}
        lookup.update((label.casefold(), key) for key, label in labels.items())
        lookup.update((role.key.casefold(), role.key) for role in roles)
        self.keys = {role.key for role in roles}
        self.lookup = lookup

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "data-role-choice": True}

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return text
        key = text if text in self.keys else self.lookup.get(text.casefold())
        if key is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return key


def _like(prototype: forms.Field, *, label: str, initial) -> forms.Field:
    """A copy of ``prototype`` with its own label and initial value.

    The panel has two fields for each stage, a few hundred in all; building each
    from scratch took most of the form's time. The copies share the prototype's
    widget, choices and validators, which nothing changes once they are built.
    """
    field = copy.copy(prototype)
    field.label, field.initial = label, initial
    return field


class ScenarioNameForm(forms.Form):
    scenario_name = forms.CharField(label="Scenario name", max_length=limits.MAX_NAME_LENGTH, validators=[plain_text])
