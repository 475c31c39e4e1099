"""The decision-support layer is pure, like the engine: no Django, no I/O libraries."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted((ROOT / "costing" / "decisions").glob("*.py"))
FORBIDDEN = {"django", "requests", "urllib", "socket", "sqlite3", "psycopg"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_every_decisions_module_is_checked():
    names = {path.name for path in MODULES}

    assert {"__init__.py", "sensitivity.py", "uncertainty.py", "payback.py", "estimator.py", "capacity.py"} <= names


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_decisions_module_imports_no_django_or_io(module):
    assert not (_imported_roots(module) & FORBIDDEN)


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_decisions_module_imports_only_pure_costing_modules(module):
    tree = ast.parse(module.read_text())
    costing_imports = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "costing":
            costing_imports |= {f"{node.module}.{alias.name}" for alias in node.names}

    pure = ("costing.engine", "costing.limits", "costing.reference", "costing.whatif", "costing.decisions")
    assert all(name.startswith(pure) for name in costing_imports), costing_imports
