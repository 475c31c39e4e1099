"""Page 1 of the PDF report: the headline a practice manager takes to a partners' meeting, in plain English.

Pure (no Django): the engine's figures, through the presenter, as three
sentences and the staff hours freed and added by role. Hours are to a tenth,
half up, as every page and table shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from costing import engine, presenter
from costing.decisions.settings import PER_PERIOD
from reports.sheet_format import hours


@dataclass(frozen=True)
class RoleHours:
    """One role's staff hours before and after, and the change (positive: freed)."""

    name: str
    before: Decimal
    after: Decimal
    freed: Decimal


@dataclass(frozen=True)
class Summary:
    sentences: tuple[str, str, str]
    roles: tuple[RoleHours, ...]  # roles with time before or after
    staff_before: Decimal
    staff_after: Decimal
    staff_freed: Decimal
    contact_hours_before: Decimal
    contact_hours_after: Decimal


def _gbp(value: Decimal) -> str:
    return f"£{abs(value):,.2f}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _hours(value: Decimal) -> str:
    """ "1.0 hour", "11.7 hours": the size of a change, its direction said in words."""
    value = abs(value)
    return f"{value:,} hour{'' if value == 1 else 's'}"


def summarise(p: presenter.Presentation) -> Summary:
    c = p.comparison
    per = PER_PERIOD[c.period]
    totals = engine.Headline.of(c)
    roles = tuple(
        RoleHours(s.name, hours(s.before_minutes), hours(s.after_minutes), hours(s.before_minutes - s.after_minutes))
        for s in p.staff
        if s.before_minutes or s.after_minutes
    )
    return Summary(
        sentences=(_cost(c, per, p.annual), _people(c), _staff(roles, totals, per)),
        roles=roles,
        staff_before=hours(totals.staff_minutes_before),
        staff_after=hours(totals.staff_minutes_after),
        staff_freed=hours(totals.staff_minutes_freed),
        contact_hours_before=hours(c.before.contact_minutes),
        contact_hours_after=hours(c.after.contact_minutes),
    )


def _cost(c: engine.Comparison, per: str, annual: presenter.Annual | None) -> str:
    change = f"from {_gbp(c.before.cost)} to {_gbp(c.after.cost)} {per}"
    percent = "" if c.saving_percent is None else f" ({abs(c.saving_percent)}%)"
    year = ""
    if annual is not None:
        year = f", {_gbp(annual.saving)} a year"
    if c.saving > 0:
        return f"The change brings the cost of these reviews {change}: a saving of {_gbp(c.saving)}{percent}{year}."
    if c.saving < 0:
        return f"The change takes the cost of these reviews {change}: {_gbp(c.saving)}{percent} more{year}."
    return f"The change leaves the cost of these reviews where it was, {_gbp(c.before.cost)} {per}."


def _people(c: engine.Comparison) -> str:
    before, after = c.before, c.after
    if before.people == before.reviews and after.people == after.reviews:  # no groups: a review a person
        who = f"reviews go from {before.reviews:,} to {_count(after.reviews, 'review', 'reviews')}"
    elif before.people == after.people:
        who = (
            f"{_count(before.people, 'person', 'people')} "
            f"{'has' if before.people == 1 else 'have'} {_count(before.reviews, 'review', 'reviews')} "
            f"before and {_count(after.reviews, 'review', 'reviews')} after"
        )
    else:
        who = (
            f"{_count(before.reviews, 'review', 'reviews')} for {_count(before.people, 'person', 'people')} "
            f"become {_count(after.reviews, 'review', 'reviews')} for {_count(after.people, 'person', 'people')}"
        )
    return (
        f"{who[0].upper()}{who[1:]}; visits go from {before.visits:,} to {after.visits:,}, and the time patients "
        f"spend with staff from {hours(before.contact_minutes):,} to {_hours(hours(after.contact_minutes))}."
    )


def _staff(roles: tuple[RoleHours, ...], totals: engine.Headline, per: str) -> str:
    before, after = hours(totals.staff_minutes_before), hours(totals.staff_minutes_after)
    freed = sorted((r for r in roles if r.freed > 0), key=lambda r: -r.freed)
    added = sorted((r for r in roles if r.freed < 0), key=lambda r: r.freed)
    parts = []
    if freed:
        parts.append(
            "frees "
            + _list([f"{_hours(r.freed) if i == 0 else f'{abs(r.freed):,}'} of {r.name}" for i, r in enumerate(freed)])
        )
    if added:
        parts.append(
            "takes "
            + _list(
                [f"{_hours(r.freed) if i == 0 else f'{abs(r.freed):,}'} more of {r.name}" for i, r in enumerate(added)]
            )
        )
    detail = f": it {' and '.join(parts)}" if parts else ""
    return f"Staff time goes from {before:,} to {_hours(after)} {per}{detail}."


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
