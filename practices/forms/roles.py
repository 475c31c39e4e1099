"""Forms of the staff roles screens, and the reference data their pickers offer.

A role's cost is entered one of two ways: a cost per hour, or an annual salary
with employer on-costs and paid hours a year. The form keeps exactly one (the
fields of the other way are cleared) and states what the cost includes (the
cost basis). Bounds come from costing/limits.py, as in the database.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from costing import engine, limits
from costing.models import OnCostRate
from costing.reference import employer_on_cost_percent
from costing.selectors import band_points, picker_rows
from practices import selectors
from practices.concurrency import require_version
from practices.formfields import plain_text
from practices.models import KEY_VALIDATOR, Practice, StaffRole

ENTRY_HOURLY = "hourly"
ENTRY_SALARY = "salary"
ENTRY_CHOICES = [
    (ENTRY_HOURLY, "Cost per hour"),
    (ENTRY_SALARY, "Annual salary + employer on-costs % + paid hours a year"),
]
HOURLY_FIELDS = ("cost_per_hour",)
SALARY_FIELDS = ("annual_salary", "on_cost_percent", "paid_hours_per_year")
# The points a picker offers; a band has some of them (AfC 2025/26 bands 5-8a have an intermediate point).
POINTS = (
    ("entry", "Entry"),
    ("intermediate", "Intermediate point"),
    ("top", "Top of band"),
    ("minimum", "Minimum of the range"),
    ("maximum", "Maximum of the range"),
)
POINT_LABELS = dict(POINTS)


def plain(value: Decimal | None) -> str:
    """A decimal without trailing zeros or exponent: 1950.00 → '1950', 28.500 → '28.5'."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def pence(value: Decimal | None) -> str:
    """A cost per hour for a form field: at least to the penny, 11.4000 → '11.40', 21.7461 kept."""
    if value is None:
        return ""
    exact = value.normalize()
    return format(exact if -exact.as_tuple().exponent > 2 else value.quantize(Decimal("0.01")), "f")


def pounds(value: Decimal) -> str:
    """£38,682 for whole pounds, £38,682.50 otherwise."""
    if value == value.to_integral_value():
        return f"£{value.quantize(Decimal(1)):,}"
    return f"£{value.quantize(Decimal('0.01')):,}"


# ----------------------------------------------------------------------- the role form


class AmountField(forms.DecimalField):
    """A decimal typed as text: forgives '£', '%', thousands commas and spaces.

    A plain text box (inputmode decimal), so that what was typed reaches the
    server and gets a message, rather than a browser's silent blank. When the
    value is out of bounds only that is said, not also its number of digits.
    """

    widget = forms.TextInput
    IGNORED = re.compile(r"[£%,\s]")

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = self.IGNORED.sub("", value)
        return super().to_python(value)

    def run_validators(self, value: Any) -> None:
        try:
            super().run_validators(value)
        except ValidationError as error:
            bounds = [e for e in error.error_list if e.code in {"min_value", "max_value"}]
            raise ValidationError(bounds or error.error_list) from None

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"})
        return attrs


def _amount(
    label: str, *, model_field: str, minimum: Decimal, invalid: str, too_small: str, too_big: str, help_text: str = ""
) -> AmountField:
    column = StaffRole._meta.get_field(model_field)
    maximum = {
        "cost_per_hour": limits.MAX_COST_PER_HOUR,
        "annual_salary": limits.MAX_ANNUAL_SALARY,
        "on_cost_percent": limits.MAX_ON_COST_PERCENT,
        "paid_hours_per_year": limits.MAX_PAID_HOURS_PER_YEAR,
    }[model_field]
    return AmountField(
        label=label,
        required=False,
        max_digits=column.max_digits,
        decimal_places=column.decimal_places,
        min_value=minimum,
        max_value=maximum,
        help_text=help_text,
        error_messages={"invalid": invalid, "min_value": too_small, "max_value": too_big},
    )


class StaffRoleForm(forms.Form):
    # The version the editor opened: the save is refused if someone saved since.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label="Name",
        max_length=limits.MAX_NAME_LENGTH,
        validators=[plain_text],
        help_text="What the practice calls the role, e.g. Practice nurse.",
    )
    key = forms.CharField(
        label="Key",
        max_length=limits.MAX_KEY_LENGTH,
        required=False,
        validators=[KEY_VALIDATOR],
        help_text="A short code for model files, unique in the practice: letters, digits, '-' and '_'. "
        "Left blank, it is made from the name.",
    )
    band = forms.CharField(
        label="Band",
        max_length=limits.MAX_BAND_LENGTH,
        required=False,
        validators=[plain_text],
        help_text="Free text, e.g. AfC 6 or Salaried GP.",
    )
    entry_method = forms.ChoiceField(
        label="How to enter the cost",
        choices=ENTRY_CHOICES,
        widget=forms.RadioSelect,
        initial=ENTRY_HOURLY,
        error_messages={"required": "Choose how to enter the cost.", "invalid_choice": "Choose how to enter the cost."},
    )
    cost_per_hour = _amount(
        "Cost per hour (£)",
        model_field="cost_per_hour",
        minimum=Decimal(0),
        invalid="Give the cost of one hour in pounds, e.g. 21.75.",
        too_small="A cost per hour cannot be negative.",
        too_big=f"A cost per hour over {pounds(limits.MAX_COST_PER_HOUR)} is surely a typo.",
    )
    annual_salary = _amount(
        "Annual salary (£)",
        model_field="annual_salary",
        minimum=Decimal(0),
        invalid="Give the full-time annual salary in pounds, e.g. 33000.",
        too_small="A salary cannot be negative.",
        too_big=f"An annual salary over {pounds(limits.MAX_ANNUAL_SALARY)} is surely a typo.",
    )
    on_cost_percent = _amount(
        "Employer on-costs (%)",
        model_field="on_cost_percent",
        minimum=Decimal(0),
        invalid="Give the employer on-costs as a percentage of the salary, e.g. 28.5.",
        too_small="On-costs cannot be negative.",
        # %% because Django fills in the validator's parameters with %.
        too_big=f"Employer on-costs over {plain(limits.MAX_ON_COST_PERCENT)}%% are surely a typo "
        "(employer NI and pension are under 40%%).",
        help_text="Employer National Insurance and pension. Say which pension rate: what a practice pays "
        "(14.38% of salary) or the full cost to the NHS (23.7% + 0.08% levy from April 2024).",
    )
    paid_hours_per_year = _amount(
        "Paid hours a year",
        model_field="paid_hours_per_year",
        minimum=Decimal(1),
        invalid="Give the paid hours a year as a number, e.g. 1950.",
        too_small="Paid hours a year must be at least 1 (full time is 37.5 hours × 52 weeks = 1,950).",
        too_big=f"A year has only {limits.MAX_PAID_HOURS_PER_YEAR:,} hours.",
        help_text="Full time under Agenda for Change: 37.5 hours × 52 weeks = 1,950.",
    )
    cost_basis = forms.ChoiceField(
        label="What the cost includes",
        choices=StaffRole.CostBasis.choices,
        widget=forms.RadioSelect,
        # A new role starts on the basis of a pay band with employer NI and pension, the usual one.
        initial=StaffRole.CostBasis.SALARY_ON_COSTS,
        help_text="Stated beside every figure that uses this role.",
        error_messages={
            "required": "Say what the cost includes.",
            "invalid_choice": "Say what the cost includes.",
        },
    )

    def __init__(self, data=None, *, practice: Practice, instance: StaffRole | None = None, **kwargs):
        if data is not None:
            # Exactly one way of entering the cost: the other way's fields are cleared.
            data = data.copy()
            method = data.get("entry_method")
            cleared = {ENTRY_HOURLY: SALARY_FIELDS, ENTRY_SALARY: HOURLY_FIELDS}.get(method, ())
            for name in cleared:
                data[name] = ""
        super().__init__(data, **kwargs)
        self.practice = practice
        self.instance = instance

    @staticmethod
    def initial_for(role: StaffRole) -> dict:
        return {
            "name": role.name,
            "key": role.key,
            "band": role.band,
            "entry_method": ENTRY_SALARY if role.annual_salary is not None else ENTRY_HOURLY,
            "cost_per_hour": pence(role.cost_per_hour),
            "annual_salary": plain(role.annual_salary),
            "on_cost_percent": plain(role.on_cost_percent),
            "paid_hours_per_year": plain(role.paid_hours_per_year),
            "cost_basis": role.cost_basis,
            "version": role.version,
        }

    def clean(self) -> dict:
        data = super().clean()
        if self.instance is not None:
            require_version(data)
        self._clean_key_from_name(data)
        self._clean_cost(data)
        return data

    def _clean_key_from_name(self, data: dict) -> None:
        if "key" in self.errors:
            return
        key = data.get("key")
        if not key:
            name = data.get("name")
            if not name:
                return
            key = slugify(name)[: limits.MAX_KEY_LENGTH].strip("-_")
            if not key:
                self.add_error("key", "Give a key: the name has no letters or digits to make one from.")
                return
            data["key"] = key
        clash = selectors.role_with_key(practice=self.practice, key=key, other_than=self.instance)
        if clash is not None:
            self.add_error(
                "key",
                ValidationError(
                    "Another role at this practice, “%(other)s”, has the key “%(key)s”: choose another key.",
                    code="unique",
                    params={"other": clash.name, "key": key},
                ),
            )

    def _clean_cost(self, data: dict) -> None:
        method = data.get("entry_method")
        if method == ENTRY_HOURLY:
            if data.get("cost_per_hour") is None and "cost_per_hour" not in self.errors:
                self.add_error("cost_per_hour", "Give the cost per hour, or choose to enter an annual salary.")
            for name in SALARY_FIELDS:
                data[name] = None
        elif method == ENTRY_SALARY:
            missing = {
                "annual_salary": "Give the annual salary, or choose to enter a cost per hour.",
                "on_cost_percent": "Give the employer on-costs as a percentage (0 if none).",
                "paid_hours_per_year": "Give the paid hours a year (full time is 1,950).",
            }
            for name, message in missing.items():
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, message)
            data["cost_per_hour"] = None
            if all(data.get(name) is not None for name in SALARY_FIELDS):
                rate = engine.Role(
                    key="check",
                    name="check",
                    annual_salary=data["annual_salary"],
                    on_cost_percent=data["on_cost_percent"],
                    paid_hours_per_year=data["paid_hours_per_year"],
                ).exact_hourly_rate
                if rate > limits.MAX_COST_PER_HOUR:
                    self.add_error(
                        "paid_hours_per_year",
                        ValidationError(
                            "This salary, on-costs and paid hours make %(rate)s an hour, over the %(limit)s limit: "
                            "check the paid hours a year (full time is 1,950).",
                            code="max_value",
                            params={
                                "rate": pounds(engine.round_half_up(rate)),
                                "limit": pounds(limits.MAX_COST_PER_HOUR),
                            },
                        ),
                    )
            on_costs = data.get("on_cost_percent")
            if data.get("cost_basis") == engine.CostBasis.SALARY_ONLY and on_costs:
                self.add_error(
                    "cost_basis",
                    "“Salary only” means no employer on-costs: set the on-costs to 0%, "
                    "or choose “salary + employer on-costs”.",
                )

    def values(self) -> dict:
        """The keyword arguments of staff_role_create / staff_role_update."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "key": data["key"],
            "band": data.get("band", ""),
            "cost_basis": data["cost_basis"],
            "cost_per_hour": data.get("cost_per_hour"),
            "annual_salary": data.get("annual_salary"),
            "on_cost_percent": data.get("on_cost_percent"),
            "paid_hours_per_year": data.get("paid_hours_per_year"),
        }


# ------------------------------------------------------------------ the pickers' data


def _picker_band(
    band: str,
    band_label: str,
    band_text: str,
    points: list[tuple[str, Decimal]],
    rate: OnCostRate | None,
    *,
    verified: bool,
    source: str,
    note: str,
) -> dict:
    values = {}
    for point, salary in points:
        on_costs = None
        if rate is not None:
            on_costs = employer_on_cost_percent(
                salary,
                ni_percent=rate.employer_ni_percent,
                ni_threshold=rate.ni_secondary_threshold,
                pension_percent=rate.pension_employer_percent,
            )
        values[point] = {
            "label": f"{POINT_LABELS[point]} ({pounds(salary)})",
            "annual_salary": plain(salary),
            "on_cost_percent": plain(on_costs) if on_costs is not None else None,
        }
    return {
        "band": band,
        "band_label": band_label,
        "band_text": band_text,
        "verified": verified,
        "source": source,
        "note": note,
        "point_order": list(values),
        "points": values,
    }


def _picker_scale(
    key: str, name: str, year: str, source: str, url: str, rate: OnCostRate | None, bands: list[dict]
) -> dict:
    return {
        "key": key,
        "name": name,
        "year": year,
        "source": source,
        "url": url,
        "on_costs": None
        if rate is None
        else {
            "year": rate.year,
            "employer_ni_percent": plain(rate.employer_ni_percent),
            "ni_secondary_threshold": plain(rate.ni_secondary_threshold),
            "pension_employer_percent": plain(rate.pension_employer_percent),
            "pension_basis": rate.pension_basis,
            "source": rate.source,
        },
        "bands": bands,
    }


def picker_reference() -> dict:
    """Pay bands with their salaries and on-costs, and PSSRU unit costs, all computed here.

    Every figure is a string (a Decimal without float rounding), for the page's
    json_script and the JavaScript that fills the form; the same dict serves the
    no-JavaScript picker, so both fill the same values.
    """
    rows = picker_rows()
    hours_row = rows.standard_hours
    if hours_row is not None:
        paid_hours = hours_row.paid_hours_per_year
        hours_source = hours_row.source
    else:
        paid_hours = engine.FULL_TIME_HOURS_PER_WEEK * engine.WEEKS_PER_YEAR
        hours_source = "37.5 hours a week × 52 weeks"
    scales = []
    for scale in rows.scales:
        rate = rows.on_cost_rates.get(scale.year)
        bands = [
            _picker_band(
                band.band,
                f"Band {band.band}",
                f"AfC {band.band}",
                [(point, salary) for point, salary in band_points(band)],
                rate,
                verified=band.verified,
                source=band.source,
                note=band.note,
            )
            for band in scale.bands.all()
        ]
        scales.append(_picker_scale(scale.key, scale.name, scale.year, scale.source, scale.url, rate, bands))
    for gp in rows.salaried_gp:
        rate = rows.on_cost_rates.get(gp.year)
        band = _picker_band(
            "GP",
            "Salaried GP",
            "Salaried GP",
            [("minimum", gp.minimum), ("maximum", gp.maximum)],
            rate,
            verified=gp.verified,
            source=gp.source,
            note=gp.note,
        )
        name = f"Salaried GP pay range {gp.year} (England)" + ("" if gp.verified else ", computed, not published")
        key = "salaried-gp-" + gp.year.replace("/", "-")
        scales.append(_picker_scale(key, name, gp.year, gp.source, gp.url, rate, [band]))
    unit_costs = []
    for row in rows.unit_costs:
        variants = [("", row.per_hour, "")]
        if row.per_hour_with_qualifications is not None:
            variants.append((":q", row.per_hour_with_qualifications, ", with qualifications"))
        for suffix, per_hour, qualifier in variants:
            unit_costs.append(
                {
                    "value": f"{row.pk}{suffix}",
                    "label": f"{row.role}{qualifier}, {row.year}: {pounds(per_hour)} an hour",
                    "cost_per_hour": pence(per_hour),
                    "verified": row.verified,
                    "source": row.source,
                }
            )
    on_cost_rates = [
        {
            "year": rate.year,
            "pension_employer_percent": plain(rate.pension_employer_percent),
            "pension_full_cost_percent": plain(rate.pension_full_cost_percent),
            "pension_levy_percent": plain(rate.pension_levy_percent),
            "pension_basis": rate.pension_basis,
            "source": rate.source,
            "url": rate.url,
        }
        for rate in rows.on_cost_rates.values()
    ]
    return {
        "paid_hours_per_year": plain(paid_hours),
        "on_cost_rates": on_cost_rates,
        "paid_hours_source": hours_source,
        "scales": scales,
        "unit_costs": unit_costs,
    }


class PayBandPickerForm(forms.Form):
    """Choose a pay scale, band and point; fills salary, on-costs, paid hours and band."""

    scale = forms.ChoiceField(label="Pay scale")
    band = forms.ChoiceField(label="Band")
    point = forms.ChoiceField(label="Point", choices=POINTS, initial="entry")

    def __init__(self, *args, reference: dict, **kwargs):
        kwargs.setdefault("prefix", "payband")
        super().__init__(*args, **kwargs)
        self.reference = reference
        scales = reference["scales"]
        self.fields["scale"].choices = [(s["key"], s["name"]) for s in scales]
        bands = {b["band"]: b["band_label"] for s in scales for b in s["bands"]}
        self.fields["band"].choices = list(bands.items())
        afc = [s for s in scales if not s["key"].startswith("salaried-gp-")]
        if afc:
            self.fields["scale"].initial = afc[-1]["key"]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        scale = next(s for s in self.reference["scales"] if s["key"] == data["scale"])
        band = next((b for b in scale["bands"] if b["band"] == data["band"]), None)
        if band is None:
            self.add_error("band", f"{scale['name']} has no band {data['band']}.")
            return data
        point = band["points"].get(data["point"])
        if point is None:
            offered = ", ".join(POINT_LABELS[p].lower() for p in band["point_order"])
            self.add_error("point", f"{scale['name']}, {band['band_label']}: choose {offered}.")
            return data
        data["filled"] = {"scale": scale, "band": band, "point": point}
        return data

    def role_initial(self) -> dict:
        filled = self.cleaned_data["filled"]
        point = filled["point"]
        initial = {
            "band": filled["band"]["band_text"],
            "entry_method": ENTRY_SALARY,
            "annual_salary": point["annual_salary"],
            "paid_hours_per_year": self.reference["paid_hours_per_year"],
            "cost_basis": engine.CostBasis.SALARY_ON_COSTS.value,
        }
        if point["on_cost_percent"] is not None:
            initial["on_cost_percent"] = point["on_cost_percent"]
        return initial

    def description(self) -> str:
        filled = self.cleaned_data["filled"]
        point = filled["point"]
        band = filled["band"]
        band_name = band["band_label"][0].lower() + band["band_label"][1:]
        text = f"{filled['scale']['name']}, {band_name}, {point['label'].lower()}"
        if point["on_cost_percent"] is None:
            text += f"; no employer on-cost rates for {filled['scale']['year']}, so enter the on-costs"
        return text


class UnitCostPickerForm(forms.Form):
    """Choose a PSSRU full unit cost; fills a cost per hour on the full-unit-cost basis."""

    option = forms.ChoiceField(label="PSSRU unit cost")

    def __init__(self, *args, reference: dict, **kwargs):
        kwargs.setdefault("prefix", "unitcost")
        super().__init__(*args, **kwargs)
        self.reference = reference
        self.fields["option"].choices = [(u["value"], u["label"]) for u in reference["unit_costs"]]

    def _chosen(self) -> dict:
        value = self.cleaned_data["option"]
        return next(u for u in self.reference["unit_costs"] if u["value"] == value)

    def role_initial(self) -> dict:
        return {
            "entry_method": ENTRY_HOURLY,
            "cost_per_hour": self._chosen()["cost_per_hour"],
            "cost_basis": engine.CostBasis.FULL_UNIT_COST.value,
        }

    def description(self) -> str:
        return f"PSSRU unit cost: {self._chosen()['label']}"
