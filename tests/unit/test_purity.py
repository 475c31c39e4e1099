"""The costing service's pure modules: no Django, no database, no I/O libraries.

import-linter (`make check`) enforces the same on the whole import graph; this
test keeps its list of pure modules and ours one list, and checks what
import-linter does not (I/O libraries, floats in the engine).
"""

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = [
    "costing.engine",
    "costing.exchange",
    "costing.limits",
    "costing.whatif",
    "costing.overlay",
    "costing.reference",
    "costing.charts",
    "costing.presenter",
    "costing.profiles",
    "costing.tables",
]
PURE_PACKAGES = ["costing.decisions"]
FORBIDDEN = {"django", "requests", "urllib", "socket", "sqlite3", "psycopg", "practices", "pathways", "reports"}


def _files() -> list[Path]:
    files = [ROOT / (name.replace(".", "/") + ".py") for name in PURE]
    for package in PURE_PACKAGES:
        files += sorted((ROOT / package.replace(".", "/")).glob("*.py"))
    return files


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_import_linter_checks_the_same_pure_modules():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    forbidden = next(c for c in contracts if c["type"] == "forbidden")

    assert sorted(forbidden["source_modules"]) == sorted(PURE + PURE_PACKAGES)
    assert {"django", "practices", "pathways", "reports"} <= set(forbidden["forbidden_modules"])


def test_every_decisions_module_is_checked():
    names = {path.name for path in _files()}

    assert {"__init__.py", "sensitivity.py", "uncertainty.py", "payback.py", "estimator.py", "capacity.py"} <= names


@pytest.mark.parametrize("module", _files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_pure_module_imports_no_django_or_io(module):
    assert not (_imported_roots(module) & FORBIDDEN)


def test_engine_uses_no_floats():
    source = (ROOT / "costing/engine.py").read_text()

    assert "float(" not in source
