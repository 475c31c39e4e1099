"""A letter price at a date, as a choice beside an extra cost: first or second class on a day.

The editor and the what-if panel both offer it. The server turns the choice into
an amount (so it works without JavaScript); the page also embeds the same table
(`price_table`) so that static/js/editor.js can fill the amount as soon as a
class or date is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms

from costing import selectors

FIRST, SECOND = "first", "second"
CLASS_NAMES = {FIRST: "first class", SECOND: "second class"}
LETTER_CLASS_CHOICES = [("", "No letter price"), (FIRST, "First class letter"), (SECOND, "Second class letter")]


@dataclass(frozen=True)
class LetterPrice:
    amount: Decimal
    source: str  # "Royal Mail second class, from 7 April 2026"
    cited: str  # where the price was read


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def letter_price(letter_class: str, day: date) -> LetterPrice | str:
    """The price of a letter of that class on ``day``, or a message saying why it is not known."""
    prices = selectors.letter_prices_on(day)
    if prices is None:
        rows, checked = selectors.letter_price_table()
        first = long_date(rows[0].effective_from) if rows else "—"
        return (
            f"The Royal Mail letter price on {long_date(day)} is not known: the prices here run from {first} "
            f"to {long_date(checked)}. Type the amount instead."
        )
    amount = prices.first_class if letter_class == FIRST else prices.second_class
    return LetterPrice(
        amount=amount,
        source=f"Royal Mail {CLASS_NAMES[letter_class]}, from {long_date(prices.effective_from)}",
        cited=prices.source,
    )


def price_table() -> dict:
    """The whole table for json_script: what the page's script looks a date up in."""
    rows, checked = selectors.letter_price_table()
    return {
        "checked_until": checked.isoformat(),
        "checked_until_text": long_date(checked),
        "rows": [
            {
                "from": r.effective_from.isoformat(),
                "from_text": long_date(r.effective_from),
                "first": str(r.first_class),
                "second": str(r.second_class),
                "source": r.source,
            }
            for r in rows
        ],
    }


def letter_class_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=LETTER_CLASS_CHOICES,
        required=False,
        widget=forms.Select(attrs={"data-letter-class": ""}),
    )


def letter_date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        initial=date.today,
        widget=forms.DateInput(attrs={"type": "date", "data-letter-date": ""}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date as a date, like 2026-04-07."},
    )
