"""`manage.py cost_model FILE --json`, as specified in docs/model-format.md."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "costing" / "fixtures"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "cost_model", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_cost_model_json_for_example_b_matches_the_contract(capsys):
    call_command("cost_model", str(FIXTURES / "example_b.json"), "--json")
    out = json.loads(capsys.readouterr().out)

    assert out["before"]["cost"] == "31.39"
    assert out["after"]["cost"] == "17.72"
    assert out["saving"] == "13.67"
    assert out["saving_percent"] == "43.5"
    assert out["before"]["patients"] == 3
    assert out["before"]["visits"] == 5
    assert out["before"]["contact_minutes"] == "95"
    assert out["after"]["contact_minutes"] == "60"
    assert out["before"]["staff_minutes"] == {"admin": "21", "hca": "35", "np": "4", "pn": "60"}
    assert out["before"]["cohorts"][0] == {
        "label": "Diabetes",
        "conditions": ["DM"],
        "pathway": "dm",
        "patients": 1,
        "times": 1,
        "exceptions": 0,
        "cost_per_patient": "13.43",
        "cost": "13.43",
        "visits": 2,
        "contact_minutes": "45",
    }


def test_cost_model_json_for_example_cd(capsys):
    call_command("cost_model", str(FIXTURES / "example_cd.json"), "--json")
    out = json.loads(capsys.readouterr().out)

    assert (out["before"]["cost"], out["after"]["cost"]) == ("2785.50", "2108.47")
    assert (out["saving"], out["saving_percent"]) == ("677.03", "24.3")
    assert out["annual"]["saving"] == "8124.36"


def test_cost_model_json_for_version_2_counts_people_reviews_and_times(capsys):
    call_command("cost_model", str(FIXTURES / "example_b_copd_twice.json"), "--json")
    out = json.loads(capsys.readouterr().out)

    assert (out["before"]["people"], out["before"]["reviews"]) == (1, 4)
    assert (out["after"]["people"], out["after"]["reviews"]) == (1, 1)
    assert [c["times"] for c in out["before"]["cohorts"]] == [1, 1, 2]
    assert (out["before"]["cost"], out["after"]["cost"], out["saving"]) == ("40.47", "17.72", "22.75")
    assert out["before"]["cohorts"][2]["cost"] == "18.16"


def test_cost_model_json_for_a_version_1_file_counts_each_patient_as_a_person_and_a_review(capsys):
    call_command("cost_model", str(FIXTURES / "example_cd.json"), "--json")
    out = json.loads(capsys.readouterr().out)

    assert (out["before"]["people"], out["before"]["reviews"]) == (194, 194)
    assert (out["after"]["people"], out["after"]["reviews"]) == (136, 136)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["after"][0].update(patients=1), "after[0]: give patients or group, not both"),
        (lambda d: d["before"][1].update(group="dm-chd"), "before[1].group: unknown group 'dm-chd'"),
        (lambda d: d["before"][2].update(times=13), "before[2].times: 13 is more than the maximum of 12"),
        (
            lambda d: d["pathways"][0]["stages"][0].update(extra_cost="0.00001"),
            "pathways[0].stages[0].extra_cost: 0.00001 has more than 4 decimal places",
        ),
    ],
)
def test_cost_model_invalid_version_2_file_exits_non_zero_with_one_line(tmp_path, mutate, expected):
    data = json.loads((FIXTURES / "example_b_copd_twice.json").read_text())
    mutate(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))

    result = run(str(bad), "--json")

    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(expected)
    assert "Traceback" not in result.stderr


def test_cost_model_text_prints_the_headline(capsys):
    call_command("cost_model", str(FIXTURES / "example_b.json"))
    out = capsys.readouterr().out

    assert "£31.39 → £17.72 (saving £13.67, 43.5%)" in out
    assert "Visits: 5 → 2" in out
    assert "95 → 60 minutes" in out
    assert "People: 1 → 1; reviews: 3 → 1" in out


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["before"][0].update(pathway="nope"), "before[0].pathway: unknown pathway 'nope'"),
        (lambda d: d.update(version=7), "version: unknown version 7"),
        (lambda d: d["roles"][0].update(cost_per_hour="-1"), "roles[0].cost_per_hour: must not be negative"),
        (lambda d: d["pathways"][0]["stages"][0].update(minutes="ten"), "pathways[0].stages[0].minutes:"),
        (lambda d: d.update(colour="red"), "colour: unknown field"),
        (lambda d: d["after"][0].pop("group"), "after[0].patients: missing field (or give a group)"),
    ],
)
def test_cost_model_invalid_file_exits_non_zero_with_one_line(tmp_path, mutate, expected):
    data = json.loads((FIXTURES / "example_b.json").read_text())
    mutate(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))

    result = run(str(bad), "--json")

    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_cost_model_bad_json_and_missing_file_exit_non_zero(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")

    for path in (bad, tmp_path / "missing.json"):
        result = run(str(path), "--json")
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1


def test_cost_model_needs_no_database(tmp_path):
    env_db = f"sqlite:///{tmp_path / 'does-not-exist' / 'db.sqlite3'}"

    result = subprocess.run(
        [sys.executable, "manage.py", "cost_model", str(FIXTURES / "example_b.json"), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": env_db},
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["after"]["cost"] == "17.72"
