"""Benchmark every page against a bare one-slider Streamlit app measured in the same run.

usage (from the project root):
    python scripts/bench.py                      # AppTest: cold script run and warm rerun per page
    python scripts/bench.py --browser            # also real Chromium: page loads and slider latency
    python scripts/bench.py --pages home,standardization --reps 9 --json out.json   # url_paths, ui/nav.py

A page with parts (ui.parts, tabs of which only the open one runs) is measured view by view: the page's link
opens its first part, ``?<scope>.part=<label>`` each further one; the tables have one row per view.

AppTest (always): each view is opened from app.py with switch_page. "cold" is its first run after
st.cache_data/st.cache_resource are cleared, "warm" the median of --reps plain reruns. The bare app (a
slider and a 200-point Altair line chart, written to a temp dir) is measured the same way.

Browser (--browser): `streamlit run` serves app.py and the bare app on free ports, and headless Chromium
($CHROMIUM or /usr/bin/chromium) opens each page in a fresh session. Both servers and the browser first
get one untimed load (home for the app), so module imports are charged to no page; that first visit starts
the app's warm-up of every page's views (ui/warmup.py), and the pages are timed once the server's log
reports it finished, as a visitor who reads the home page first would find them. "load" runs from
navigation to the final script_finished, no stSkeleton left and every chart drawn (the count of Vega's
.marks element, an svg or a canvas, >= stVegaLiteChart count), in a new browser session (nothing cached in
the browser). Each page is loaded --loads times, each load followed by a load of the bare app in a new session
of its own, and the ratio is median over median of those pairs: one load varies by ±15% here, and the
machine's speed drifts within minutes. The first load of a page is its first visit after the warm-up.
"slider" is the median over --reps key presses (ArrowRight/ArrowLeft alternating) on the page's first slider
in the main area (in its first part that has one): key
press -> the websocket delivers a final script_finished ForwardMsg (a full run, or a fragment rerun) -> two
animation frames painted. The controls in EXTRA_CONTROLS are timed the same way ("More controls"). The presses
go back and forth between two values, so after the first two the server answers from its caches: these are
the times of a setting already visited, not of a new one. The bare app's slider, in a session kept open, is pressed
in turn with the page's, and the page's ratio uses those presses. Budgets: load <= 2x bare, slider <= 1.5x
bare. Ratios, not seconds, are the result: on a busy machine both sides slow down together.
For reference it also times the bare app's slider with `runner.postScriptGC = false`, as this app runs
(.streamlit/config.toml); the budgets are against the bare app as Streamlit ships it.

Exit code 0 unless the app crashed (an exception element in AppTest or stException in the browser).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ui import warmup  # noqa: E402
from ui.nav import CONCEPTS, HOME  # noqa: E402

BARE_APP = """\
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

v = st.slider("n", 1, 100, 10)
x = np.linspace(0, 1, 200)
st.altair_chart(alt.Chart(pd.DataFrame({"x": x, "y": np.sin(v * x)})).mark_line().encode(x="x", y="y"))
"""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHART = "[data-testid=stVegaLiteChart]"
# Streamlit 1.67 draws sliders with react-aria: the thumb is an <input type=range> (implicit role slider).
SLIDER = ("[data-testid=stMain] [data-testid=stSlider] [role=slider], "
          "[data-testid=stMain] [data-testid=stSlider] input[type=range]")
LOAD_BUDGET, SLIDER_BUDGET = 2.0, 1.5
# More controls timed the same way, by widget key (as in the URL: <scope>.<name>) and view: an issue's budget
# covers every control in view, not only the first slider. Sliders, toggles and segmented controls, all pressed
# from the keyboard as the bare app's slider is (see Session._presser); "surface" is page 1's map, clicked.
EXTRA_CONTROLS = {"loss_surface": ["surface.corr", "surface.lr", "surface.steps", "surface.opt", "surface"],
                  "symmetry": ["sym.H", "sym.steps", "sym.sigma"],
                  "init_variance?init.part=Many+layers": ["init.depth", "init.width"]}
# in .st-key-<key>: a slider's thumb or range input, a toggle, segmented options, the canvas of a chart one clicks
CONTROLS = ("[role=slider]", "input[type=range]", "input[type=checkbox]", "button[role=radio]", "canvas")


def control_selector(key: str, kinds: tuple[str, ...] = CONTROLS) -> str:
    """CSS for the control of widget ``key`` (any of ``kinds``)."""
    css_class = "st-key-" + key.replace(".", "-")   # Streamlit's class for a keyed element: "." becomes "-"
    return ", ".join(f".{css_class} {c}" for c in kinds)


def views(pages) -> list[tuple[str, object]]:
    """Every view of ``pages``: ``(name, page)``, the name being the url path, with ``?<scope>.part=`` for a page's
    further parts (ui.parts: each tab is its own view, and only the open one is run and drawn)."""
    return [(view, p) for p in pages for view in p.views()]


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def fmt(x: float | None, spec: str = ".2f") -> str:
    return "—" if x is None else format(x, spec)


# ---------------------------------------------------------------- AppTest
def apptest_one(script: str, page_file: str | None, reps: int, query: str = "") -> dict:
    """Cold run of page_file (None: the script itself) after clearing caches, then warm reruns.

    ``query`` (``<scope>.part=...``) is the view's URL query, set after the first run on home (home drops
    every parameter that is not its own, as any page does)."""
    import streamlit as st
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")  # AppTest and cache clearing outside a script run warn about a missing runtime
    at = AppTest.from_file(script, default_timeout=120)
    at.run()  # untimed: lands on home, imports done
    for key, value in urllib.parse.parse_qsl(query):
        at.query_params[key] = value
    set_log_level("error")  # (reading the config resets the level)
    st.cache_data.clear()
    st.cache_resource.clear()
    t = time.perf_counter()
    (at.switch_page(page_file) if page_file else at).run()
    cold = time.perf_counter() - t
    warm = []
    for _ in range(reps):
        t = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t)
    errors = [e.message for e in at.exception]
    return {"cold_s": cold, "warm_s": statistics.median(warm), "warm_all_s": warm, "exceptions": errors}


def apptest_bench(pages, bare_script: str, reps: int) -> dict:
    # AppTest times a view's own computation: the app's background warm-up (ui/warmup.py) would run beside it,
    # and start again after every cache clear
    os.environ["PAGE_WARMUP"] = "0"
    bare = apptest_one(bare_script, None, reps)
    rows = {view: apptest_one(str(ROOT / "app.py"), p.file, reps, view.partition("?")[2])
            for view, p in views(pages)}
    print("\n### AppTest (script time, no browser)\n")
    print("| page (view) | cold script run (s) | warm rerun (s) | warm ÷ bare |\n|---|---|---|---|")
    for name, r in [*rows.items(), ("bare one-slider app", bare)]:
        flag = " ⚠ exception" if r["exceptions"] else ""
        print(f"| {name}{flag} | {r['cold_s']:.3f} | {r['warm_s']:.3f} | "
              f"{fmt(ratio(r['warm_s'], bare['warm_s']))} |")
    return {"bare": bare, "pages": rows}


# ---------------------------------------------------------------- browser
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(script: str, cwd: Path, log: Path, *options: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
         *options],
        cwd=cwd, stdout=log.open("w"), stderr=subprocess.STDOUT,
        env={**os.environ, "PAGE_WARMUP": "1"})   # a served app warms up, as on Community Cloud
    url, deadline = f"http://127.0.0.1:{port}", time.time() + 60
    while proc.poll() is None and time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise SystemExit(f"streamlit did not start for {script}:\n{log.read_text()[-2000:]}")


class Session:
    """A fresh browser session that stamps every final script_finished ForwardMsg it receives."""

    def __init__(self, browser):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.pg = self.ctx.new_page()
        self.pg.set_default_timeout(60_000)
        self.finished: list[float] = []
        self.charts = self.drawn = 0

        def on_frame(payload):
            if not isinstance(payload, bytes | bytearray):
                return
            msg = ForwardMsg()
            try:
                msg.ParseFromString(bytes(payload))
            except Exception:
                return
            # FINISHED_SUCCESSFULLY ends a full run, FINISHED_FRAGMENT_RUN_SUCCESSFULLY a fragment rerun;
            # FINISHED_EARLY_FOR_RERUN is sent between the runs of one chain (st.rerun, a callback).
            if msg.WhichOneof("type") == "script_finished" and \
                    msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.finished.append(time.perf_counter())

        self.pg.on("websocket", lambda ws: ws.on("framereceived", on_frame))

    def wait_run(self, count: int, t0: float, timeout: float = 60) -> bool:
        """Wait for a final script_finished after the first `count`, then for two painted frames."""
        while len(self.finished) <= count and time.perf_counter() - t0 < timeout:
            self.pg.wait_for_timeout(5)
        self.pg.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        return len(self.finished) > count

    def load(self, url: str) -> float | None:
        t0 = time.perf_counter()
        self.pg.goto(url)
        if not self.wait_run(0, t0):
            return None
        state = f"""() => [!document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]')
            || document.querySelectorAll('[data-testid=stSkeleton]').length > 0,
            document.querySelectorAll('{CHART}').length, document.querySelectorAll('{CHART} .marks').length]"""
        while time.perf_counter() - t0 < 60:
            busy, self.charts, self.drawn = self.pg.evaluate(state)
            if not busy and self.drawn >= self.charts:
                break
            self.pg.wait_for_timeout(10)
        return time.perf_counter() - t0

    def slider(self, reps: int, selector: str = SLIDER, paired: Session | None = None):
        """Median seconds from key press to rerun finished and painted; None without a slider.

        With ``paired`` (another session, e.g. the bare app), its first slider is pressed after each of these
        presses and the result is ``(median here, median there)``: both medians then see the machine in the same
        state (its speed drifts by ±30% within minutes).
        """
        press = self._presser(selector)
        other = paired._presser(SLIDER) if paired is not None else (lambda i: None)
        if press is None:
            return (None, None) if paired is not None else None
        out, out_other = [], []
        for i in range(reps):
            t = press(i)
            if t is None:
                print(f"  no rerun after key press {i + 1}", file=sys.stderr)
                break
            out.append(t)
            t_other = other(i)
            if t_other is not None:
                out_other.append(t_other)
        median = statistics.median(out) if out else None
        if paired is None:
            return median
        return median, statistics.median(out_other) if out_other else None

    def _presser(self, selector: str):
        """One timed key press on the first control matching ``selector``, as a function of the press's number;
        None without one. A slider gets right/left in turn (left first at its maximum); a toggle (a checkbox)
        Space, which flips it; a segmented control (buttons) Space on its second and first option in turn. Every
        control is pressed from the keyboard, as the bare app's slider is: a locator's click would add
        Playwright's own checks before it to the page's time. A chart's canvas (page 2's map) is clicked at two
        points in turn with the raw mouse, which has no such checks."""
        found = self.pg.locator(selector)
        if found.count() == 0:
            return None
        kind = found.first.evaluate("e => e.tagName === 'BUTTON' ? 'buttons' : e.type === 'checkbox' ? 'toggle' "
                                    ": e.tagName === 'CANVAS' ? 'chart' : 'slider'")
        if kind == "chart":   # a chart one clicks on (page 2's map): two points in turn, by mouse
            found.first.scroll_into_view_if_needed()
            spots = [(0.45, 0.4), (0.6, 0.55)]   # fractions of the canvas, inside the plotting area

            def act(i: int) -> None:
                box, (fx, fy) = found.first.bounding_box(), spots[i % 2]
                self.pg.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)

            return lambda i: self.timed_action(lambda: act(i))
        if kind == "slider":
            at_max = found.first.evaluate("e => (e.value ?? e.getAttribute('aria-valuenow')) == "
                                          "(e.max || e.getAttribute('aria-valuemax'))")
            keys = ["ArrowLeft", "ArrowRight"] if at_max else ["ArrowRight", "ArrowLeft"]
            targets = [found.first, found.first]
        else:
            keys = ["Space", "Space"]
            targets = [found.nth(1), found.nth(0)] if kind == "buttons" else [found.first, found.first]

        def press(i: int) -> float | None:
            targets[i % 2].focus()
            return self.timed_action(lambda: self.pg.keyboard.press(keys[i % 2]))

        return press

    def timed_action(self, action) -> float | None:
        """Seconds from ``action()`` to the rerun it causes finished and painted; None if none came in 30 s."""
        count, t0 = len(self.finished), time.perf_counter()
        action()
        return time.perf_counter() - t0 if self.wait_run(count, t0, timeout=30) else None

    def exceptions(self) -> int:
        return self.pg.locator("[data-testid=stException]").count()


def measure(browser, url: str, reps: int, extra: list[str] | None = None, bare: Session | None = None,
            bare_url: str | None = None, loads: int = 1, slider: bool = True) -> dict:
    """``loads`` loads in new sessions (the first one then times the slider unless ``slider`` is False, and the
    ``extra`` sliders by widget key); with ``bare_url``, each load is followed by one of the bare app, for the
    ratio; with ``bare``, a session of the bare app whose slider is pressed in turn with the page's."""
    out = {"slider_s": None, "bare_slider_s": None, "exceptions": 0, "extra_s": {}, "extra_bare_s": {},
           "load_all_s": [], "bare_load_all_s": []}
    for i in range(loads):
        s = Session(browser)
        try:
            load = s.load(url)
            out["load_all_s"].append(load)
            if i == 0:
                out.update(charts=s.charts, charts_drawn=s.drawn)
                if load is not None and slider:
                    if bare is None:
                        out["slider_s"] = s.slider(reps)
                    else:
                        out["slider_s"], out["bare_slider_s"] = s.slider(reps, paired=bare)
                if load is not None:
                    for key in extra or []:
                        sel = control_selector(key)
                        if bare is None:
                            out["extra_s"][key] = s.slider(reps, sel)
                        else:
                            out["extra_s"][key], out["extra_bare_s"][key] = s.slider(reps, sel, paired=bare)
            else:
                out["charts_drawn"] = min(out["charts_drawn"], s.drawn)
            out["exceptions"] += s.exceptions()
        finally:
            s.ctx.close()
        if bare_url is not None:
            b = Session(browser)
            try:
                out["bare_load_all_s"].append(b.load(bare_url))
            finally:
                b.ctx.close()
    out["load_s"] = median_or_none(out["load_all_s"])
    out["bare_load_s"] = median_or_none(out["bare_load_all_s"])
    return out


def median_or_none(values: list[float | None]) -> float | None:
    """The median, or None if any value is missing (a load that never finished)."""
    return None if not values or any(v is None for v in values) else statistics.median(values)


def wait_for_warmup(log: Path, timeout: float = 180) -> float | None:
    """Wait until the app's server has computed every page's views (ui/warmup.py, started by the
    first visit); its own time for that, from its log, or None if it failed or did not report in ``timeout``."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        result = warmup.reported(log.read_text(errors="replace"))
        if result is not None:
            if "failed" in result:
                print(result["failed"], file=sys.stderr)
            return result.get("seconds")
        time.sleep(0.5)
    print("the app did not report its page warm-up", file=sys.stderr)
    return None


def browser_bench(pages, bare_dir: Path, reps: int, loads: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    app, app_url = serve("app.py", ROOT, bare_dir / "app.log")
    bare_srv, bare_url = serve("bare.py", bare_dir, bare_dir / "bare.log")
    # For reference only: the bare app with this app's setting (no gc.collect() after each run, see
    # .streamlit/config.toml). The budgets are against the bare app as Streamlit ships it.
    nogc_srv, nogc_url = serve("bare.py", bare_dir, bare_dir / "bare_nogc.log", "--runner.postScriptGC=false")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                        args=ARGS)
            measure(browser, bare_url, 1)  # untimed warm-up of the browser and both servers
            measure(browser, f"{app_url}/{HOME.url_path}", 1)
            warm_s = wait_for_warmup(bare_dir / "app.log")
            bare = measure(browser, bare_url, reps)
            # The machine's speed drifts during a run: the bare app's slider is pressed in turn with each page's,
            # in a bare session kept open, and each page's slider ratio uses those presses; each page load is
            # followed by a bare-app load, and the load ratio uses those.
            bare_tab = Session(browser)
            bare_tab.load(bare_url)
            rows = {}
            timed = set()  # pages whose first slider (in reading order: its first part that has one) is timed
            for view, pg in views(pages):
                rows[view] = measure(browser, f"{app_url}/{view}", reps, EXTRA_CONTROLS.get(view),
                                     bare=bare_tab, bare_url=bare_url, loads=loads, slider=pg.url_path not in timed)
                if rows[view]["slider_s"] is not None:
                    timed.add(pg.url_path)
            bare["bare_slider_s"] = bare["slider_s"]
            bare["bare_load_s"] = bare["load_s"]
            measure(browser, nogc_url, 1)  # untimed warm-up
            nogc_tab = Session(browser)
            nogc_tab.load(nogc_url)
            nogc_slider = nogc_tab.slider(reps, paired=bare_tab)
            nogc_tab.ctx.close()
            bare_tab.ctx.close()
            browser.close()
        crashed = app.poll() is not None
    finally:
        for proc in (app, bare_srv, nogc_srv):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:  # a long script run can hold up the shutdown
                proc.kill()
    print("\n### Browser (headless Chromium)\n")
    print(f"The app's server computed every page's views in {fmt(warm_s, '.1f')} s after the first visit "
          "(ui/warmup.py); the pages were timed after that.\n")
    print(f"| page (view) | load, median of {loads} (s) | bare, loaded in turn (s) | ÷ bare | slider median (ms) | "
          "bare, pressed in turn (ms) | ÷ bare | budget ok |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in [*rows.items(), ("bare one-slider app", bare)]:
        r["load_x"] = ratio(r["load_s"], r["bare_load_s"])
        r["slider_x"] = ratio(r["slider_s"], r["bare_slider_s"])
        ok = r["load_x"] is not None and r["load_x"] <= LOAD_BUDGET and not r["exceptions"] and \
            (r["slider_x"] is None or r["slider_x"] <= SLIDER_BUDGET)
        r["budget_ok"] = ok
        flag = " ⚠ exception" if r["exceptions"] else ""
        if r["charts_drawn"] < r["charts"]:
            flag += f" ⚠ {r['charts_drawn']}/{r['charts']} charts drawn"
        ms = None if r["slider_s"] is None else r["slider_s"] * 1000
        bare_ms = None if r["bare_slider_s"] is None else r["bare_slider_s"] * 1000
        print(f"| {name}{flag} | {fmt(r['load_s'])} | {fmt(r['bare_load_s'])} | {fmt(r['load_x'])} | "
              f"{fmt(ms, '.0f')} | {fmt(bare_ms, '.0f')} | {fmt(r['slider_x'])} | {'✓' if ok else '✗'} |")
    if nogc_slider[0] is not None and nogc_slider[1]:
        print(f"\nFor reference, the same bare app with `runner.postScriptGC = false` (as this app runs): slider "
              f"{nogc_slider[0] * 1000:.0f} ms against {nogc_slider[1] * 1000:.0f} ms with Streamlit's default, "
              "pressed in turn. The budgets above are against the default.")
    extra = [(name, key, t, r["extra_bare_s"].get(key, r["bare_slider_s"])) for name, r in rows.items()
             for key, t in r["extra_s"].items()]
    if extra:
        print("\nMore controls (same measurement, by widget key):\n")
        print("| page (view) | control | median (ms) | ÷ bare | ≤ 1.5× |")
        print("|---|---|---|---|---|")
        for name, key, t, bare_s in extra:
            x = ratio(t, bare_s)
            print(f"| {name} | {key} | {fmt(None if t is None else t * 1000, '.0f')} | {fmt(x)} | "
                  f"{'✓' if x is not None and x <= SLIDER_BUDGET else '✗'} |")
    if crashed:
        print(f"app server exited:\n{(bare_dir / 'app.log').read_text()[-2000:]}", file=sys.stderr)
    return {"bare": bare, "pages": rows, "server_crashed": crashed, "warmup_s": warm_s,
            "bare_nogc_slider_s": nogc_slider[0], "bare_default_slider_in_turn_s": nogc_slider[1]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=9, help="warm reruns / slider key presses per page")
    ap.add_argument("--pages", help="comma-separated url_paths (default: home and every concept page)")
    ap.add_argument("--browser", action="store_true", help="also measure in headless Chromium")
    ap.add_argument("--loads", type=int, default=3, help="browser loads per page, each paired with a bare-app load")
    ap.add_argument("--json", type=Path, help="write the raw numbers here")
    args = ap.parse_args(argv)
    pages = [HOME, *CONCEPTS]
    if args.pages:
        wanted = {w.strip() for w in args.pages.split(",")}
        pages = [p for p in pages if p.url_path in wanted]
        if unknown := wanted - {p.url_path for p in pages}:
            print(f"unknown --pages: {', '.join(sorted(unknown))}", file=sys.stderr)
    os.chdir(ROOT)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bare.py").write_text(BARE_APP)
        result = {"reps": args.reps, "apptest": apptest_bench(pages, str(Path(tmp) / "bare.py"), args.reps)}
        if args.browser:
            result["browser"] = browser_bench(pages, Path(tmp), args.reps, args.loads)
    result["elapsed_s"] = time.perf_counter() - t0
    print(f"\n{len(pages)} pages ({len(views(pages))} views), {args.reps} reps, {result['elapsed_s']:.0f} s")
    crashed = any(r["exceptions"] for r in result["apptest"]["pages"].values())
    if "browser" in result:
        b = result["browser"]
        crashed = crashed or b["server_crashed"] or any(r["exceptions"] for r in b["pages"].values())
    result["crashed"] = crashed
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
