"""The costing engine is pure: no Django, no database, no I/O libraries."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_MODULES = ["costing/engine.py", "costing/exchange.py", "costing/limits.py", "costing/reference.py"]
FORBIDDEN = {"django", "requests", "urllib", "socket", "sqlite3", "psycopg"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_imports_no_django_or_io(module):
    assert not (_imported_roots(ROOT / module) & FORBIDDEN)


def test_engine_uses_no_floats():
    source = (ROOT / "costing/engine.py").read_text()

    assert "float(" not in source
