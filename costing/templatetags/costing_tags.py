from decimal import Decimal

from django import template

from costing.exchange import figure

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
    if value is None:
        return "–"
    return figure(Decimal(value))


@register.filter
def hours(value: Decimal | None) -> str:
    """Minutes shown as hours to one decimal place."""
    if value is None:
        return "–"
    return f"{(Decimal(value) / 60).quantize(Decimal('0.1')):,}"


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
        attrs["aria-describedby"] = f"{field.html_name}-error"
    return attrs


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
