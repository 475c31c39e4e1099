"""A practice's population profile, and the groups and cohorts of a cost model generated from it.

A profile is what a practice manager reads off a clinical-system search: the
list size (with age bands where known), how many people are on each condition
register, and the multimorbidity groups: people by their set of conditions
("DM + CHD: 40"), or at least by how many conditions they have ("3 or more: 12").
Counts only, never anything that identifies a person.

From a profile whose groups give each person's set of conditions, a model
follows in one step: before, each person has one review per register they are
on (the condition's current pathway, ``times`` a period); after, one care and
support planning process per person (a pathway for most, another for complex
needs from a chosen number of conditions). Where the profile does not say who
has which conditions, the generator refuses and says why rather than guess
(``groups_by_set``).

Pure: no Django, so that the rules are unit-tested without a database.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from costing import engine, limits
from costing.tables import CellError, SheetError, whole_number

# Ages a band may name; above it a figure is a typo.
MAX_AGE = 130
# A practice list beyond a PCN of large practices is a typo (limits: the largest cohort).
MAX_LIST_SIZE = limits.MAX_COHORT_PATIENTS
# A person with complex needs has this many conditions or more, unless the user chooses another threshold.
DEFAULT_COMPLEX_FROM = 3
MAX_COMPLEX_FROM = 20

AGES = re.compile(r"^\s*(\d{1,3})\s*(?:(?:-|–|to)\s*(\d{1,3})|(\+|and over|or over|or more))\s*$", re.IGNORECASE)
NUMBER_OF_CONDITIONS = re.compile(r"^\s*(\d{1,2})\s*(\+|or more)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class AgeBand:
    """People on the list aged ``low`` to ``high`` inclusive (``high`` None: ``low`` and over)."""

    low: int
    high: int | None
    people: int

    @property
    def label(self) -> str:
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"


@dataclass(frozen=True)
class Register:
    """People on one condition register (a register code of conditions.csv)."""

    code: str
    people: int


@dataclass(frozen=True)
class Group:
    """People with one set of conditions, or (when ``conditions`` is empty) with ``count`` of them.

    Groups by set are disjoint: a person with DM and CHD is in the DM + CHD group
    only, not also in DM's. ``or_more`` makes ``count`` a lower bound ("3+").
    """

    people: int
    conditions: tuple[str, ...] = ()
    count: int | None = None
    or_more: bool = False

    @property
    def by_set(self) -> bool:
        return bool(self.conditions)

    @property
    def number(self) -> str:
        """A group by number of conditions as the import writes it (``2``, ``3+``); '' for a group by set."""
        return "" if self.by_set else f"{self.count}{'+' if self.or_more else ''}"

    @property
    def label(self) -> str:
        if self.conditions:
            return " + ".join(self.conditions) if len(self.conditions) > 1 else f"{self.conditions[0]} only"
        return count_label(self.count or 0, self.or_more)


@dataclass(frozen=True)
class Profile:
    list_size: int
    age_bands: tuple[AgeBand, ...] = ()
    registers: tuple[Register, ...] = ()
    groups: tuple[Group, ...] = ()


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: ``section`` (list_size, age_bands, registers, groups) and the row in it."""

    section: str
    index: int | None
    column: str
    message: str


def count_label(count: int, or_more: bool) -> str:
    if or_more:
        return f"{count} or more conditions"
    return f"{count} condition{'s' if count != 1 else ''}"


def _people(n: int) -> str:
    return f"{n:,} {'person' if n == 1 else 'people'}"


# ------------------------------------------------------------------ text fields


def parse_ages(text: str) -> tuple[int, int | None]:
    """``0-17``, ``18+``, ``65 and over`` as (low, high); ValueError with a message otherwise."""
    match = AGES.match(text)
    if match is None:
        raise ValueError(f"{text[:20]!r} is not an age band: write it as 0-17 or 18+")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) is not None else None
    if max(low, high or 0) > MAX_AGE:
        raise ValueError(f"ages go up to {MAX_AGE}")
    if high is not None and high < low:
        raise ValueError(f"{low}-{high}: the first age is above the second")
    return low, high


def parse_codes(text: str, known: Collection[str]) -> tuple[str, ...]:
    """Register codes separated by ``;`` or ``,`` (upper-cased); ValueError naming an unknown or repeated one."""
    codes = tuple(c.strip().upper() for c in text.replace(",", ";").split(";") if c.strip())
    if not codes:
        raise ValueError("give at least one condition code")
    for code in codes:
        if code not in known:
            raise ValueError(f"unknown condition code {code[:20]!r}")
    if len(set(codes)) != len(codes):
        raise ValueError("a condition is listed twice")
    return codes


def parse_count(text: str) -> tuple[int, bool]:
    """A number of conditions, ``2`` or ``3+``: (count, or_more); ValueError with a message otherwise."""
    match = NUMBER_OF_CONDITIONS.match(text)
    if match is None:
        raise ValueError(f"{text[:20]!r} is not a number of conditions: write 2, or 3+ for 3 or more")
    count = int(match.group(1))
    if count < 1:
        raise ValueError("a number of conditions is at least 1")
    return count, match.group(2) is not None


# ------------------------------------------------------------------ the checks


def check(profile: Profile) -> list[Problem]:
    """Every way the profile's counts contradict each other; empty when they agree."""
    problems: list[Problem] = []

    def add(section: str, index: int | None, column: str, message: str) -> None:
        problems.append(Problem(section, index, column, message))

    size = profile.list_size
    if not 0 <= size <= MAX_LIST_SIZE:
        add("list_size", None, "list size", f"must be from 0 to {MAX_LIST_SIZE:,}")

    # Age bands: no age in two bands; together no more than the list, and all of it when they cover every age.
    bands = sorted(enumerate(profile.age_bands), key=lambda item: item[1].low)
    for (_i, first), (j, second) in zip(bands, bands[1:], strict=False):
        if first.high is None or second.low <= first.high:
            add("age_bands", j, "ages", f"{second.label} overlaps {first.label}")
    in_bands = sum(b.people for b in profile.age_bands)
    for i, band in enumerate(profile.age_bands):
        if band.people > size:
            add("age_bands", i, "people", f"{_people(band.people)}, more than the list size of {size:,}")
    if profile.age_bands and in_bands > size:
        add(
            "age_bands",
            len(profile.age_bands) - 1,
            "people",
            f"the bands add up to {in_bands:,}, more than the list size of {size:,}",
        )
    elif _cover_every_age(profile.age_bands) and in_bands != size:
        add(
            "age_bands",
            len(profile.age_bands) - 1,
            "people",
            f"the bands cover every age but add up to {in_bands:,}, not the list size of {size:,}",
        )

    registers: dict[str, int] = {}
    for i, register in enumerate(profile.registers):
        if register.code in registers:
            add("registers", i, "conditions", f"{register.code} is given twice")
        registers[register.code] = register.people
        if register.people > size:
            add(
                "registers",
                i,
                "people",
                f"{register.code}: {_people(register.people)}, more than the list size of {size:,}",
            )

    _check_groups(profile.groups, registers, size, add)
    return problems


def _cover_every_age(bands: Sequence[AgeBand]) -> bool:
    expected = 0
    for band in sorted(bands, key=lambda b: b.low):
        if band.low != expected:
            return False
        if band.high is None:
            return True
        expected = band.high + 1
    return False


def _check_groups(groups: Sequence[Group], registers: Mapping[str, int], size: int, add) -> None:
    if not groups:
        return
    if any(g.by_set for g in groups) and any(not g.by_set for g in groups):
        add(
            "groups",
            next(i for i, g in enumerate(groups) if not g.by_set),
            "number of conditions",
            "give groups by their set of conditions or by their number of conditions, not both: "
            "they would count the same people twice",
        )
        return
    in_groups = sum(g.people for g in groups)
    if in_groups > size:
        add(
            "groups",
            len(groups) - 1,
            "people",
            f"the groups add up to {in_groups:,} people, more than the list size of {size:,}",
        )
    if groups[0].by_set:
        seen: dict[frozenset[str], int] = {}
        for i, group in enumerate(groups):
            key = frozenset(group.conditions)
            if key in seen:
                add("groups", i, "conditions", f"the same set of conditions as row {seen[key] + 1} of the groups")
            seen.setdefault(key, i)
            for code in group.conditions:
                if code not in registers:
                    add("groups", i, "conditions", f"no register count for {code}: give its register too")
                elif group.people > registers[code]:
                    add(
                        "groups",
                        i,
                        "people",
                        f"{_people(group.people)} with {code}, more than the {registers[code]:,} on its register",
                    )
        # A person is in one group only, so the groups naming a register add up to no more than it.
        for code, people in registers.items():
            named = [i for i, g in enumerate(groups) if code in g.conditions]
            total = sum(groups[i].people for i in named)
            if len(named) > 1 and total > people:
                add(
                    "groups",
                    named[-1],
                    "people",
                    f"the groups with {code} add up to {total:,} people, more than the {people:,} on its register",
                )
        return
    counts: dict[int, int] = {}
    given = len(registers)
    for i, group in enumerate(groups):
        if group.count in counts:
            add("groups", i, "number of conditions", f"{count_label(group.count, group.or_more)} is given twice")
        counts.setdefault(group.count, i)
        if group.count > max(given, 1):
            add(
                "groups",
                i,
                "number of conditions",
                f"{group.count} conditions, but the profile gives {given} register{'s' if given != 1 else ''}",
            )
    open_ended = [i for i, g in enumerate(groups) if g.or_more]
    if open_ended and groups[open_ended[0]].count != max(g.count for g in groups):
        add("groups", open_ended[0], "number of conditions", "only the largest number of conditions may be 'or more'")
    # Each person with n conditions is on n registers: the registers hold at least that many places.
    places = sum(g.people * g.count for g in groups)
    on_registers = sum(registers.values())
    if places > on_registers:
        add(
            "groups",
            len(groups) - 1,
            "people",
            f"people with n conditions are on n registers each: at least {places:,} register places, "
            f"but the registers add up to {on_registers:,}",
        )


# ------------------------------------------------------------------ the import


KINDS = {
    "list size": "list_size",
    "list": "list_size",
    "age band": "age_bands",
    "age": "age_bands",
    "register": "registers",
    "group": "groups",
}
PROFILE_COLUMNS = ("kind", "ages", "conditions", "number of conditions", "people")
SECTION_COLUMNS = {"list_size": "people", "age_bands": "ages", "registers": "conditions", "groups": "conditions"}


def read_profile(table: list[dict[str, str]], *, conditions: Collection[str]) -> Profile:
    """The profile of a table (costing.tables.read_table), checked: SheetError with every problem by row and column.

    Columns: kind (list size, age band, register, group), ages (an age band's
    ``0-17`` or ``18+``), conditions (a register's code; a group's codes, ``DM;CHD``),
    number of conditions (a group's ``2`` or ``3+`` instead of its codes), people.
    """
    errors: list[CellError] = []
    if table:
        missing = [c for c in ("kind", "people") if c not in table[0]]
        if missing:
            raise SheetError([CellError(1, c, "missing column") for c in missing])
    list_size: int | None = None
    bands: list[AgeBand] = []
    registers: list[Register] = []
    groups: list[Group] = []
    rows: dict[tuple[str, int | None], int] = {}
    for raw in table:
        n = int(raw["#"])
        written = " ".join(raw.get("kind", "").replace("_", " ").lower().split())
        kind = KINDS.get(written) or KINDS.get(written.removesuffix("s"))
        if kind is None:
            errors.append(
                CellError(n, "kind", f"{raw.get('kind', '')[:30]!r} is not list size, age band, register or group")
            )
            continue
        people = whole_number(raw.get("people", ""), n, errors, column="people", maximum=MAX_LIST_SIZE)
        try:
            if kind == "list_size":
                if list_size is not None:
                    raise ValueError("the list size is given twice")
                list_size = people
                rows["list_size", None] = n
            elif kind == "age_bands":
                low, high = parse_ages(raw.get("ages", ""))
                rows["age_bands", len(bands)] = n
                bands.append(AgeBand(low, high, people))
            elif kind == "registers":
                codes = parse_codes(raw.get("conditions", ""), conditions)
                if len(codes) > 1:
                    raise ValueError("a register row names one condition")
                rows["registers", len(registers)] = n
                registers.append(Register(codes[0], people))
            else:
                groups.append(_group_row(raw, conditions, people))
                rows["groups", len(groups) - 1] = n
        except ValueError as problem:
            column = "number of conditions" if "number of conditions" in str(problem) else SECTION_COLUMNS[kind]
            if kind == "list_size":
                column = "kind"
            errors.append(CellError(n, column, str(problem)))
    if list_size is None and not errors:
        errors.append(CellError(0, "kind", "no list size row: add one of kind 'list size' with the practice's list"))
    if errors:
        raise SheetError(errors)
    profile = Profile(list_size or 0, tuple(bands), tuple(registers), tuple(groups))
    problems = check(profile)
    if problems:
        raise SheetError([CellError(rows.get((p.section, p.index), 0), p.column, p.message) for p in problems])
    return profile


def _group_row(raw: Mapping[str, str], conditions: Collection[str], people: int) -> Group:
    codes_text = raw.get("conditions", "").strip()
    count_text = raw.get("number of conditions", "").strip()
    if codes_text and count_text:
        raise ValueError("give the group's conditions or its number of conditions, not both")
    if count_text:
        count, or_more = parse_count(count_text)
        return Group(people, count=count, or_more=or_more)
    if not codes_text:
        raise ValueError("give the group's conditions (DM;CHD) or its number of conditions (2, or 3+)")
    return Group(people, conditions=parse_codes(codes_text, conditions))


def profile_rows(profile: Profile) -> list[list[str]]:
    """The profile as the import's rows (header first): what a template or an export writes."""
    out = [list(PROFILE_COLUMNS), ["list size", "", "", "", str(profile.list_size)]]
    out += [["age band", b.label, "", "", str(b.people)] for b in profile.age_bands]
    out += [["register", "", r.code, "", str(r.people)] for r in profile.registers]
    out += [["group", "", ";".join(g.conditions), g.number, str(g.people)] for g in profile.groups]
    return out


# ------------------------------------------------------------------ generating a model


class CannotGenerate(ValueError):
    """The profile (or the model) does not say enough to do what was asked; the message says why."""


@dataclass(frozen=True)
class Review:
    """A condition's current review: its pathway (a key) and how many times a period each person has it."""

    pathway: str
    times: int = 1


@dataclass(frozen=True)
class Choices:
    reviews: Mapping[str, Review]
    csp_pathway: str
    complex_pathway: str | None = None
    complex_from: int = DEFAULT_COMPLEX_FROM


@dataclass(frozen=True)
class Generated:
    groups: tuple[engine.Group, ...]
    before: tuple[engine.Cohort, ...]
    after: tuple[engine.Cohort, ...]
    assumptions: tuple[str, ...]


def groups_by_set(profile: Profile) -> tuple[tuple[Group, ...], tuple[str, ...]]:
    """Every person of the profile's registers in one group by set of conditions, and what that assumed.

    - Groups by set: people on a register in none of its groups are taken to
      have that condition alone (a clinical-system search by combination often
      lists only the combinations); where the profile lists a register's
      "alone" group itself, the register must add up.
    - Groups by number of conditions only: the sets follow only where the
      counts leave no choice (everyone with several conditions has all of the
      profile's registers, as in worked example B); otherwise CannotGenerate.
    - No groups: CannotGenerate (a person on two registers would be two people).
    """
    problems = check(profile)
    if problems:
        raise CannotGenerate(f"the profile's counts disagree ({problems[0].message}): correct the profile first")
    registers = {r.code: r.people for r in profile.registers if r.people > 0}
    if not registers:
        raise CannotGenerate("the profile gives no register with people on it, so there is no one to review")
    order = list(registers)
    groups = [g for g in profile.groups if g.people > 0]
    if not groups:
        raise CannotGenerate(
            "the profile has no multimorbidity groups, so it does not say how many people its "
            f"{sum(registers.values()):,} register places are: a person on two registers would be counted as "
            "two people. Add the groups by set of conditions (or by number of conditions) and generate again"
        )
    if groups[0].by_set:
        return _fill_singles(groups, registers, order)
    return _sets_from_counts(groups, registers, order)


def _ordered(codes: Collection[str], order: list[str]) -> tuple[str, ...]:
    return tuple(sorted(codes, key=order.index))


def _fill_singles(
    groups: list[Group], registers: dict[str, int], order: list[str]
) -> tuple[tuple[Group, ...], tuple[str, ...]]:
    listed_alone = {g.conditions[0] for g in groups if len(g.conditions) == 1}
    out = [Group(g.people, _ordered(g.conditions, order)) for g in groups if set(g.conditions) <= set(registers)]
    added = []
    for code in order:
        in_groups = sum(g.people for g in groups if code in g.conditions)
        rest = registers[code] - in_groups
        if rest and code in listed_alone:
            raise CannotGenerate(
                f"the {code} register has {registers[code]:,} people but its groups, '{code} only' among them, "
                f"add up to {in_groups:,}: give the groups of all {registers[code]:,}"
            )
        if rest:
            out.append(Group(rest, (code,)))
            added.append(f"{code} only {rest:,}")
    assumptions = []
    if added:
        assumptions.append(
            "People on a register who are in none of the profile's groups are taken to have that condition alone: "
            + ", ".join(added)
            + "."
        )
    return tuple(out), tuple(assumptions)


def _sets_from_counts(
    groups: list[Group], registers: dict[str, int], order: list[str]
) -> tuple[tuple[Group, ...], tuple[str, ...]]:
    several = [g for g in groups if g.count >= 2]
    alone_given = next((g.people for g in groups if g.count == 1 and not g.or_more), None)
    everyone = tuple(order)
    reason = (
        "the profile counts people by how many conditions they have ("
        + "; ".join(f"{g.label}: {g.people:,}" for g in groups)
        + f"), not by which. With {len(order)} registers ({', '.join(order)}), a person with "
        "several conditions could have any of them, so the generator cannot tell which reviews each had "
        "before. Give the groups by their set of conditions (a search by combination), and generate again"
    )
    if any(g.count == 1 and g.or_more for g in groups):
        raise CannotGenerate(reason)
    multimorbid = 0
    if several:
        # The sets follow only when everyone with several conditions has all of the registers.
        if len(several) > 1 or several[0].count != len(order):
            raise CannotGenerate(reason)
        multimorbid = several[0].people
    alone = {code: people - multimorbid for code, people in registers.items()}
    if any(n < 0 for n in alone.values()):
        raise CannotGenerate(reason)
    if alone_given is not None and sum(alone.values()) != alone_given:
        raise CannotGenerate(
            f"the registers less the {multimorbid:,} people with all of them leave {sum(alone.values()):,} people "
            f"with one condition, but the profile counts {alone_given:,}: " + reason
        )
    out = [Group(multimorbid, everyone)] if multimorbid else []
    out += [Group(n, (code,)) for code, n in alone.items() if n]
    assumptions = []
    if multimorbid:
        assumptions.append(
            f"The {_people(multimorbid)} with {several[0].label} {'has' if multimorbid == 1 else 'have'} all of the "
            f"profile's {len(order)} registers ({', '.join(order)}): with {len(order)} registers that is the only set "
            "of that many."
        )
    if alone_given is None and any(alone.values()):
        assumptions.append("Everyone else on a register has that condition alone.")
    return tuple(out), tuple(assumptions)


def _group_key(conditions: Sequence[str], taken: set[str]) -> str:
    wanted = "-".join(c.lower() for c in conditions)
    if len(wanted) > limits.MAX_KEY_LENGTH:
        wanted = f"{len(conditions)}-conditions"
    key, n = wanted, 1
    while key in taken:
        n += 1
        key = f"{wanted[: limits.MAX_KEY_LENGTH - 4]}-{n}"
    taken.add(key)
    return key


def _label(text: str) -> str:
    return text if len(text) <= limits.MAX_NAME_LENGTH else text[: limits.MAX_NAME_LENGTH - 1] + "…"


def generate(profile: Profile, choices: Choices) -> Generated:
    """The groups and both sides of a model: before, one cohort per condition per group; after, one per group.

    Before, each group's people have each of their conditions' current review
    (``choices.reviews``: pathway and times); after, each group has one care
    and support planning process: ``complex_pathway`` for groups of
    ``complex_from`` conditions or more when it is given, ``csp_pathway``
    otherwise. Raises CannotGenerate when the profile does not say who has which
    conditions, or a condition has no review chosen.
    """
    groups, assumptions = groups_by_set(profile)
    missing = [r.code for r in profile.registers if r.people > 0 and r.code not in choices.reviews]
    if missing:
        raise CannotGenerate(f"choose the current review of {', '.join(missing)}")
    if not 1 <= choices.complex_from <= MAX_COMPLEX_FROM:
        raise CannotGenerate(f"complex needs start at 1 to {MAX_COMPLEX_FROM} conditions")
    taken: set[str] = set()
    engine_groups, before, after = [], [], []
    for group in groups:
        key = _group_key(group.conditions, taken)
        label = _label(group.label)
        engine_groups.append(engine.Group(key=key, label=label, people=group.people, conditions=group.conditions))
        for code in group.conditions:
            review = choices.reviews[code]
            before.append(
                engine.Cohort(
                    label=_label(f"{code} review: {label}"),
                    patients=group.people,
                    pathway=review.pathway,
                    conditions=(code,),
                    times=review.times,
                    group=key,
                )
            )
        complex_needs = choices.complex_pathway and len(group.conditions) >= choices.complex_from
        after.append(
            engine.Cohort(
                label=_label(f"Care and support planning: {label}"),
                patients=group.people,
                pathway=choices.complex_pathway if complex_needs else choices.csp_pathway,
                conditions=group.conditions,
                group=key,
            )
        )
    return Generated(tuple(engine_groups), tuple(before), tuple(after), assumptions)


# ------------------------------------------------------------------ a profile from a model


def from_model(model: engine.CostModel) -> Profile:
    """The profile of a model whose two sides are one population; CannotGenerate saying why otherwise.

    Before, a register's count is the patients of the before cohorts with that
    condition (one review each); after, the people with it are those of the
    after side's groups (and ungrouped cohorts) with it. Where the two differ,
    the sides count different people (worked examples C and D: 23 diabetes
    reviews before, 25 people with diabetes after), and no one profile gives both.
    The list size, which no model holds, is the number of people.
    """
    if not model.before or not model.after:
        raise CannotGenerate("the model has no cohorts on one of its sides, so it describes no one population")
    groups = {g.key: g for g in model.groups}

    def conditions(cohort: engine.Cohort) -> tuple[str, ...]:
        return cohort.conditions or (groups[cohort.group].conditions if cohort.group in groups else ())

    for side, cohorts in (("before", model.before), ("after", model.after)):
        for cohort in cohorts:
            if not conditions(cohort):
                raise CannotGenerate(
                    f"“{cohort.label}” ({side}) names no condition register, "
                    "so its people cannot be placed in a profile"
                )
    reviewed: dict[str, int] = {}
    for cohort in model.before:
        for code in conditions(cohort):
            reviewed[code] = reviewed.get(code, 0) + cohort.patients
    people_sets: dict[tuple[str, ...], int] = {}
    counted_groups: set[str] = set()
    for cohort in model.after:
        if cohort.group is not None:
            if cohort.group in counted_groups:
                continue
            counted_groups.add(cohort.group)
        key = tuple(sorted(conditions(cohort)))
        people_sets[key] = people_sets.get(key, 0) + cohort.patients
    planned: dict[str, int] = {}
    for codes, people in people_sets.items():
        for code in codes:
            planned[code] = planned.get(code, 0) + people
    differ = [code for code in dict.fromkeys([*reviewed, *planned]) if reviewed.get(code, 0) != planned.get(code, 0)]
    if differ:
        details = "; ".join(
            f"{code}: {reviewed.get(code, 0):,} review{'s' if reviewed.get(code, 0) != 1 else ''} before, "
            f"{_people(planned.get(code, 0))} after"
            for code in differ[:3]
        ) + (f"; and {len(differ) - 3} more" if len(differ) > 3 else "")
        raise CannotGenerate(
            "the before and after sides of this model are not one population, so no profile can describe both "
            f"({details}). A profile counts one set of people, from which both sides are generated; this model "
            "stays as it is, costed from its own cohorts"
        )
    order = list(reviewed)
    return Profile(
        list_size=sum(people_sets.values()),
        registers=tuple(Register(code, reviewed[code]) for code in order),
        groups=tuple(Group(people, _ordered(codes, order)) for codes, people in people_sets.items() if people),
    )
