"""What if: the same model with other rates, minutes, roles, extra costs, numbers, channels or stages.

Pure, like the engine: a WhatIf describes changes, ``apply`` returns a new
engine.CostModel with them, and ``describe`` says in words what changed, so a
saved scenario can state its assumptions. A saved scenario stores its WhatIf as
an overlay on its base model (costing.overlay) and is costed by ``apply`` on the
base as it is at the time of costing.

Patient numbers scale exactly (costing rule 8, engine.scale_comparison): the
model's ``patient_scale`` is multiplied, never its cohorts rounded to whole people.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

from costing import engine, limits

# The patient scale the what-if panel offers (x0.5 ... x3).
MIN_PATIENT_SCALE = Decimal("0.5")
MAX_PATIENT_SCALE = Decimal(3)

StageRef = tuple[str, int]  # (pathway key, stage index)


class ChannelKind(StrEnum):
    """How results are shared with a patient before their conversation (an information sharing stage)."""

    LETTER_FIRST = "letter_first"
    LETTER_SECOND = "letter_second"
    TEXT = "text"
    NHS_APP = "nhs_app"
    EMAIL = "email"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]

    @property
    def is_free(self) -> bool:
        """The NHS App and email cost no postage or message fee."""
        return self in (ChannelKind.NHS_APP, ChannelKind.EMAIL)


CHANNEL_LABELS = {
    ChannelKind.LETTER_FIRST: "first class letter",
    ChannelKind.LETTER_SECOND: "second class letter",
    ChannelKind.TEXT: "text message",
    ChannelKind.NHS_APP: "the NHS App",
    ChannelKind.EMAIL: "email",
}


@dataclass(frozen=True)
class Channel:
    """One channel for every information sharing stage: its cost per patient replaces the stage's extra cost.

    A letter's cost is its price at a date (the form reads it from the postage
    table; ``detail`` names the price and its date); a text message's cost may be
    a fraction of a penny (up to limits.EXTRA_COST_PLACES); the NHS App and email
    cost nothing. The stage's staff time is unchanged.
    """

    kind: ChannelKind
    cost: Decimal = Decimal(0)
    detail: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.cost <= limits.MAX_EXTRA_COST:
            raise ValueError(f"a channel's cost must be between £0 and £{limits.MAX_EXTRA_COST}")
        if self.cost.as_tuple().exponent < -limits.EXTRA_COST_PLACES:
            raise ValueError(f"a channel's cost has at most {limits.EXTRA_COST_PLACES} decimal places")
        if self.kind.is_free and self.cost:
            raise ValueError(f"{self.kind.label} has no postage")

    def describe(self) -> str:
        if self.kind.is_free:
            return f"Results shared by {self.kind.label} (no postage)"
        cost = money_text(self.cost)
        each = "a message" if self.kind == ChannelKind.TEXT else "a letter"
        detail = f": {self.detail}" if self.detail else ""
        return f"Results shared by {self.kind.label} at £{cost} {each}{detail}"


@dataclass(frozen=True)
class AddedStage:
    """A stage the what-if adds to a pathway, before the model's stage at ``position`` (its end when past it).

    It costs as it says: the what-if's extra cost and channel changes reach the
    model's own stages, not this one (so what-ifs compose exactly: ``compose``).
    """

    pathway: str
    position: int
    stage: engine.Stage


@dataclass(frozen=True)
class WhatIf:
    # A role's new cost basis, by role key (a cost per hour, or a salary from a band).
    roles: Mapping[str, engine.Role] = field(default_factory=dict)
    # Every extra cost of one amount (e.g. all £0.56 stamps) replaced by another.
    extra_costs: Mapping[Decimal, Decimal] = field(default_factory=dict)
    stage_minutes: Mapping[StageRef, Decimal] = field(default_factory=dict)
    stage_roles: Mapping[StageRef, str] = field(default_factory=dict)
    patient_scale: Decimal = Decimal(1)
    # Every information sharing stage by this channel (its extra cost), whether or not it had one.
    channel: Channel | None = None
    # Another period for the model's numbers (they are then read as counts of that period).
    period: engine.Period | None = None
    # Stages of the model left out (by position), and stages added; additions use the model's roles only.
    removed_stages: Set[StageRef] = frozenset()
    added_stages: tuple[AddedStage, ...] = ()

    def __post_init__(self) -> None:
        if not MIN_PATIENT_SCALE <= self.patient_scale <= MAX_PATIENT_SCALE:
            raise ValueError(f"patient scale must be between {MIN_PATIENT_SCALE} and {MAX_PATIENT_SCALE}")
        for minutes in self.stage_minutes.values():
            if not 0 <= minutes <= limits.MAX_STAGE_MINUTES:
                raise ValueError(f"minutes must be between 0 and {limits.MAX_STAGE_MINUTES}")
        for amount in self.extra_costs.values():
            if not 0 <= amount <= limits.MAX_EXTRA_COST:
                raise ValueError(f"an extra cost must be between £0 and £{limits.MAX_EXTRA_COST}")
        for added in self.added_stages:
            check_added_stage(added.stage)
            if added.position < 0:
                raise ValueError("an added stage's position must be 0 or more")

    @property
    def is_empty(self) -> bool:
        return (
            not (self.roles or self.extra_costs or self.stage_minutes or self.stage_roles)
            and not (self.removed_stages or self.added_stages)
            and self.patient_scale == 1
            and self.channel is None
            and self.period is None
        )


def check_added_stage(stage: engine.Stage) -> None:
    """Raise ValueError when an added stage breaks a rule of the model file (docs/model-format.md)."""
    if not stage.name.strip():
        raise ValueError("an added stage needs a name")
    if len(stage.name) > limits.MAX_NAME_LENGTH:
        raise ValueError(f"an added stage's name has at most {limits.MAX_NAME_LENGTH} characters")
    if not 0 <= stage.minutes <= limits.MAX_STAGE_MINUTES:
        raise ValueError(f"minutes must be between 0 and {limits.MAX_STAGE_MINUTES}")
    if stage.role is None and stage.minutes:
        raise ValueError("an added stage with minutes needs a role to spend them")
    if not 0 <= stage.extra_cost <= limits.MAX_EXTRA_COST:
        raise ValueError(f"an extra cost must be between £0 and £{limits.MAX_EXTRA_COST}")
    if stage.extra_cost.as_tuple().exponent < -limits.EXTRA_COST_PLACES:
        raise ValueError(f"an extra cost has at most {limits.EXTRA_COST_PLACES} decimal places")
    if stage.visit is not None and not 1 <= stage.visit <= limits.MAX_VISIT_NUMBER:
        raise ValueError(f"a visit is a number from 1 to {limits.MAX_VISIT_NUMBER}")


Origin = tuple[str, int]  # ("model", index of the model's stage) or ("added", index in added_stages)


def layout(pathway: engine.Pathway, whatif: WhatIf, role_keys: Set[str]) -> list[Origin]:
    """Where each stage of the changed pathway comes from, in its order.

    The model's stages that are not removed, with each addition before the model's
    stage at its position (at the end when past the last), additions at one
    position in their order. An addition whose role the model does not have is left
    out, as a stage role the model does not have is (``apply``).
    """
    count = len(pathway.stages)
    added: dict[int, list[int]] = {}
    for j, a in enumerate(whatif.added_stages):
        if a.pathway == pathway.key and (a.stage.role is None or a.stage.role in role_keys):
            added.setdefault(min(a.position, count), []).append(j)
    origins: list[Origin] = []
    for index in range(count + 1):
        origins += [("added", j) for j in added.get(index, ())]
        if index < count and (pathway.key, index) not in whatif.removed_stages:
            origins.append(("model", index))
    return origins


def _changed_stage(stage: engine.Stage, whatif: WhatIf, ref: StageRef | None, role_keys: Set[str]) -> engine.Stage:
    """A stage with the what-if's changes: its minutes and role by ``ref``, every extra cost and the channel."""
    changes: dict = {}
    if ref in whatif.stage_minutes:
        changes["minutes"] = whatif.stage_minutes[ref]
    new_role = whatif.stage_roles.get(ref)
    if new_role in role_keys:
        changes["role"] = new_role
    if stage.extra_cost in whatif.extra_costs:
        changes["extra_cost"] = whatif.extra_costs[stage.extra_cost]
    if whatif.channel is not None and stage.step == engine.Step.INFORMATION_SHARING:
        changes["extra_cost"] = whatif.channel.cost
    stage = replace(stage, **changes) if changes else stage
    if stage.role is None and stage.minutes:
        stage = replace(stage, minutes=Decimal(0))  # minutes need somebody to spend them
    return stage


def apply(model: engine.CostModel, whatif: WhatIf) -> engine.CostModel:
    """The model with the what-if's changes; unknown roles, stages or pathways are ignored."""
    role_keys = {r.key for r in model.roles}
    roles = tuple(
        replace(whatif.roles[r.key], key=r.key, name=r.name) if r.key in whatif.roles else r for r in model.roles
    )
    pathways = []
    for pathway in model.pathways:
        stages = tuple(
            _changed_stage(pathway.stages[i], whatif, (pathway.key, i), role_keys)
            if kind == "model"
            else whatif.added_stages[i].stage
            for kind, i in layout(pathway, whatif, role_keys)
        )
        pathways.append(replace(pathway, stages=stages))
    return replace(
        model,
        roles=roles,
        pathways=tuple(pathways),
        # Costing rule 8: exact, every figure; never cohorts rounded to whole people.
        patient_scale=model.patient_scale * whatif.patient_scale,
        period=whatif.period or model.period,
    )


def money_text(amount: Decimal) -> Decimal:
    """An amount to two decimal places, or up to four when it has a fraction of a penny (0.5600 -> 0.56)."""
    two = amount.quantize(Decimal("0.01"))
    return two if two == amount else amount.normalize()


def compose(model: engine.CostModel, first: WhatIf, then: WhatIf) -> WhatIf:
    """One WhatIf on ``model`` doing ``first`` and then ``then`` (a what-if of a scenario, saved on its base).

    ``then`` was made on ``apply(model, first)``: its stages are found back by
    ``layout``, each a stage of ``model`` or one of ``first``'s additions, which
    takes ``then``'s changes (minutes, role, removal, extra costs, channel) itself.
    Raises ValueError when the scales together leave the what-if's range.
    """
    extra_costs = {old: then.extra_costs.get(new, new) for old, new in first.extra_costs.items()}
    for old, new in then.extra_costs.items():
        extra_costs.setdefault(old, new)
    role_keys = {r.key for r in model.roles}
    stage_minutes, stage_roles = dict(first.stage_minutes), dict(first.stage_roles)
    removed = set(first.removed_stages)
    # Each of first's additions, or None once removed, with then's additions that go just before it.
    kept: list[AddedStage | None] = list(first.added_stages)
    before: list[list[AddedStage]] = [[] for _ in kept]
    at_model: list[AddedStage] = []
    for pathway in model.pathways:
        origins = layout(pathway, first, role_keys)
        for position, (kind, i) in enumerate(origins):
            ref = (pathway.key, position)
            if kind == "model":
                own = (pathway.key, i)
                if ref in then.stage_minutes:
                    stage_minutes[own] = then.stage_minutes[ref]
                if ref in then.stage_roles:
                    stage_roles[own] = then.stage_roles[ref]
                if ref in then.removed_stages:
                    removed.add(own)
            elif ref in then.removed_stages:
                kept[i] = None
            else:
                stage = _changed_stage(first.added_stages[i].stage, then, ref, role_keys)
                kept[i] = replace(first.added_stages[i], stage=stage)
        for added in then.added_stages:
            if added.pathway != pathway.key:
                continue
            if added.position >= len(origins):
                at_model.append(replace(added, position=len(pathway.stages)))
            elif origins[added.position][0] == "added":
                before[origins[added.position][1]].append(added)
            else:
                at_model.append(replace(added, position=origins[added.position][1]))
    added_stages = []
    for j, own in enumerate(kept):
        for new in before[j]:
            added_stages.append(replace(new, position=min(first.added_stages[j].position, _length(model, new.pathway))))
        if own is not None:
            added_stages.append(own)
    return WhatIf(
        roles={**first.roles, **then.roles},
        extra_costs={old: new for old, new in extra_costs.items() if old != new},
        stage_minutes=stage_minutes,
        stage_roles=stage_roles,
        patient_scale=first.patient_scale * then.patient_scale,
        channel=then.channel or first.channel,
        period=then.period or first.period,
        removed_stages=frozenset(removed),
        added_stages=(*added_stages, *at_model),
    )


def _length(model: engine.CostModel, key: str) -> int:
    return next((len(p.stages) for p in model.pathways if p.key == key), 0)


def describe(model: engine.CostModel, whatif: WhatIf) -> list[str]:
    """The changes in words, only those that change something."""
    lines = []
    for role in model.roles:
        new = whatif.roles.get(role.key)
        if new is not None and new.exact_hourly_rate != role.exact_hourly_rate:
            band = f" ({new.band})" if new.band and new.band != role.band else ""
            lines.append(f"{role.name} £{role.hourly_rate} → £{new.hourly_rate} an hour{band}")
    for old, new in sorted(whatif.extra_costs.items()):
        if old != new:
            lines.append(f"Extra cost £{money_text(old)} → £{money_text(new)}")
    names = {r.key: r.name for r in model.roles}
    for pathway in model.pathways:
        for index, stage in enumerate(pathway.stages):
            ref = (pathway.key, index)
            if ref in whatif.removed_stages:
                continue  # said once below: its minutes and role no longer matter
            minutes = whatif.stage_minutes.get(ref)
            if minutes is not None and minutes != stage.minutes:
                lines.append(
                    f"{pathway.name} – {stage.name} {engine.normalise_minutes(stage.minutes)} → "
                    f"{engine.normalise_minutes(minutes)} minutes"
                )
            role = whatif.stage_roles.get(ref)
            if role is not None and role != stage.role and role in names:
                lines.append(f"{pathway.name} – {stage.name} done by {names.get(stage.role, 'nobody')} → {names[role]}")
    for pathway in model.pathways:
        for index, stage in enumerate(pathway.stages):
            if (pathway.key, index) in whatif.removed_stages:
                lines.append(f"Removed: {stage.name} from {pathway.name}")
    pathway_names = {p.key: p.name for p in model.pathways}
    for added in whatif.added_stages:
        if added.pathway in pathway_names and (added.stage.role is None or added.stage.role in names):
            lines.append(f"Added: {describe_stage(added.stage, names)} to {pathway_names[added.pathway]}")
    if whatif.channel is not None:
        lines.append(whatif.channel.describe())
    if whatif.patient_scale != 1:
        lines.append(f"Patient numbers × {whatif.patient_scale.normalize()}")
    if whatif.period is not None and whatif.period != model.period:
        lines.append(f"Numbers counted {_PERIOD_WORDS[model.period]} → {_PERIOD_WORDS[whatif.period]}")
    return lines


def describe_stage(stage: engine.Stage, role_names: Mapping[str, str]) -> str:
    """An added stage in words: "Results letter (Administrator, 5 min)", its extra cost and visit when it has them."""
    parts = [role_names.get(stage.role, "no staff time") if stage.role else "no staff time"]
    if stage.role:
        parts.append(f"{engine.normalise_minutes(stage.minutes)} min")
    if stage.extra_cost:
        parts.append(f"£{money_text(stage.extra_cost)} extra")
    if stage.visit is not None:
        parts.append(f"visit {stage.visit}")
    return f"{stage.name} ({', '.join(parts)})"


_PERIOD_WORDS = {engine.Period.PER_PATIENT: "per patient", engine.Period.MONTH: "a month", engine.Period.YEAR: "a year"}
