"""Every view's "Reproduce this" notebook runs top to bottom in a fresh kernel and prints the page's number."""

from __future__ import annotations

import math
import re

import nbformat
import pytest
from nbclient import NotebookClient

import experiments
from ui.notebook import build

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
VIEWS = [(name, view, rep) for name, module in experiments.PAGES.items()
         for view, rep in module.notebooks().items()]
HEADLINE = re.compile(r"headline = (\S+)")


@pytest.mark.parametrize(("name", "view", "rep"), VIEWS, ids=[f"{n}-{v}" for n, v, _ in VIEWS])
def test_the_views_notebook_runs_in_a_fresh_kernel_and_prints_the_pages_headline_number(name, view, rep):
    nb = nbformat.reads(build(rep).decode(), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "tests")}},
                   ).execute()   # started in a subfolder: the first cell finds the repository above it
    printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                      for out in cell.get("outputs", []) if out.get("name") == "stdout")
    match = HEADLINE.search(printed)
    assert match, f"the notebook printed no headline:\n{printed[-2000:]}"
    got = float("nan") if match.group(1) == "None" else float(match.group(1))
    assert (math.isnan(got) and math.isnan(rep.headline)) or got == pytest.approx(rep.headline, rel=1e-9, abs=1e-12)
    plot = nb.cells[-1].get("outputs", [])
    assert plot and any("data" in out for out in plot), "the last cell draws a chart or shows a table"
