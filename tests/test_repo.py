"""Repository rules: the README's test command is what CI runs, core imports only NumPy and the standard library,
and the code is lint-clean."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in (ROOT / "README.md").read_text()


def imported_modules(tree: ast.AST) -> set[str]:
    """The top-level name of every module an ``import x`` or ``from x import y`` names, at any depth."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("core" if node.level else (node.module or "").split(".")[0])  # relative: inside core
    return names


def test_core_imports_only_numpy_the_standard_library_and_itself():
    allowed = {"numpy", "core", "__future__"} | set(sys.stdlib_module_names)
    paths = sorted((ROOT / "core").glob("*.py"))
    assert paths
    for path in paths:
        found = imported_modules(ast.parse(path.read_text(), filename=str(path)))
        assert found <= allowed, f"core/{path.name} imports {sorted(found - allowed)}"


def test_the_import_check_sees_imports_inside_functions_and_from_imports():
    tree = ast.parse("def f():\n    import pandas.io\n    from streamlit import cache_data\nfrom . import nn\n")
    assert imported_modules(tree) == {"pandas", "streamlit", "core"}


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff_check_is_clean():
    out = subprocess.run(["ruff", "check", str(ROOT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
