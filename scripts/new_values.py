"""Latency of a control moved to values the server has not computed yet, against the bare one-slider app.

usage (from the project root):
    python scripts/new_values.py                 # every control listed in CONTROLS, 8 presses each
    python scripts/new_values.py --presses 5

scripts/bench.py presses each control back and forth between two values, so after its first two presses the
server answers from st.cache_data: the time of a setting already visited. A learner exploring goes to new
values. Here each press goes one step further in one direction (a slider from its default towards the far
end; page 2's map is clicked at points along a diagonal), so every press makes the server compute a new
setting. Servers, browser and timing are the bench's (`scripts/bench.py`: Session, serve, the app's warm-up
first); each press is followed by a press of the bare app's slider in a session kept open, and the ratio is
median over median, as in the bench. The budget is the bench's: 1.5x the bare app.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (scripts/bench.py)

# (view, widget key, key to press): each press moves the control one step to a value not visited before
CONTROLS = [
    ("standardization?part=Four+scalings", "eta", "ArrowRight"),   # 4 values to its end
    ("loss_surface", "scale", "ArrowRight"),
    ("loss_surface", "corr", "ArrowLeft"),
    ("symmetry", "H", "ArrowLeft"),
    ("symmetry", "c", "ArrowLeft"),
    ("init_variance", "n", "ArrowLeft"),
    ("batchnorm", "m", "ArrowLeft"),
]
MAP = "loss_surface"   # its map is clicked, each click a new start


def timed(session: bench.Session, bare_press, n: int, ready, what: str) -> tuple[list[float], list[float]]:
    """``n`` times: ``ready(i)`` prepares an action (untimed) and returns it; the action is fired, the rerun
    awaited until finished and painted, then the bare app's slider is pressed. The two lists of seconds; stops
    early if an action brings no rerun."""
    page, bare = [], []
    for i in range(n):
        t = session.timed_action(ready(i))
        if t is None:
            print(f"  {what}: no rerun after action {i + 1} (the end of its range?)", file=sys.stderr)
            break
        page.append(t)
        bare.append(bare_press(i))
    return page, bare


def presses(session: bench.Session, bare_press, key: str, name: str, n: int) -> tuple[list[float], list[float]]:
    thumb = session.pg.locator(bench.control_selector(key, bench.CONTROLS[:2])).first

    def ready(i: int):
        thumb.focus()
        return lambda: session.pg.keyboard.press(name)

    return timed(session, bare_press, n, ready, key)


def clicks(session: bench.Session, bare_press, n: int) -> tuple[list[float], list[float]]:
    canvas = session.pg.locator(".st-key-surface canvas").first
    canvas.scroll_into_view_if_needed()
    session.pg.wait_for_timeout(500)

    def ready(i: int):
        f = 0.2 + 0.6 * i / max(n - 1, 1)   # along the diagonal: a new start every click
        box = canvas.bounding_box()
        return lambda: session.pg.mouse.click(box["x"] + box["width"] * f, box["y"] + box["height"] * (1 - f))

    return timed(session, bare_press, n, ready, "map")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presses", type=int, default=8, help="new values per control")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    os.chdir(bench.ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "bare.py").write_text(bench.BARE_APP)
        app, app_url = bench.serve("app.py", bench.ROOT, tmp / "app.log")
        bare_srv, bare_url = bench.serve("bare.py", tmp, tmp / "bare.log")
        rows = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                            args=bench.ARGS)
                bench.measure(browser, bare_url, 1)
                bench.measure(browser, f"{app_url}/{bench.HOME.url_path}", 1)
                bench.wait_for_warmup(tmp / "app.log")
                bare = bench.Session(browser)
                bare.load(bare_url)
                bare_press = bare._presser(bench.SLIDER)
                jobs = [(view, key, name) for view, key, name in CONTROLS] + [(MAP, "map", None)]
                for view, key, name in jobs:
                    s = bench.Session(browser)
                    try:
                        s.load(f"{app_url}/{view}")
                        page, other = (clicks(s, bare_press, args.presses) if name is None
                                       else presses(s, bare_press, key, name, args.presses))
                    finally:
                        s.ctx.close()
                    rows.append((view, key, page, other))
                browser.close()
        finally:
            for proc in (app, bare_srv):
                proc.terminate()
                proc.wait(10)
    print("| page | control | new values | median (ms) | bare, in turn (ms) | ÷ bare | ≤ 1.5× |")
    print("|---|---|---|---|---|---|---|")
    for view, key, page, other in rows:
        if not page:
            print(f"| {view} | {key} | 0 | — | — | — | ✗ |")
            continue
        a, b = statistics.median(page) * 1000, statistics.median(other) * 1000
        print(f"| {view} | {key} | {len(page)} | {a:.0f} | {b:.0f} | {a / b:.2f} | {'✓' if a / b <= 1.5 else '✗'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
