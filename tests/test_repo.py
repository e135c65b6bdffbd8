"""Repository rules: the README's test command is what CI runs, core imports only NumPy and the standard library,
and the code is lint-clean."""

import ast
import re
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


def test_the_readme_is_short_and_its_notebook_example_runs(capsys):
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 150
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "the README shows how to use core from a notebook"
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})
    assert "standardized: κ = 1.0" in capsys.readouterr().out


SHELL = ["app.py", "pages", "ui", "charts", "experiments"]


def python_files(*places: str) -> list[Path]:
    return sorted(p for place in places for p in ([ROOT / place] if place.endswith(".py")
                                                   else (ROOT / place).rglob("*.py")))


def test_pages_are_lessons_short_and_free_of_numpy_and_pandas():
    for path in python_files("pages"):
        text = path.read_text()
        assert len(text.splitlines()) <= 250, f"{path.name}: {len(text.splitlines())} lines"
        assert not imported_modules(ast.parse(text)) & {"numpy", "pandas"}, path.name


def test_the_shell_uses_public_apis_only_and_one_way_to_cache():
    """No Streamlit runtime internals, no private attribute of a library, no functools caches (st.cache_data and
    st.cache_resource are the one mechanism). ui/shell.py's documented deep-link workaround is the exception."""
    for path in python_files(*SHELL):
        if path.relative_to(ROOT).as_posix() == "ui/shell.py":
            continue
        tree = ast.parse(path.read_text())
        libraries = {alias.asname or alias.name.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and node.level == 0)
                     for alias in node.names} - {"core", "ui", "charts", "experiments"}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert "runtime" not in node.module and "._" not in node.module, (path.name, node.module)
                assert node.module != "functools" or not {a.name for a in node.names} & {"cache", "lru_cache"}
            if isinstance(node, ast.Import):
                assert not any("runtime" in a.name for a in node.names), path.name
            if isinstance(node, ast.Attribute):
                base = node.value.id if isinstance(node.value, ast.Name) else None
                if base in libraries:
                    assert not (node.attr.startswith("_") and not node.attr.startswith("__")), \
                        f"{path.name}: {base}.{node.attr}"
                assert not (base == "functools" and node.attr in ("cache", "lru_cache")), path.name


def test_core_keeps_no_caches_of_its_own():
    for path in python_files("core"):
        assert "functools.cache" not in path.read_text() and "lru_cache" not in path.read_text(), path.name


def test_the_style_sheet_has_no_angle_brackets():
    """st.html's sanitizer (DOMPurify) silently drops a style element whose text looks like it holds a tag, as
    a comment mentioning "st-key-<key>" did: the app then ran with none of its rules."""
    assert "<" not in (ROOT / "ui" / "style.css").read_text()
