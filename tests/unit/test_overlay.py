"""A scenario's overlay: its JSON schema, its application to the base, and finding one in an old copy."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costing import engine, overlay, whatif
from tests.unit.test_engine_property import cost_models

NURSE_21 = engine.Role(key="pn", name="Practice nurse", band="", cost_per_hour=D("21.00"))
CSP = "Combined care and support planning (diabetes + CHD + COPD) – Care and support planning conversation"
TEXT = whatif.Channel(kind=whatif.ChannelKind.TEXT, cost=D("0.0125"))


def changes_of_b() -> whatif.WhatIf:
    return whatif.WhatIf(
        roles={"pn": NURSE_21},
        extra_costs={D("0.85"): D("0.87")},
        stage_minutes={("csp", 4): D(40)},
        stage_roles={("csp", 4): "np"},
        patient_scale=D("0.75"),
    )


def edited_copy(model: engine.CostModel, changes: whatif.WhatIf) -> engine.CostModel:
    """The edit a user would make by hand to a copy of the model (no overlay code): the boring way."""
    roles = tuple(
        replace(changes.roles[r.key], key=r.key, name=r.name) if r.key in changes.roles else r for r in model.roles
    )
    pathways = []
    for p in model.pathways:
        stages = []
        for i, s in enumerate(p.stages):
            s = replace(s, extra_cost=changes.extra_costs.get(s.extra_cost, s.extra_cost))
            if changes.channel and s.step == engine.Step.INFORMATION_SHARING:
                s = replace(s, extra_cost=changes.channel.cost)
            s = replace(s, minutes=changes.stage_minutes.get((p.key, i), s.minutes))
            s = replace(s, role=changes.stage_roles.get((p.key, i), s.role))
            if s.role is None:
                s = replace(s, minutes=D(0))
            stages.append(s)
        # Each added stage goes before the stage at its position (after the last when past it), as given.
        placed = [((i, 1, 0), s) for i, s in enumerate(stages) if (p.key, i) not in changes.removed_stages]
        placed += [
            ((min(a.position, len(stages)), 0, j), a.stage)
            for j, a in enumerate(changes.added_stages)
            if a.pathway == p.key
        ]
        pathways.append(replace(p, stages=tuple(s for _, s in sorted(placed, key=lambda pair: pair[0]))))
    return replace(model, roles=roles, pathways=tuple(pathways), period=changes.period or model.period)


def test_json_round_trip_keeps_every_change(example_b):
    made = overlay.of(example_b, replace(changes_of_b(), channel=TEXT, period=engine.Period.YEAR))

    stored = overlay.dumps(made)

    assert overlay.loads(stored) == replace(made, roles={"pn": replace(NURSE_21, name="pn")})
    assert stored["stages"] == [
        {"pathway": "csp", "index": 4, "name": "Care and support planning conversation", "minutes": "40", "role": "np"}
    ]
    assert stored["channel"] == {"kind": "text", "cost": "0.0125", "detail": ""}


def test_an_empty_overlay_stores_only_its_format():
    assert overlay.dumps(overlay.of(engine.CostModel("x", engine.Period.MONTH, (), (), (), ()), whatif.WhatIf())) == {
        "overlay": 1
    }


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ([], "overlay"),
        ({"overlay": 2}, "overlay"),
        ({"overlay": 1, "colour": "red"}, "colour"),
        ({"overlay": 1, "patient_scale": "0.25"}, "patient_scale"),
        ({"overlay": 1, "patient_scale": 2}, "patient_scale"),
        ({"overlay": 1, "extra_costs": [["0.56"]]}, "extra_costs[0]"),
        ({"overlay": 1, "stages": [{"pathway": "dm", "index": -1, "name": "x"}]}, "stages[0].index"),
        ({"overlay": 1, "stages": [{"pathway": "dm", "index": 0, "name": "x", "minutes": "-3"}]}, "stages[0].minutes"),
        ({"overlay": 1, "roles": {"pn": {"cost_per_hour": "x"}}}, "roles.pn.cost_per_hour"),
        ({"overlay": 1, "channel": {"kind": "pigeon"}}, "channel"),
        ({"overlay": 1, "channel": {"kind": "email", "cost": "0.10"}}, "channel"),
        ({"overlay": 1, "period": "week"}, "period"),
    ],
)
def test_bad_json_names_its_field(data, where):
    with pytest.raises(overlay.OverlayError) as raised:
        overlay.loads(data)

    assert raised.value.where == where


def test_overlay_on_base_costs_as_the_edited_copy(example_b, example_cd):
    for model, changes in (
        (example_b, changes_of_b()),
        (example_cd, whatif.WhatIf(extra_costs={D("0.56"): D("0.87")}, channel=TEXT, patient_scale=D(2))),
    ):
        made = overlay.loads(overlay.dumps(overlay.of(model, changes)))
        copy = replace(edited_copy(model, changes), patient_scale=changes.patient_scale)

        assert engine.compare(overlay.apply(model, made)) == engine.compare(copy)


def test_an_edit_to_the_base_reaches_the_scenario(example_b):
    made = overlay.of(example_b, changes_of_b())
    # The base's practice nurse recall becomes 10 minutes, and a stage is added before the conversation.
    dm = example_b.pathways[0]
    edited = replace(dm, stages=(replace(dm.stages[0], minutes=D(10)), *dm.stages[1:]))
    csp = example_b.pathways[-1]
    extra = engine.Stage(name="Welcome", step=engine.Step.OTHER, role=None, minutes=D(0))
    moved = replace(csp, stages=(extra, *csp.stages))
    base = replace(example_b, pathways=(edited, *example_b.pathways[1:-1], moved))

    scenario = overlay.apply(base, made)

    assert scenario.pathways[0].stages[0].minutes == D(10)  # the base's edit
    assert scenario.pathways[-1].stages[5].minutes == D(40)  # found by its name one place on
    assert scenario.pathways[-1].stages[5].role == "np"
    assert overlay.describe(base, made)[-1] == "Patient numbers × 0.75"


def test_a_change_the_base_no_longer_has_is_said_not_applied(example_b):
    made = overlay.of(example_b, changes_of_b())
    csp = example_b.pathways[-1]
    base = replace(example_b, pathways=(*example_b.pathways[:-1], replace(csp, stages=csp.stages[:4])))

    lines = overlay.describe(base, made)

    assert (
        "No longer applies: the stage “Care and support planning conversation” (not found once in the base's pathway)"
        in lines
    )


def test_differences_in_words(example_b):
    lines = overlay.describe(example_b, overlay.of(example_b, replace(changes_of_b(), channel=TEXT)))

    assert lines == [
        "Practice nurse £18.60 → £21.00 an hour",
        "Extra cost £0.85 → £0.87",
        f"{CSP} 30 → 40 minutes",
        f"{CSP} done by Practice nurse → Nurse practitioner",
        "Results shared by text message at £0.0125 a message",
        "Patient numbers × 0.75",
    ]


def test_channel_reaches_every_results_stage_with_or_without_an_extra_cost(example_cd):
    free = replace(
        example_cd,
        pathways=tuple(
            replace(p, stages=tuple(replace(s, extra_cost=D(0)) for s in p.stages)) for p in example_cd.pathways
        ),
    )
    letter = whatif.Channel(kind=whatif.ChannelKind.LETTER_SECOND, cost=D("0.87"), detail="Royal Mail second class")

    changed = whatif.apply(free, whatif.WhatIf(channel=letter))

    sharing = [s for p in changed.pathways for s in p.stages if s.step == engine.Step.INFORMATION_SHARING]
    assert sharing and {s.extra_cost for s in sharing} == {D("0.87")}
    others = [s for p in changed.pathways for s in p.stages if s.step != engine.Step.INFORMATION_SHARING]
    assert {s.extra_cost for s in others} == {D(0)}


def test_derive_finds_what_an_old_copied_scenario_changed(example_b):
    changes = replace(changes_of_b(), patient_scale=D(2))
    copy = edited_copy(example_b, changes)
    # An old scenario copied the changed role and pathway under new keys.
    copy = replace(
        copy,
        roles=tuple(replace(r, key="pn-2") if r.key == "pn" else r for r in copy.roles),
        pathways=tuple(
            replace(
                p,
                key=p.key + "-2",
                stages=tuple(replace(s, role="pn-2" if s.role == "pn" else s.role) for s in p.stages),
            )
            for p in copy.pathways
        ),
        before=tuple(replace(c, pathway=c.pathway + "-2", patients=c.patients * 2) for c in copy.before),
        after=tuple(replace(c, pathway=c.pathway + "-2", patients=c.patients * 2) for c in copy.after),
        groups=tuple(replace(g, people=g.people * 2) for g in copy.groups),
    )

    found = overlay.derive(example_b, copy)

    assert found is not None
    assert engine.compare(whatif.apply(example_b, found)).before.cost == engine.compare(copy).before.cost
    assert found.patient_scale == 2 and found.stage_roles == {("csp", 4): "np"}


def test_derive_refuses_a_copy_that_no_longer_matches(example_cd):
    rounded = replace(example_cd, before=tuple(replace(c, patients=(c.patients + 1) // 2) for c in example_cd.before))
    relabelled = replace(example_cd, after=tuple(replace(c, label=c.label + "!") for c in example_cd.after))

    assert overlay.derive(example_cd, rounded) is None  # an old x0.5 rounded to whole people: no exact scale
    assert overlay.derive(example_cd, relabelled) is None
    assert overlay.derive(example_cd, example_cd) == whatif.WhatIf()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models(), data=st.data())
def test_random_overlays_cost_as_their_edited_copies(model, data):
    refs = [(p.key, i) for p in model.pathways for i, s in enumerate(p.stages) if s.role is not None]
    amounts = sorted({s.extra_cost for p in model.pathways for s in p.stages})
    keys = [r.key for r in model.roles]
    changes = whatif.WhatIf(
        roles={k: engine.Role(key=k, name=k, cost_per_hour=D(data.draw(st.integers(0, 200)))) for k in keys[:1]},
        extra_costs={a: D(data.draw(st.integers(0, 300))) / 100 for a in amounts[:1]},
        stage_minutes={r: D(data.draw(st.integers(0, 90))) for r in refs[:2]},
        stage_roles={r: data.draw(st.sampled_from(keys)) for r in refs[1:3]},
        patient_scale=data.draw(st.sampled_from([D("0.5"), D(1), D("1.25"), D(3)])),
        channel=data.draw(st.none() | st.just(TEXT)),
    )
    made = overlay.loads(overlay.dumps(overlay.of(model, changes)))

    copy = replace(edited_copy(model, changes), patient_scale=changes.patient_scale)
    # Stage names may repeat in a random pathway: where a name is not unique, position decides as it was saved.
    assert engine.compare(overlay.apply(model, made)) == engine.compare(copy)


# ------------------------------------------------------------------ stages removed and added

LETTER = engine.Stage(
    name="Results letter", step=engine.Step.INFORMATION_SHARING, role="admin", minutes=D(5), extra_cost=D("0.56")
)


def test_removed_and_added_stages_survive_json_and_cost_as_the_edited_copy(example_b):
    changes = whatif.WhatIf(
        removed_stages=frozenset({("dm", 1)}),
        added_stages=(whatif.AddedStage(pathway="dm", position=2, stage=LETTER),),
        period=engine.Period.YEAR,
    )
    made = overlay.of(example_b, changes)

    stored = overlay.dumps(made)

    assert stored["removed_stages"] == [{"pathway": "dm", "index": 1, "name": example_b.pathways[0].stages[1].name}]
    assert stored["added_stages"] == [
        {
            "pathway": "dm",
            "position": 2,
            "name": "Results letter",
            "step": "information_sharing",
            "minutes": "5",
            "role": "admin",
            "extra_cost": "0.56",
        }
    ]
    assert overlay.loads(stored) == made
    scenario = overlay.apply(example_b, overlay.loads(stored))
    assert engine.compare(scenario) == engine.compare(edited_copy(example_b, changes))
    assert scenario.pathways[0].stages[1] == LETTER
    assert len(scenario.pathways[0].stages) == len(example_b.pathways[0].stages)


def test_removed_and_added_stages_in_words(example_b):
    dm = example_b.pathways[0]
    changes = whatif.WhatIf(
        stage_minutes={("dm", 1): D(40)},  # of a stage also removed: not said
        removed_stages=frozenset({("dm", 1)}),
        added_stages=(whatif.AddedStage(pathway="dm", position=9, stage=replace(LETTER, extra_cost=D(0))),),
    )

    lines = overlay.describe(example_b, overlay.of(example_b, changes))

    assert lines == [
        f"Removed: {dm.stages[1].name} from {dm.name}",
        f"Added: Results letter (Administrator, 5 min) to {dm.name}",
    ]


def test_a_removed_stage_the_base_no_longer_has_is_said_not_applied(example_b):
    dm = example_b.pathways[0]
    made = overlay.of(example_b, whatif.WhatIf(removed_stages=frozenset({("dm", 1)})))
    base = replace(example_b, pathways=(replace(dm, stages=(dm.stages[0], *dm.stages[2:])), *example_b.pathways[1:]))

    lines = overlay.describe(base, made)

    assert lines == [
        f"No longer applies: removing “{dm.stages[1].name}” from “{dm.name}” (the base has no such stage now)"
    ]
    assert engine.compare(overlay.apply(base, made)) == engine.compare(base)


def test_an_added_stage_whose_role_or_pathway_the_base_lost_is_said_not_applied(example_b):
    made = overlay.Overlay(
        roles={},
        extra_costs={},
        stages=(),
        added_stages=(
            whatif.AddedStage(pathway="dm", position=0, stage=replace(LETTER, role="gone")),
            whatif.AddedStage(pathway="gone", position=0, stage=LETTER),
        ),
    )

    assert overlay.describe(example_b, made) == [
        "No longer applies: adding “Results letter” done by “gone” (a role no stage of the base uses now)",
        "No longer applies: adding “Results letter” to the pathway “gone” (the base has no such pathway now)",
    ]
    assert engine.compare(overlay.apply(example_b, made)) == engine.compare(example_b)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"overlay": 1, "removed_stages": [{"pathway": "dm", "index": 0}]}, "removed_stages[0]"),
        ({"overlay": 1, "removed_stages": [{"pathway": "dm", "index": True, "name": "x"}]}, "removed_stages[0].index"),
        ({"overlay": 1, "added_stages": {}}, "added_stages"),
        ({"overlay": 1, "added_stages": [{"pathway": "dm", "position": 0, "name": "x"}]}, "added_stages[0]"),
        (
            {"overlay": 1, "added_stages": [{"pathway": "dm", "position": 0, "name": "x", "step": "dance"}]},
            "added_stages[0].step",
        ),
        (
            {
                "overlay": 1,
                "added_stages": [{"pathway": "dm", "position": 0, "name": "x", "step": "other", "minutes": "5"}],
            },
            "added_stages[0]",
        ),
        (
            {"overlay": 1, "added_stages": [{"pathway": "dm", "position": 0, "name": " ", "step": "other"}]},
            "added_stages[0]",
        ),
        (
            {
                "overlay": 1,
                "added_stages": [{"pathway": "dm", "position": 0, "name": "x", "step": "other", "visit": 0}],
            },
            "added_stages[0]",
        ),
    ],
)
def test_bad_stage_json_names_its_field(data, where):
    with pytest.raises(overlay.OverlayError) as raised:
        overlay.loads(data)

    assert raised.value.where == where


def _stage_changes(model: engine.CostModel, data, *, channel: bool) -> whatif.WhatIf:
    """Random removals and additions (of the model's roles, anywhere), with minutes, roles and rates."""
    refs = [(p.key, i) for p in model.pathways for i, s in enumerate(p.stages)]
    keys = [r.key for r in model.roles]
    amounts = sorted({s.extra_cost for p in model.pathways for s in p.stages})
    added = []
    if model.pathways and keys:
        for _ in range(data.draw(st.integers(0, 3))):
            pathway = data.draw(st.sampled_from(model.pathways))
            added.append(
                whatif.AddedStage(
                    pathway=pathway.key,
                    position=data.draw(st.integers(0, len(pathway.stages) + 1)),
                    stage=engine.Stage(
                        name=data.draw(st.sampled_from(["Letter", "Call", "Check"])),
                        step=data.draw(st.sampled_from(list(engine.Step))),
                        role=data.draw(st.sampled_from(keys)),
                        minutes=D(data.draw(st.integers(0, 60))),
                        extra_cost=D(data.draw(st.integers(0, 100))) / 100,
                        visit=data.draw(st.none() | st.integers(1, 3)),
                    ),
                )
            )
    return whatif.WhatIf(
        roles={k: engine.Role(key=k, name=k, cost_per_hour=D(data.draw(st.integers(0, 200)))) for k in keys[:1]},
        extra_costs={a: D(data.draw(st.integers(0, 300))) / 100 for a in amounts[:1]},
        stage_minutes={r: D(data.draw(st.integers(0, 90))) for r in refs[:2]},
        stage_roles={r: data.draw(st.sampled_from(keys)) for r in refs[1:3]} if keys else {},
        removed_stages=frozenset(data.draw(st.lists(st.sampled_from(refs), max_size=3)) if refs else ()),
        added_stages=tuple(added),
        channel=data.draw(st.none() | st.just(TEXT)) if channel else None,
        period=data.draw(st.none() | st.sampled_from(list(engine.Period))),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models(), data=st.data())
def test_random_overlays_removing_and_adding_stages_cost_as_their_edited_copies(model, data):
    # Stage names unique in each pathway, as a base a scenario was saved on names its stages.
    model = replace(
        model,
        pathways=tuple(
            replace(p, stages=tuple(replace(s, name=f"{s.name} {i}") for i, s in enumerate(p.stages)))
            for p in model.pathways
        ),
    )
    changes = _stage_changes(model, data, channel=True)
    made = overlay.loads(overlay.dumps(overlay.of(model, changes)))

    assert overlay.resolve(model, made).unmatched == ()
    assert engine.compare(overlay.apply(model, made)) == engine.compare(edited_copy(model, changes))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=cost_models(), data=st.data())
def test_a_what_if_of_a_scenario_composes_into_one_overlay_on_its_base(model, data):
    first = _stage_changes(model, data, channel=False)
    scenario = whatif.apply(model, first)
    then = _stage_changes(scenario, data, channel=True)

    composed = whatif.compose(model, first, then)

    assert engine.compare(whatif.apply(model, composed)) == engine.compare(whatif.apply(scenario, then))
