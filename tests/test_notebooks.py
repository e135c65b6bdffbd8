"""Every view's "Reproduce this" notebook runs top to bottom in a kernel and prints the page's number.

One kernel per test process, its namespace cleared (``%reset -f``) before each notebook: a notebook that leans
on a name it does not define or import fails as it would in a fresh kernel, without starting ~30 kernels."""

from __future__ import annotations

import math
import re

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import experiments
from ui.nav import by_url_path
from ui.notebook import build

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
# named from the navigation, not by computing the notebooks: every xdist worker collects every test
VIEWS = [(name, view) for name in experiments.PAGES for view in by_url_path(name).view_names()]
HEADLINE = re.compile(r"headline = (\S+)")


def test_every_page_has_one_notebook_per_view():
    for name, module in experiments.PAGES.items():
        assert list(module.notebooks()) == [view for page, view in VIEWS if page == name]


@pytest.fixture(scope="module")
def kernel():
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(ROOT / "tests"))   # in a subfolder: the notebook's first cell finds the repository
    yield km
    km.shutdown_kernel(now=True)


@pytest.mark.parametrize(("name", "view"), VIEWS, ids=[f"{n}-{v}" for n, v in VIEWS])
def test_the_views_notebook_runs_in_a_cleared_kernel_and_prints_the_pages_headline_number(kernel, name, view):
    rep = experiments.PAGES[name].notebooks()[view]   # cached: computed once per page in each worker
    nb = nbformat.reads(build(rep).decode(), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))
    NotebookClient(nb, km=kernel, timeout=300).execute()
    printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                      for out in cell.get("outputs", []) if out.get("name") == "stdout")
    match = HEADLINE.search(printed)
    assert match, f"the notebook printed no headline:\n{printed[-2000:]}"
    got = float("nan") if match.group(1) == "None" else float(match.group(1))
    assert (math.isnan(got) and math.isnan(rep.headline)) or got == pytest.approx(rep.headline, rel=1e-9, abs=1e-12)
    plot = nb.cells[-1].get("outputs", [])
    assert plot and any("data" in out for out in plot), "the last cell draws a chart or shows a table"
