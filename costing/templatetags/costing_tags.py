from decimal import Decimal
from fractions import Fraction

from django import template

from costing.engine import normalise_minutes, round_half_up

register = template.Library()


@register.filter
def gbp(value: Decimal | None) -> str:
    """£1,234.56; a negative amount as −£1.00; nothing as an en dash."""
    if value is None or value == "":
        return "–"
    value = Decimal(value).quantize(Decimal("0.01"))
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,}"


@register.filter
def minutes(value: Decimal | None) -> str:
    """Minutes (or another measure) as written, with thousands separators: 1,234.5, not 1234.50."""
    if value is None:
        return "–"
    return format(normalise_minutes(Decimal(value)), ",f")


@register.filter
def hours(value: Decimal | None) -> str:
    """Minutes shown as hours to one decimal place, half up as every figure (3 minutes is 0.1 hours)."""
    if value is None:
        return "–"
    return f"{round_half_up(Fraction(Decimal(value)) / 60, Decimal('0.1')):,}"


@register.filter
def thousands(value: int | None) -> str:
    """A whole number with thousands separated: 2,000."""
    if value is None:
        return "–"
    return f"{value:,}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def add_class(field, css: str):
    """Render a bound field's widget with Bootstrap classes and its error wiring."""
    return field.as_widget(attrs=bootstrap_attrs(field, css))


def bootstrap_attrs(field, css: str) -> dict:
    """Bootstrap's classes; on an error, the field marked invalid and described by its message (_field_error.html)."""
    attrs = {"class": css}
    if field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        # Django describes a field by its help text (id "<id>_helptext"); the error comes first.
        help_text = f" {field.auto_id}_helptext" if field.help_text and field.auto_id else ""
        attrs["aria-describedby"] = f"{field.html_name}-error{help_text}"
    return attrs


@register.filter
def invalid_by(field, message_id: str):
    """A field marked invalid by a message about the whole form (``message_id``), e.g. a failed login."""
    return field.as_widget(
        attrs={"class": "form-control is-invalid", "aria-invalid": "true", "aria-describedby": message_id}
    )


@register.filter
def absolute(value):
    """The size of an amount, for text that already says which way it goes ("Extra cost £14.23")."""
    return None if value is None else abs(value)


@register.filter
def count(value) -> str:
    """A count with thousands separators: 1,234; a scaled one keeps its fraction (2.5 people, costing rule 8)."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"
