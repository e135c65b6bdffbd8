"""AppTest harness: every test starts from app.py (never a page file).

Streamlit's caches are process-global and are not cleared between tests: every cached function is pure (its
result depends on its arguments only), so sharing changes no result and saves recomputing each page's defaults
in every test module.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pandas as pd
from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

import ui
from ui.nav import HOME

os.environ["PAGE_WARMUP"] = "0"  # AppTest runs every page itself; no background warm-up

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60

# Every AppTest's first run scans all installed distributions for Streamlit component manifests (0.7 s here,
# most of a warm page run). The installed packages do not change during a test session: scan once.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def open_page(page_file: str, query: dict[str, str] | None = None) -> AppTest:
    """Run app.py, open ``page_file`` (a path relative to the repo root) with the URL ``query``, as a link to
    that page would; return the AppTest.

    AppTest starts on the default page (home), which drops every parameter that is not its own; the query is
    set after that first run, before the page's (bound widgets read the URL when they are first created).
    """
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page_file != HOME.file:
        at.switch_page(page_file)
    if query or page_file != HOME.file:
        at.run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def charts(at: AppTest):
    return [e for e in at.get("vega_lite_chart")]


def readouts(at: AppTest) -> dict[str, str]:
    """Every labelled number a page shows: ``st.metric`` values and the cells of ``ui.readout`` tables
    (Markdown tables with one row)."""
    out = {m.label: m.value for m in at.metric}
    for md in at.markdown:
        for head, rows in markdown_tables(md.value):
            if len(rows) == 1:
                out.update({k: v.strip("*") for k, v in zip(head, rows[0], strict=True)})
    return out


def tables(at: AppTest) -> list[pd.DataFrame]:
    """Every Markdown table the page shows (``ui.table``, ``ui.readout``) as a frame of strings, in page order."""
    return [pd.DataFrame(rows, columns=head) for md in at.markdown for head, rows in markdown_tables(md.value)]


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first Markdown table with a column named ``column``."""
    return next(t for t in tables(at) if column in t.columns)


def markdown_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """The GitHub-style tables in a Markdown text: ``(header cells, body rows)``, escapes removed."""
    lines = [ln.strip() for ln in text.splitlines()]
    out, i = [], 0
    while i < len(lines) - 1:
        header, rule = lines[i], lines[i + 1]
        if header.startswith("|") and rule.startswith("|") and "-" in rule and set(rule) <= set("|-: "):
            rows, j = [], i + 2
            while j < len(lines) and lines[j].startswith("|"):
                rows.append(_cells(lines[j]))
                j += 1
            out.append((_cells(header), rows))
            i = j
        else:
            i += 1
    return out


def _cells(line: str) -> list[str]:
    parts = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [re.sub(r"\\(.)", r"\1", p.strip()).replace("\u2060", "") for p in parts]  # ui.table's word joiners


def formulas(at: AppTest) -> list[str]:
    """The display formulas a page shows (``ui.formula`` draws them as Markdown ``$\\displaystyle …$``)."""
    return [e.value for e in at.latex] + [m.value for m in at.markdown
                                          if m.value.lstrip().startswith(("$$", ui.FORMULA_PREFIX))]
