"""A scenario's overlay: what it changes of its base model, as JSON, and back.

A scenario stores only what differs from its base (a role's rate or band, a
stage's minutes or role, stages removed or added, extra costs, a channel for
results, patient numbers, the period) and is costed by applying them to the base as it is at the time of
costing (``apply``), so an edit to the base reaches every scenario.

Why JSON and not rows: the differences are a handful of sparse, optional
changes of five kinds, read and written whole; rows would need a table per kind,
each with the same-practice constraints of its targets, for no query that ever
asks inside them. The schema is checked here, purely, on every read and write
(``loads`` raises OverlayError naming the field), and the database holds only
what ``dumps`` wrote.

Stages are named by pathway key, position and name: when the base's stages move,
the name finds the stage again; a change whose role or stage the base no longer
has is left out and said so (``resolve``'s ``unmatched``), never applied elsewhere.
A removal names its stage the same way; an addition names its pathway, its place
(before the base's stage at ``position``, at the end when the base has fewer) and
the whole stage, whose role must be one of the base's: a scenario creates no role.

```json
{"overlay": 1,
 "roles": {"pn": {"cost_per_hour": "21.00", "band": ""}},
 "extra_costs": [["0.56", "0.87"]],
 "stages": [{"pathway": "csp", "index": 4, "name": "CSP conversation", "minutes": "40", "role": "np"}],
 "removed_stages": [{"pathway": "dm", "index": 2, "name": "Foot check"}],
 "added_stages": [{"pathway": "dm", "position": 4, "name": "Results letter", "step": "information_sharing",
                   "role": "admin", "minutes": "5", "extra_cost": "0.56", "visit": 1}],
 "channel": {"kind": "text", "cost": "0.0125", "detail": ""},
 "patient_scale": "0.75",
 "period": "year"}
```
Every key but ``overlay`` is optional; money and minutes are strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from costing import engine, limits, whatif

FORMAT = 1
ROLE_FIELDS = ("band", "cost_per_hour", "annual_salary", "on_cost_percent", "paid_hours_per_year", "cost_basis")
TOP_FIELDS = {
    "overlay",
    "roles",
    "extra_costs",
    "stages",
    "removed_stages",
    "added_stages",
    "channel",
    "patient_scale",
    "period",
}
STAGE_FIELDS = {"pathway", "index", "name", "minutes", "role"}
REMOVED_FIELDS = {"pathway", "index", "name"}
ADDED_FIELDS = {"pathway", "position", "name", "step", "role", "minutes", "extra_cost", "visit"}
# At most this many additions in one overlay (every pathway of a model filled to its limit).
MAX_ADDED_STAGES = limits.MAX_PATHWAYS * limits.MAX_STAGES_PER_PATHWAY


class OverlayError(ValueError):
    def __init__(self, where: str, problem: str):
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class StageChange:
    pathway: str
    index: int
    name: str
    minutes: Decimal | None = None
    role: str | None = None


@dataclass(frozen=True)
class RemovedStage:
    pathway: str
    index: int
    name: str


@dataclass(frozen=True)
class Overlay:
    """A WhatIf whose stage changes name their stage (so they survive the base's stages moving)."""

    roles: Mapping[str, engine.Role]
    extra_costs: Mapping[Decimal, Decimal]
    stages: tuple[StageChange, ...]
    patient_scale: Decimal = Decimal(1)
    channel: whatif.Channel | None = None
    period: engine.Period | None = None
    removed_stages: tuple[RemovedStage, ...] = ()
    added_stages: tuple[whatif.AddedStage, ...] = ()


def of(model: engine.CostModel, changes: whatif.WhatIf) -> Overlay:
    """The overlay of ``changes`` made on ``model`` (which gives each changed stage its name)."""
    names = {(p.key, i): s.name for p in model.pathways for i, s in enumerate(p.stages)}
    refs = sorted(set(changes.stage_minutes) | set(changes.stage_roles))
    return Overlay(
        roles=dict(changes.roles),
        extra_costs=dict(changes.extra_costs),
        stages=tuple(
            StageChange(
                pathway=key,
                index=index,
                name=names.get((key, index), ""),
                minutes=changes.stage_minutes.get((key, index)),
                role=changes.stage_roles.get((key, index)),
            )
            for key, index in refs
            if (key, index) in names
        ),
        patient_scale=changes.patient_scale,
        channel=changes.channel,
        period=changes.period,
        removed_stages=tuple(
            RemovedStage(pathway=key, index=index, name=names[(key, index)])
            for key, index in sorted(changes.removed_stages)
            if (key, index) in names
        ),
        added_stages=tuple(changes.added_stages),
    )


@dataclass(frozen=True)
class Resolved:
    changes: whatif.WhatIf
    unmatched: tuple[str, ...]  # changes the base no longer has a place for, in words


def resolve(base: engine.CostModel, overlay: Overlay) -> Resolved:
    """The overlay as a WhatIf on ``base`` as it is now: each stage found by position and name, else by name."""
    unmatched = []
    role_keys = {r.key for r in base.roles}
    roles = {}
    for key, role in overlay.roles.items():
        if key in role_keys:
            roles[key] = role
        else:
            unmatched.append(f"the role “{key}” (no stage of the base uses it now)")
    pathways = {p.key: p for p in base.pathways}
    stage_minutes, stage_roles = {}, {}
    for change in overlay.stages:
        index = _find(pathways.get(change.pathway), change.index, change.name)
        if index is None:
            unmatched.append(f"the stage “{change.name}” (not found once in the base's pathway)")
            continue
        if change.minutes is not None:
            stage_minutes[(change.pathway, index)] = change.minutes
        if change.role is not None:
            if change.role in role_keys:
                stage_roles[(change.pathway, index)] = change.role
            else:
                unmatched.append(f"{change.name} done by “{change.role}” (a role no stage of the base uses now)")
    removed = set()
    for change in overlay.removed_stages:
        pathway = pathways.get(change.pathway)
        index = _find(pathway, change.index, change.name)
        if index is None:
            where = f"“{pathway.name}”" if pathway is not None else f"the pathway “{change.pathway}”"
            unmatched.append(f"removing “{change.name}” from {where} (the base has no such stage now)")
        else:
            removed.add((change.pathway, index))
    added = []
    count = {key: len(p.stages) - sum(1 for k, _ in removed if k == key) for key, p in pathways.items()}
    for change in overlay.added_stages:
        name = change.stage.name
        if change.pathway not in pathways:
            unmatched.append(f"adding “{name}” to the pathway “{change.pathway}” (the base has no such pathway now)")
        elif change.stage.role is not None and change.stage.role not in role_keys:
            unmatched.append(f"adding “{name}” done by “{change.stage.role}” (a role no stage of the base uses now)")
        elif count[change.pathway] >= limits.MAX_STAGES_PER_PATHWAY:
            pathway_name = pathways[change.pathway].name
            unmatched.append(
                f"adding “{name}” to “{pathway_name}” (it would have more than {limits.MAX_STAGES_PER_PATHWAY} stages)"
            )
        else:
            count[change.pathway] += 1
            added.append(change)
    return Resolved(
        whatif.WhatIf(
            roles=roles,
            extra_costs=dict(overlay.extra_costs),
            stage_minutes=stage_minutes,
            stage_roles=stage_roles,
            patient_scale=overlay.patient_scale,
            channel=overlay.channel,
            period=overlay.period,
            removed_stages=frozenset(removed),
            added_stages=tuple(added),
        ),
        tuple(unmatched),
    )


def _find(pathway: engine.Pathway | None, index: int, name: str) -> int | None:
    """The stage of ``pathway`` a change names: at its position if the name is there, else the one so named."""
    if pathway is None:
        return None
    stages = pathway.stages
    if index < len(stages) and stages[index].name == name:
        return index
    found = [i for i, s in enumerate(stages) if s.name == name]
    return found[0] if len(found) == 1 else None


def apply(base: engine.CostModel, overlay: Overlay, *, name: str | None = None, description: str | None = None):
    """The scenario as the engine costs it: the base as it is now with the overlay's changes."""
    changed = whatif.apply(base, resolve(base, overlay).changes)
    if name is not None or description is not None:
        changed = replace(
            changed,
            name=changed.name if name is None else name,
            description=changed.description if description is None else description,
        )
    return changed


def describe(base: engine.CostModel, overlay: Overlay) -> list[str]:
    """The overlay's differences from the base as it is now, in words; then what no longer applies."""
    resolved = resolve(base, overlay)
    lines = whatif.describe(base, resolved.changes)
    lines += [f"No longer applies: {what}" for what in resolved.unmatched]
    return lines


def as_whatif(overlay: Overlay) -> whatif.WhatIf:
    """The overlay as a WhatIf by position (for composing a what-if of a scenario)."""
    return whatif.WhatIf(
        roles=dict(overlay.roles),
        extra_costs=dict(overlay.extra_costs),
        stage_minutes={(s.pathway, s.index): s.minutes for s in overlay.stages if s.minutes is not None},
        stage_roles={(s.pathway, s.index): s.role for s in overlay.stages if s.role is not None},
        patient_scale=overlay.patient_scale,
        channel=overlay.channel,
        period=overlay.period,
        removed_stages=frozenset((s.pathway, s.index) for s in overlay.removed_stages),
        added_stages=overlay.added_stages,
    )


# ------------------------------------------------------------------ JSON


def dumps(overlay: Overlay) -> dict:
    """The overlay as the JSON the database stores (only what differs)."""
    data: dict = {"overlay": FORMAT}
    if overlay.roles:
        data["roles"] = {key: _role_json(role) for key, role in sorted(overlay.roles.items())}
    if overlay.extra_costs:
        data["extra_costs"] = [[str(old), str(new)] for old, new in sorted(overlay.extra_costs.items())]
    if overlay.stages:
        data["stages"] = [
            {
                "pathway": s.pathway,
                "index": s.index,
                "name": s.name,
                **({"minutes": str(s.minutes)} if s.minutes is not None else {}),
                **({"role": s.role} if s.role is not None else {}),
            }
            for s in overlay.stages
        ]
    if overlay.removed_stages:
        data["removed_stages"] = [
            {"pathway": s.pathway, "index": s.index, "name": s.name} for s in overlay.removed_stages
        ]
    if overlay.added_stages:
        data["added_stages"] = [_added_json(a) for a in overlay.added_stages]
    if overlay.channel is not None:
        data["channel"] = {
            "kind": overlay.channel.kind.value,
            "cost": str(overlay.channel.cost),
            "detail": overlay.channel.detail,
        }
    if overlay.patient_scale != 1:
        data["patient_scale"] = str(overlay.patient_scale)
    if overlay.period is not None:
        data["period"] = overlay.period.value
    return data


def _added_json(added: whatif.AddedStage) -> dict:
    stage = added.stage
    data = {
        "pathway": added.pathway,
        "position": added.position,
        "name": stage.name,
        "step": stage.step.value,
        "minutes": str(stage.minutes),
    }
    if stage.role is not None:
        data["role"] = stage.role
    if stage.extra_cost:
        data["extra_cost"] = str(stage.extra_cost)
    if stage.visit is not None:
        data["visit"] = stage.visit
    return data


def _role_json(role: engine.Role) -> dict:
    found = {name: getattr(role, name) for name in ROLE_FIELDS if getattr(role, name) not in (None, "")}
    return {k: (v.value if isinstance(v, engine.CostBasis) else str(v)) for k, v in found.items()}


def loads(data: object) -> Overlay:
    """Read and check stored JSON; OverlayError names the first field that is wrong."""
    if not isinstance(data, dict):
        raise OverlayError("overlay", "must be an object")
    if data.get("overlay") != FORMAT:
        raise OverlayError("overlay", f"unknown overlay format {data.get('overlay')!r}")
    for key in data:
        if key not in TOP_FIELDS:
            raise OverlayError(key, "unknown field")
    roles = {}
    raw_roles = data.get("roles", {})
    if not isinstance(raw_roles, dict):
        raise OverlayError("roles", "must be an object")
    for key, fields in raw_roles.items():
        where = f"roles.{key}"
        if not isinstance(fields, dict) or set(fields) - set(ROLE_FIELDS):
            raise OverlayError(where, f"must be an object of {', '.join(ROLE_FIELDS)}")
        values = {}
        for name in ROLE_FIELDS[1:5]:
            if name in fields:
                values[name] = _decimal(fields[name], f"{where}.{name}", limits.MAX_ANNUAL_SALARY)
        try:
            roles[key] = engine.Role(
                key=key,
                name=key,
                band=str(fields.get("band", "")),
                cost_basis=engine.CostBasis(fields["cost_basis"]) if fields.get("cost_basis") else None,
                **values,
            )
        except ValueError as error:
            raise OverlayError(where, str(error)) from None
    extra_costs = {}
    for i, pair in enumerate(_list(data, "extra_costs", "must be a list of [old, new] amounts")):
        if not isinstance(pair, list) or len(pair) != 2:
            raise OverlayError(f"extra_costs[{i}]", "must be [old, new]")
        old, new = (_decimal(v, f"extra_costs[{i}]", limits.MAX_EXTRA_COST) for v in pair)
        extra_costs[old] = new
    stages = []
    for i, raw in enumerate(_list(data, "stages")):
        where = f"stages[{i}]"
        if not isinstance(raw, dict) or set(raw) - STAGE_FIELDS or not {"pathway", "index", "name"} <= set(raw):
            raise OverlayError(where, "must give pathway, index and name, and minutes or role")
        index = _index(raw["index"], f"{where}.index")
        minutes = raw.get("minutes")
        stages.append(
            StageChange(
                pathway=str(raw["pathway"]),
                index=index,
                name=str(raw["name"]),
                minutes=None if minutes is None else _decimal(minutes, f"{where}.minutes", limits.MAX_STAGE_MINUTES),
                role=None if raw.get("role") is None else str(raw["role"]),
            )
        )
    removed = []
    for i, raw in enumerate(_list(data, "removed_stages")):
        where = f"removed_stages[{i}]"
        if not isinstance(raw, dict) or set(raw) != REMOVED_FIELDS:
            raise OverlayError(where, "must give pathway, index and name")
        removed.append(
            RemovedStage(
                pathway=str(raw["pathway"]), index=_index(raw["index"], f"{where}.index"), name=str(raw["name"])
            )
        )
    added = []
    raw_added = _list(data, "added_stages")
    if len(raw_added) > MAX_ADDED_STAGES:
        raise OverlayError("added_stages", f"at most {MAX_ADDED_STAGES} stages")
    for i, raw in enumerate(raw_added):
        added.append(_added(raw, f"added_stages[{i}]"))
    channel = None
    if "channel" in data:
        raw = data["channel"]
        if not isinstance(raw, dict) or "kind" not in raw:
            raise OverlayError("channel", "must give its kind")
        try:
            channel = whatif.Channel(
                kind=whatif.ChannelKind(raw["kind"]),
                cost=_decimal(raw.get("cost", "0"), "channel.cost", limits.MAX_EXTRA_COST),
                detail=str(raw.get("detail", "")),
            )
        except ValueError as error:
            raise OverlayError("channel", str(error)) from None
    scale = _decimal(data.get("patient_scale", "1"), "patient_scale", whatif.MAX_PATIENT_SCALE)
    if scale < whatif.MIN_PATIENT_SCALE:
        raise OverlayError("patient_scale", f"must be from {whatif.MIN_PATIENT_SCALE} to {whatif.MAX_PATIENT_SCALE}")
    period = None
    if "period" in data:
        try:
            period = engine.Period(data["period"])
        except ValueError:
            raise OverlayError("period", f"unknown period {data['period']!r}") from None
    return Overlay(
        roles=roles,
        extra_costs=extra_costs,
        stages=tuple(stages),
        patient_scale=scale,
        channel=channel,
        period=period,
        removed_stages=tuple(removed),
        added_stages=tuple(added),
    )


def _list(data: dict, key: str, problem: str = "must be a list") -> list:
    found = data.get(key, [])
    if not isinstance(found, list):
        raise OverlayError(key, problem)
    return found


def _index(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise OverlayError(where, "must be a whole number ≥ 0")
    return value


def _added(raw: object, where: str) -> whatif.AddedStage:
    """One added stage: its pathway, position and the stage's fields as a model file gives them."""
    if not isinstance(raw, dict) or set(raw) - ADDED_FIELDS or not {"pathway", "position", "name", "step"} <= set(raw):
        raise OverlayError(where, "must give pathway, position, name and step, and role, minutes, extra_cost or visit")
    position = _index(raw["position"], f"{where}.position")
    if not isinstance(raw["name"], str):
        raise OverlayError(f"{where}.name", "must be text")
    try:
        step = engine.Step(raw["step"])
    except ValueError:
        raise OverlayError(f"{where}.step", f"unknown step {raw['step']!r}") from None
    role = raw.get("role")
    if role is not None and not isinstance(role, str):
        raise OverlayError(f"{where}.role", "must be a role key")
    visit = raw.get("visit")
    if visit is not None and (isinstance(visit, bool) or not isinstance(visit, int)):
        raise OverlayError(f"{where}.visit", "must be a whole number")
    stage = engine.Stage(
        name=raw["name"],
        step=step,
        role=role,
        minutes=_decimal(raw.get("minutes", "0"), f"{where}.minutes", limits.MAX_STAGE_MINUTES),
        extra_cost=_decimal(raw.get("extra_cost", "0"), f"{where}.extra_cost", limits.MAX_EXTRA_COST),
        visit=visit,
    )
    try:
        whatif.check_added_stage(stage)
    except ValueError as error:
        raise OverlayError(where, str(error)) from None
    return whatif.AddedStage(pathway=str(raw["pathway"]), position=position, stage=stage)


def _decimal(value: object, where: str, maximum: Decimal) -> Decimal:
    if not isinstance(value, str):
        raise OverlayError(where, "must be a string holding a number")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise OverlayError(where, f"{value!r} is not a number") from None
    if not number.is_finite() or not 0 <= number <= maximum:
        raise OverlayError(where, f"must be from 0 to {maximum}")
    return number


# ------------------------------------------------------------------ from a copy


def derive(base: engine.CostModel, copy: engine.CostModel) -> whatif.WhatIf | None:
    """The WhatIf that makes ``base`` cost as ``copy`` does, when the copy still matches its base; else None.

    A copy matches when it has the base's groups and cohorts (labels, conditions,
    times, exceptions, groups) with its numbers one exact multiple of the base's,
    and its pathways have the base's stages (names, steps, visits) with at most
    other minutes, roles, rates and extra costs that a WhatIf can say. The answer is
    checked by costing both. Scenarios saved before overlays existed copied their
    roles and pathways (``pn-2``, ``dm-2``); this finds what they changed.
    """
    if base.groups and len(base.groups) != len(copy.groups):
        return None
    if len(base.before) != len(copy.before) or len(base.after) != len(copy.after):
        return None
    scale = None
    pathway_map: dict[str, str] = {}
    pairs = list(zip(base.before, copy.before, strict=True)) + list(zip(base.after, copy.after, strict=True))
    pairs_of_people = [(g.people, c.people) for g, c in zip(base.groups, copy.groups, strict=True)]
    for g, c in zip(base.groups, copy.groups, strict=True):
        if (g.key, g.label, g.conditions) != (c.key, c.label, c.conditions):
            return None
    for b, c in pairs:
        if (b.label, b.conditions, b.times, b.group) != (c.label, c.conditions, c.times, c.group):
            return None
        if pathway_map.setdefault(b.pathway, c.pathway) != c.pathway:
            return None
        pairs_of_people.append((b.patients, c.patients))
        pairs_of_people.append((b.exceptions, c.exceptions))
    for own, copied in pairs_of_people:
        if own == 0:
            if copied != 0:
                return None
            continue
        ratio = Decimal(copied) / Decimal(own)
        if scale is None:
            scale = ratio
        elif ratio != scale:
            return None
    scale = Decimal(1) if scale is None else scale
    if scale != 1 and (
        not whatif.MIN_PATIENT_SCALE <= scale <= whatif.MAX_PATIENT_SCALE or scale != scale.quantize(Decimal("0.01"))
    ):
        return None
    if len(set(pathway_map.values())) != len(pathway_map):
        return None
    base_pathways = {p.key: p for p in base.pathways}
    copy_pathways = {p.key: p for p in copy.pathways}
    base_roles = {r.key: r for r in base.roles}
    copy_roles = {r.key: r for r in copy.roles}
    roles: dict[str, engine.Role] = {}
    extra_costs: dict[Decimal, Decimal] = {}
    stage_minutes, stage_roles = {}, {}
    for base_key, copy_key in pathway_map.items():
        b_stages, c_stages = base_pathways[base_key].stages, copy_pathways[copy_key].stages
        if len(b_stages) != len(c_stages):
            return None
        for index, (b, c) in enumerate(zip(b_stages, c_stages, strict=True)):
            if (b.name, b.step, b.visit) != (c.name, c.step, c.visit):
                return None
            if extra_costs.setdefault(b.extra_cost, c.extra_cost) != c.extra_cost:
                return None
            if b.minutes != c.minutes:
                stage_minutes[(base_key, index)] = c.minutes
            if (b.role is None) != (c.role is None):
                return None
            if b.role is None:
                continue
            copied_role = copy_roles[c.role]
            if _same_rate(copied_role, base_roles[b.role]) and c.role == b.role:
                continue
            # Another role of the base at the copy's rate and name: the stage changed hands.
            other = next((r for r in base.roles if r.name == copied_role.name and _same_rate(r, copied_role)), None)
            if other is not None and other.key != b.role:
                stage_roles[(base_key, index)] = other.key
                continue
            # The base's role at another rate (a copy saved under a new key): the role's rate changed.
            if roles.setdefault(b.role, copied_role) != copied_role:
                return None
    try:
        changes = whatif.WhatIf(
            roles={k: replace(r, key=k, name=base_roles[k].name) for k, r in roles.items()},
            extra_costs={old: new for old, new in extra_costs.items() if old != new},
            stage_minutes=stage_minutes,
            stage_roles=stage_roles,
            patient_scale=scale,
            period=copy.period if copy.period != base.period else None,
        )
        same = engine.Headline.of(engine.compare(whatif.apply(base, changes))) == engine.Headline.of(
            engine.compare(copy)
        )
    except ValueError:
        return None
    return changes if same else None


def _same_rate(one: engine.Role, other: engine.Role) -> bool:
    return one.exact_hourly_rate == other.exact_hourly_rate and one.cost_basis == other.cost_basis
