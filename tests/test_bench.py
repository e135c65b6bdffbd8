"""scripts/bench.py: the AppTest half on one page, one repetition (the browser half is run by hand)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from ui.nav import HOME

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _table(out: str, heading: str) -> list[list[str]]:
    """The Markdown table printed under `heading`, as rows of cells (header first, separator dropped)."""
    lines = out.split(heading, 1)[1].splitlines()[1:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            if rows:
                break
            continue
        if not line.startswith("|---"):
            rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def test_apptest_bench_prints_one_row_per_page_plus_the_bare_app(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)  # main() changes to the project root; this restores the old directory after
    page = HOME.url_path  # the lightest page: this checks the table, not the app
    rc = bench.main(["--pages", page, "--reps", "1", "--json", str(tmp_path / "out.json")])

    rows = _table(capsys.readouterr().out, "### AppTest")
    assert rows[0] == ["page (view)", "cold script run (s)", "warm rerun (s)", "warm ÷ bare"]
    assert [r[0].split(" ⚠")[0] for r in rows[1:]] == [page, "bare one-slider app"]
    for r in rows[1:]:
        assert len(r) == 4 and all(float(c) >= 0 for c in r[1:])
    assert rows[-1][3] == "1.00"

    raw = json.loads((tmp_path / "out.json").read_text())
    assert set(raw["apptest"]["pages"]) == {page} and "browser" not in raw
    assert len(raw["apptest"]["pages"][page]["warm_all_s"]) == 1
    assert rc == (1 if raw["crashed"] else 0)


@pytest.mark.parametrize("body, crashes", [("st.slider('a', 0, 9, 3)", False),
                                           ("raise ValueError('boom')", True)])
def test_an_exception_in_the_script_is_reported(tmp_path, body, crashes):
    script = tmp_path / "s.py"
    script.write_text(f"import streamlit as st\n{body}\n")
    r = bench.apptest_one(str(script), None, 1)
    assert bool(r["exceptions"]) is crashes


def test_a_page_load_that_never_finished_leaves_no_median():
    assert bench.median_or_none([2.0, 3.0, 10.0]) == 3.0
    assert bench.median_or_none([2.0, None, 3.0]) is None  # not the median of the loads that did finish
    assert bench.median_or_none([]) is None


@pytest.mark.parametrize("view", sorted(bench.EXTRA_CONTROLS))
def test_every_extra_control_is_an_enabled_control_of_its_view(view):
    """A key the browser bench would not find is skipped there with no row: each must name an enabled slider,
    toggle or segmented control the view shows in its default state, or a chart one can click (a selection)."""
    from tests.app.conftest import open_page
    from ui.nav import CONCEPTS

    (file, query), = [(p.file, q) for p in CONCEPTS for v, q in zip(p.views(), p.queries(), strict=True)
                      if v == view]
    at = open_page(file, query)
    kinds = ("slider", "select_slider", "toggle", "button_group")
    shown = {w.key for w in at.main if getattr(w, "type", "") in kinds and not w.disabled}
    shown |= {w.key for w in at.main if getattr(w, "type", "") == "vega_lite_chart" and w.proto.selection_mode}
    assert set(bench.EXTRA_CONTROLS[view]) <= shown
