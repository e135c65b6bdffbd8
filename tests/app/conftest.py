"""AppTest harness: every test starts from app.py (never a page file).

Streamlit's caches are process-global and are not cleared between tests: every cached function is pure (its
result depends on its arguments only), so sharing changes no result, and recomputing each page's defaults in
every test module was a large part of the suite's time. A cold run is measured by scripts/bench.py.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60

# Every AppTest's first run scans all installed distributions for Streamlit component manifests (0.7 s here,
# most of a warm page run). The installed packages do not change during a test session: scan once.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def open_page(page_file: str, query: dict[str, str] | None = None) -> AppTest:
    """Run app.py, switch to ``page_file`` (a path relative to the repo root), return the AppTest.

    ``query`` seeds URL parameters before the first run, as a shared link would.
    """
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value  # bound widgets read the URL when first created: set it before
    at.run()
    if page_file != "pages/home.py":
        at.switch_page(page_file).run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def charts(at: AppTest):
    return [e for e in at.get("vega_lite_chart")]


def readouts(at: AppTest) -> dict[str, str]:
    """Every labelled number a page shows: ``st.metric`` values and the cells of ``ui.readout`` tables."""
    out = {m.label: m.value for m in at.metric}
    for md in at.markdown:
        lines = [ln.strip() for ln in md.value.splitlines()]
        for i in range(len(lines) - 2):
            header, rule, row = lines[i:i + 3]
            is_rule = rule.startswith("|") and "-" in rule and set(rule) <= set("|-: ")
            if header.startswith("|") and is_rule and row.startswith("|"):
                head, row = _cells(header), _cells(row)
                out.update({k: v.strip("*") for k, v in zip(head, row, strict=True)})
    return out


def _cells(line: str) -> list[str]:
    parts = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [p.strip().replace("\\|", "|") for p in parts]


def formulas(at: AppTest) -> list[str]:
    """The display formulas a page shows (``ui.formula`` draws them as Markdown ``$$ … $$``)."""
    return [e.value for e in at.latex] + [m.value for m in at.markdown if m.value.lstrip().startswith("$$")]
