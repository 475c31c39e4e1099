"""A practice profile's rules, and the model generated from it (costing.profiles: no database)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from costing import engine
from costing import profiles as P
from costing.tables import SheetError, read_table

ROOT = Path(__file__).resolve().parents[2]
KNOWN = {"DM", "CHD", "COPD", "AST", "HF"}
ONE_PERSON_WITH_ALL_THREE = (P.Group(1, ("DM", "CHD", "COPD")),)
B_REVIEWS = {"DM": P.Review("dm"), "CHD": P.Review("chd"), "COPD": P.Review("copd")}


def _b_profile(groups=ONE_PERSON_WITH_ALL_THREE) -> P.Profile:
    """Worked example B's population: one person on three registers."""
    return P.Profile(
        list_size=1,
        registers=(P.Register("DM", 1), P.Register("CHD", 1), P.Register("COPD", 1)),
        groups=groups,
    )


def _table(text: str) -> list[dict[str, str]]:
    return read_table(text.encode(), "profile.csv")


def _messages(profile: P.Profile) -> list[str]:
    return [f"{p.section}[{p.index}].{p.column}: {p.message}" for p in P.check(profile)]


# ------------------------------------------------------------------ checks


def test_a_consistent_profile_has_no_problems():
    profile = P.Profile(
        list_size=100,
        age_bands=(P.AgeBand(0, 17, 20), P.AgeBand(18, None, 80)),
        registers=(P.Register("DM", 10), P.Register("CHD", 6)),
        groups=(P.Group(7, ("DM",)), P.Group(3, ("DM", "CHD")), P.Group(3, ("CHD",))),
    )

    assert P.check(profile) == []


def test_a_group_cannot_exceed_the_register_of_its_condition():
    profile = P.Profile(10, registers=(P.Register("DM", 3), P.Register("CHD", 5)), groups=(P.Group(4, ("DM", "CHD")),))

    assert _messages(profile) == ["groups[0].people: 4 people with DM, more than the 3 on its register"]


def test_the_groups_with_a_condition_add_up_to_no_more_than_its_register():
    profile = P.Profile(
        10,
        registers=(P.Register("DM", 5), P.Register("CHD", 5)),
        groups=(P.Group(3, ("DM",)), P.Group(3, ("DM", "CHD"))),
    )

    assert _messages(profile) == [
        "groups[1].people: the groups with DM add up to 6 people, more than the 5 on its register"
    ]


def test_registers_and_bands_are_not_above_the_list_size():
    profile = P.Profile(5, age_bands=(P.AgeBand(0, 17, 2), P.AgeBand(18, None, 4)), registers=(P.Register("DM", 6),))

    assert _messages(profile) == [
        "age_bands[1].people: the bands add up to 6, more than the list size of 5",
        "registers[0].people: DM: 6 people, more than the list size of 5",
    ]


def test_bands_covering_every_age_add_up_to_the_list_size():
    profile = P.Profile(100, age_bands=(P.AgeBand(0, 17, 20), P.AgeBand(18, None, 70)))

    assert _messages(profile) == [
        "age_bands[1].people: the bands cover every age but add up to 90, not the list size of 100"
    ]


def test_overlapping_bands_are_refused():
    profile = P.Profile(100, age_bands=(P.AgeBand(0, 18, 20), P.AgeBand(18, None, 70)))

    assert "age_bands[1].ages: 18+ overlaps 0-18" in _messages(profile)


def test_a_group_needs_its_registers():
    profile = P.Profile(10, registers=(P.Register("DM", 5),), groups=(P.Group(2, ("DM", "CHD")),))

    assert _messages(profile) == ["groups[0].conditions: no register count for CHD: give its register too"]


def test_groups_by_set_and_by_number_are_not_mixed():
    profile = P.Profile(10, registers=(P.Register("DM", 5),), groups=(P.Group(2, ("DM",)), P.Group(1, count=1)))

    assert _messages(profile)[0].startswith("groups[1].number of conditions: give groups by their set")


def test_people_by_number_of_conditions_fit_the_register_places():
    profile = P.Profile(100, registers=(P.Register("DM", 3), P.Register("CHD", 3)), groups=(P.Group(4, count=2),))

    assert _messages(profile) == [
        "groups[0].people: people with n conditions are on n registers each: at least 8 register places, "
        "but the registers add up to 6"
    ]


def test_a_number_of_conditions_beyond_the_registers_given_is_refused():
    profile = P.Profile(100, registers=(P.Register("DM", 3), P.Register("CHD", 3)), groups=(P.Group(1, count=3),))

    assert _messages(profile)[0] == "groups[0].number of conditions: 3 conditions, but the profile gives 2 registers"


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "ages"), [("0-17", (0, 17)), ("18+", (18, None)), ("65 and over", (65, None)), ("18 – 64", (18, 64))]
)
def test_age_bands_are_read(text, ages):
    assert P.parse_ages(text) == ages


@pytest.mark.parametrize(("text", "message"), [("adults", "not an age band"), ("17-5", "above the second")])
def test_bad_age_bands_say_why(text, message):
    with pytest.raises(ValueError, match=message):
        P.parse_ages(text)


def test_a_profile_is_read_from_a_table():
    table = _table(
        "kind,ages,conditions,number of conditions,people\n"
        "list size,,,,100\nage band,0-17,,,20\nage band,18+,,,80\n"
        "register,,dm,,10\nregister,,CHD,,6\ngroup,,DM;CHD,,3\ngroups,,DM,,7\n"
    )

    profile = P.read_profile(table, conditions=KNOWN)

    assert profile == P.Profile(
        100,
        (P.AgeBand(0, 17, 20), P.AgeBand(18, None, 80)),
        (P.Register("DM", 10), P.Register("CHD", 6)),
        (P.Group(3, ("DM", "CHD")), P.Group(7, ("DM",))),
    )


def test_every_problem_of_a_table_is_given_by_row_and_column():
    table = _table(
        "kind,ages,conditions,number of conditions,people\n"
        "list size,,,,100\nage band,adults,,,20\nregister,,XX,,10\nregister,,CHD,,-1\nsomething,,,,1\n"
        "group,,DM,2,3\n"
    )

    with pytest.raises(SheetError) as raised:
        P.read_profile(table, conditions=KNOWN)

    assert [str(e) for e in raised.value.errors] == [
        "row 3, ages: 'adults' is not an age band: write it as 0-17 or 18+",
        "row 4, conditions: unknown condition code 'XX'",
        "row 5, people: must not be negative",
        "row 6, kind: 'something' is not list size, age band, register or group",
        "row 7, number of conditions: give the group's conditions or its number of conditions, not both",
    ]


def test_a_table_whose_counts_disagree_names_the_row_of_each_problem():
    table = _table(
        "kind,conditions,people\nlist size,,100\nregister,DM,5\nregister,CHD,5\ngroup,DM;CHD,3\ngroup,DM,3\n"
    )

    with pytest.raises(SheetError) as raised:
        P.read_profile(table, conditions=KNOWN)

    assert [str(e) for e in raised.value.errors] == [
        "row 6, people: the groups with DM add up to 6 people, more than the 5 on its register"
    ]


def test_a_table_without_a_list_size_is_refused():
    with pytest.raises(SheetError, match="no list size row"):
        P.read_profile(_table("kind,conditions,people\nregister,DM,5\n"), conditions=KNOWN)


def test_a_table_without_the_kind_column_is_refused():
    with pytest.raises(SheetError, match="row 1, kind: missing column"):
        P.read_profile(_table("conditions,people\nDM,5\n"), conditions=KNOWN)


def test_the_template_file_reads_as_a_valid_profile():
    data = (ROOT / "static" / "files" / "practice-profile-template.csv").read_bytes()

    profile = P.read_profile(read_table(data, "template.csv"), conditions=KNOWN)

    assert profile.list_size == 9699
    assert P.profile_rows(profile)[0] == list(P.PROFILE_COLUMNS)


def test_profile_rows_read_back_as_the_same_profile():
    profile = P.Profile(
        100,
        (P.AgeBand(0, 17, 20),),
        (P.Register("DM", 10), P.Register("CHD", 4)),
        (P.Group(3, count=1), P.Group(1, count=2, or_more=True)),
    )
    text = "\n".join(",".join(row) for row in P.profile_rows(profile))

    assert P.read_profile(_table(text), conditions=KNOWN) == profile


# ------------------------------------------------------------------ generating


def _costed(example_b, generated: P.Generated) -> engine.Comparison:
    model = replace(example_b, groups=generated.groups, before=generated.before, after=generated.after)
    return engine.compare(model)


def test_example_b_rebuilt_from_its_profile_gives_the_published_figures(example_b):
    generated = P.generate(_b_profile(), P.Choices(B_REVIEWS, csp_pathway="csp"))
    c = _costed(example_b, generated)

    assert (c.before.cost, c.after.cost, c.saving, c.saving_percent) == (
        Decimal("31.39"),
        Decimal("17.72"),
        Decimal("13.67"),
        Decimal("43.5"),
    )
    assert (c.before.people, c.before.reviews, c.after.people, c.after.reviews) == (1, 3, 1, 1)
    assert (c.before.visits, c.before.contact_minutes, c.after.visits, c.after.contact_minutes) == (5, 95, 2, 60)
    assert generated.groups == (engine.Group("dm-chd-copd", "DM + CHD + COPD", 1, ("DM", "CHD", "COPD")),)
    assert [co.label for co in generated.before] == [
        "DM review: DM + CHD + COPD",
        "CHD review: DM + CHD + COPD",
        "COPD review: DM + CHD + COPD",
    ]
    assert generated.assumptions == ()


def test_example_b_from_counts_by_number_of_conditions_is_the_same_model(example_b):
    by_set = P.generate(_b_profile(), P.Choices(B_REVIEWS, csp_pathway="csp"))
    by_number = P.generate(_b_profile(groups=(P.Group(1, count=3),)), P.Choices(B_REVIEWS, csp_pathway="csp"))

    assert (by_number.groups, by_number.before, by_number.after) == (by_set.groups, by_set.before, by_set.after)
    assert "has all of the profile's 3 registers" in by_number.assumptions[0]


def test_times_and_the_complex_needs_pathway_are_applied():
    profile = P.Profile(
        100,
        registers=(P.Register("DM", 5), P.Register("CHD", 3), P.Register("COPD", 2)),
        groups=(P.Group(2, ("DM", "CHD", "COPD")), P.Group(1, ("DM", "CHD"))),
    )
    choices = P.Choices(
        {"DM": P.Review("dm", times=2), "CHD": P.Review("chd"), "COPD": P.Review("copd")},
        csp_pathway="csp",
        complex_pathway="csp-complex",
    )

    generated = P.generate(profile, choices)

    assert [(g.label, g.people) for g in generated.groups] == [
        ("DM + CHD + COPD", 2),
        ("DM + CHD", 1),
        ("DM only", 2),
    ]
    assert [(c.pathway, c.times, c.patients) for c in generated.before if c.conditions == ("DM",)] == [
        ("dm", 2, 2),
        ("dm", 2, 1),
        ("dm", 2, 2),
    ]
    assert [c.pathway for c in generated.after] == ["csp-complex", "csp", "csp"]
    assert generated.assumptions == (
        "People on a register who are in none of the profile's groups are taken to have that condition alone: "
        "DM only 2.",
    )


def test_a_register_whose_alone_group_is_given_must_add_up():
    profile = P.Profile(100, registers=(P.Register("DM", 5),), groups=(P.Group(3, ("DM",)),))

    with pytest.raises(P.CannotGenerate, match="'DM only' among them, add up to 3"):
        P.groups_by_set(profile)


def test_counts_by_number_that_leave_a_choice_are_refused_with_the_reason():
    profile = P.Profile(
        100,
        registers=(P.Register("DM", 10), P.Register("CHD", 5), P.Register("COPD", 4)),
        groups=(P.Group(3, count=2), P.Group(1, count=3)),
    )

    with pytest.raises(P.CannotGenerate) as refused:
        P.generate(profile, P.Choices(B_REVIEWS, csp_pathway="csp"))

    assert str(refused.value).startswith(
        "the profile counts people by how many conditions they have (2 conditions: 3; 3 conditions: 1), not by which"
    )
    assert "Give the groups by their set of conditions" in str(refused.value)


def test_a_profile_without_groups_is_refused_rather_than_count_a_person_twice():
    profile = P.Profile(100, registers=(P.Register("DM", 10), P.Register("CHD", 5)))

    with pytest.raises(P.CannotGenerate, match="a person on two registers would be counted as two people"):
        P.groups_by_set(profile)


def test_a_condition_without_a_chosen_review_is_refused():
    with pytest.raises(P.CannotGenerate, match="choose the current review of COPD"):
        P.generate(_b_profile(), P.Choices({"DM": P.Review("dm"), "CHD": P.Review("chd")}, csp_pathway="csp"))


def test_a_profile_whose_counts_disagree_is_not_generated():
    with pytest.raises(P.CannotGenerate, match="correct the profile first"):
        P.groups_by_set(replace(_b_profile(), list_size=0))


# ------------------------------------------------------------------ from a model


def test_example_b_derives_its_profile_and_back(example_b):
    profile = P.from_model(example_b)

    assert profile == _b_profile()
    assert _costed(example_b, P.generate(profile, P.Choices(B_REVIEWS, csp_pathway="csp"))).saving == Decimal("13.67")


def test_examples_c_and_d_are_not_one_population_and_say_why(example_cd):
    with pytest.raises(P.CannotGenerate) as refused:
        P.from_model(example_cd)

    message = str(refused.value)
    assert message.startswith("the before and after sides of this model are not one population")
    assert "DM: 23 reviews before, 25 people after" in message


def test_a_model_whose_cohorts_name_no_register_cannot_give_a_profile(example_b):
    bare = replace(example_b, groups=(), before=(engine.Cohort("Reviews", 3, "dm"),))

    with pytest.raises(P.CannotGenerate, match="“Reviews” \\(before\\) names no condition register"):
        P.from_model(bare)


def test_a_model_with_an_empty_side_cannot_give_a_profile(example_b):
    with pytest.raises(P.CannotGenerate, match="no cohorts on one of its sides"):
        P.from_model(replace(example_b, after=()))
