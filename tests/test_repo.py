"""Repository rules: the README's test command is what CI runs, and the code is lint-clean."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in (ROOT / "README.md").read_text()


def test_core_imports_only_numpy():
    for path in (ROOT / "core").glob("*.py"):
        text = path.read_text()
        for banned in ("import streamlit", "import altair", "import pandas", "from streamlit", "from pandas"):
            assert banned not in text, f"{path.name} uses {banned}"


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff_check_is_clean():
    out = subprocess.run(["ruff", "check", str(ROOT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
