"""'Reproduce this': the core calls behind a view, as code to copy and as a notebook that runs.

A view describes itself as a :class:`Reproduction` (its experiments module builds it from the current
settings): the code that computes its headline number with ``core`` and binds it to ``headline``, and a
plot cell (Altair or a table; no Matplotlib). :func:`build` makes a Jupyter notebook of it with nbformat: it
runs top to bottom in a fresh kernel with the project's requirements, started anywhere inside the repository
(its first cell puts the repository on ``sys.path``). ``tests/test_notebooks.py`` runs every view's notebook
and checks that it prints the number the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat
import pandas as pd
import streamlit as st

FIND_REPO = """\
import sys
from pathlib import Path

# the repository root (the folder with app.py and core/): here or above
root = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "app.py").is_file() and (p / "core").is_dir())
sys.path.insert(0, str(root))"""


@dataclass(frozen=True)
class Reproduction:
    """A view's computation as code.

    title: the notebook's heading; code: imports, the settings and the ``core`` calls, ending by binding
    ``headline`` (a float) and printing it; plot: a cell that draws the main chart (Altair) or shows a table
    from the names ``code`` defined; headline: the number the page shows for the same settings, with
    headline_label saying what it is.
    """

    title: str
    code: str
    plot: str
    headline: float
    headline_label: str


def build(rep: Reproduction, url: str = "") -> bytes:
    """The notebook (nbformat v4, JSON bytes): a heading, the repository on the path, the code, the plot."""
    intro = (f"# {rep.title}\n\nThe `core` calls behind this view of the app, with the settings it had"
             + (f" ([open the view]({url}))" if url else "") + f". The last line of the code cell prints "
             f"**{rep.headline_label}**: the page showed `{rep.headline:.6g}`.\n\n"
             "Run it from anywhere inside the repository, with the packages in `requirements.txt`.")
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell(intro), nbformat.v4.new_code_cell(FIND_REPO),
                nbformat.v4.new_code_cell(rep.code.strip()), nbformat.v4.new_code_cell(rep.plot.strip())]
    return nbformat.writes(nb).encode()


def reproduce(rep: Reproduction, data: pd.DataFrame | None = None, *, key: str) -> None:
    """The "Reproduce this" expander: the code, the notebook to download, and the chart's data as CSV.

    Built only while open (``key``: the expander's session key): a code block anywhere makes the browser load
    its syntax highlighter.
    """
    box = st.expander("Reproduce this", icon=":material/code:", key=f"{key}_open", on_change="rerun")
    with box:
        if not box.open:
            return
        st.markdown(f"The `core` calls that make this view's numbers; the last line prints "
                    f"{rep.headline_label} ({rep.headline:.6g} here). Run them in a notebook from the repository "
                    "root, or download the notebook.")
        st.code(rep.code.strip(), language="python")
        try:
            url = str(st.context.url or "")
        except Exception:  # no browser context (AppTest)
            url = ""
        left, right = st.columns(2)
        left.download_button("Notebook (.ipynb)", build(rep, url), file_name=f"{key}.ipynb",
                             mime="application/x-ipynb+json", key=f"{key}_ipynb", icon=":material/download:",
                             on_click="ignore")
        if data is not None:
            right.download_button("Chart data (CSV)", data.to_csv(index=False).encode(), file_name=f"{key}.csv",
                                  mime="text/csv", key=f"{key}_csv", icon=":material/download:", on_click="ignore")
