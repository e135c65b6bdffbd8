"""Load test: N concurrent browser sessions moving sliders on different pages, against one server.

    python scripts/load.py [--sessions 8] [--seconds 60] [--think 1.0] [--browser-nice 0] [--json out.json]

Starts `streamlit run app.py`, visits it once and waits for its warm-up (ui/warmup.py), then measures one
session alone on each page (the baseline), then N sessions at once (each on a concept page, round-robin),
each pressing ArrowRight/ArrowLeft on its page's first slider and timing key press -> the server's
script_finished message, and key press -> the result painted (two animation frames after it, as bench.py
times a key press); each session's first two presses, which compute new values, are not timed.
Once the result is painted a session pauses 0.5-1.5x --think seconds (a learner looks at the result, then
moves again; the baseline pauses the same way); --think 0 presses again at once, which saturates this
machine's two cores with eight browsers rather than modelling eight learners.
Both are also timed with the page's own clocks (IN_PAGE: the keydown, the script_finished message's arrival
and two animation frames after it), which leave out the trip through Playwright's driver and this script; and
the span from the page sending its rerun request to that arrival (the server's part, with the network's).
Reports reruns completed, errors (exception elements or stalled reruns), p50/p95 latency, p95 relative to
the single session (all five measures), the server's own time per rerun alone and under load (SERVER_BOOT),
the server's peak resident memory, and the CPU that the server, the browsers and this harness used while every
session was pressing (in cores: CPU seconds per second).
Needs Chromium ($CHROMIUM or /usr/bin/chromium). Exit code 1 on any error or stall.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ui import warmup  # noqa: E402
from ui.nav import CONCEPTS  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SLIDER = "[data-testid=stMain] [data-testid=stSlider] input[type=range]"
# Each session's first two presses compute the slider's two new values (right, then back: the default is
# warm): a one-time cost the same alone and under load, which would otherwise be most of a p95 taken over a
# few dozen presses. They are made and checked for stalls, not timed.
WARM_PRESSES = 2


# Timing inside the page, as the learner's browser sees it: the key's keydown, each websocket message's arrival
# (before Streamlit's own handler, which is registered later) and two animation frames after each arrival. The
# harness's own clocks add the trip through Playwright's driver and this script's event loop, which under load
# share the machine with eight browsers; the page's clocks do not.
IN_PAGE = """(() => {
  const lat = window.__lat = {keys: [], msgs: [], paints: [], sends: []};
  document.addEventListener('keydown', () => lat.keys.push(performance.now()), true);
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => {
        const i = lat.msgs.push(performance.now()) - 1;
        requestAnimationFrame(() => requestAnimationFrame(() => { lat.paints[i] = performance.now(); }));
      });
    }
    send(data) { lat.sends.push(performance.now()); return super.send(data); }
  };
})()"""
# The page's times for a press: its keydown, and the arrival and paint of the message at index ``i`` (the
# script_finished the harness found at that index among the page's frames, which both count in order), and the
# first message the page sent after the keydown (the rerun request).
# None for the paint if it has not come within 5 s (a page whose animation frames stopped: that press is left out).
PAGE_TIMES = """async (i) => {
  const lat = window.__lat, t = performance.now(), key = lat.keys[lat.keys.length - 1];
  while (lat.paints[i] === undefined && performance.now() - t < 5000) await new Promise(r => setTimeout(r, 5));
  return [key, lat.msgs[i], lat.paints[i] ?? null, lat.sends.find(s => s >= key) ?? null];
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The server is `streamlit run app.py`, started through this bootstrap: it first wraps Streamlit's AppSession so that
# each rerun request's span on the server (the request handled -> its script_finished message queued for the
# browser) is appended to the file $LOAD_SPANS as "<wall-clock end> <ms>". The app itself is unchanged.
SERVER_BOOT = r"""
import os, sys, threading, time
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.app_session import AppSession
out, lock = open(os.environ["LOAD_SPANS"], "a", buffering=1), threading.Lock()
handle, enqueue = AppSession.handle_backmsg, AppSession._enqueue_forward_msg
def handle_backmsg(self, msg):
    if msg.WhichOneof("type") == "rerun_script":
        self._load_t0 = time.perf_counter()
    return handle(self, msg)
def enqueue_forward_msg(self, msg):
    t0 = getattr(self, "_load_t0", None)
    if t0 is not None and msg.WhichOneof("type") == "script_finished" \
            and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
        self._load_t0 = None
        with lock:
            out.write(f"{time.time():.3f} {(time.perf_counter() - t0) * 1000:.2f}\n")
    return enqueue(self, msg)
AppSession.handle_backmsg, AppSession._enqueue_forward_msg = handle_backmsg, enqueue_forward_msg
from streamlit.web.cli import main
main(prog_name="streamlit")
"""


def start_server(port: int, log: Path, spans: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER_BOOT, "run", "app.py", "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
        cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, env={**os.environ, "LOAD_SPANS": str(spans)})
    for _ in range(240):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise SystemExit("server did not start")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (so field 3 of stat, the state, is index 0)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_by_process(pids) -> dict[int, float]:
    """User + system CPU seconds used so far by each of these processes that is alive (all its threads)."""
    out = {}
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return out


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text(errors="replace").strip()
    except OSError:
        return ""


def descendants(root: int) -> set[int]:
    """Every process below ``root`` (Linux /proc, by parent pid)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and (fields := _stat(int(d.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(d.name))
    out, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def harness_and_browsers(server_pid: int) -> tuple[set[int], set[int]]:
    """This script's processes other than the server: Playwright's driver (node) and everything else, which is
    the browser it launched (its GPU, utility and renderer processes)."""
    mine = descendants(os.getpid()) - {server_pid} - descendants(server_pid)
    driver = {pid for pid in mine if _comm(pid).startswith("node")}  # "node" or "node-MainThread"
    return driver, mine - driver


def autogroup(pid: int) -> str | None:
    """The scheduler autogroup of a process ("/autogroup-<n>"), or None (autogroups off, or no such process)."""
    try:
        return Path(f"/proc/{pid}/autogroup").read_text().split()[0]
    except (OSError, IndexError):
        return None


def renice(pids, niceness: int) -> None:
    """Run these processes at ``niceness`` against the server.

    Linux's niceness is per thread, and with autogroups on (/proc/sys/kernel/sched_autogroup_enabled, the default
    on many distributions and on this machine) it only weighs a thread against threads of its own autogroup (its
    session): the scheduler first shares the CPU fairly between autogroups. Chromium starts its processes in
    sessions of their own (setsid), so the niceness of their threads alone does nothing against the server's
    autogroup. Both are set: every thread's, and the niceness of each autogroup these processes are in that
    neither this script nor the server is in (/proc/<pid>/autogroup).
    """
    ours = {autogroup(os.getpid())}
    groups = {g: pid for pid in pids if (g := autogroup(pid)) is not None and g not in ours}
    for pid in groups.values():
        try:
            Path(f"/proc/{pid}/autogroup").write_text(str(niceness))
        except OSError:
            pass
    for pid in pids:
        try:
            tids = [int(t.name) for t in Path(f"/proc/{pid}/task").iterdir()]
        except OSError:
            continue
        for tid in tids:
            try:
                os.setpriority(os.PRIO_PROCESS, tid, niceness)
            except OSError:
                pass


def rss_mb(pid: int) -> float:
    """Resident memory of the server process, in MB (Linux /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def wait_for_warmup(log: Path, timeout: float = 180) -> None:
    """The first visit starts the server's warm-up of every page's default view (ui/warmup.py): wait for it,
    so the single-session baseline is not measured while it computes."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if warmup.reported(log.read_text(errors="replace")) is not None:
            return
        await asyncio.sleep(0.5)


async def session(browser, url: str, seconds: float, out: dict, think: float = 0.0, seed: int = 0,
                  ready: list[int] | None = None) -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    finished: list[float] = []
    frames, at = [0], []   # frames received so far; the index of each script_finished among them
    arrived = asyncio.Event()

    def on_frame(payload):
        frames[0] += 1
        if isinstance(payload, (bytes, bytearray)):
            msg = ForwardMsg()
            try:
                msg.ParseFromString(bytes(payload))
            except Exception:
                return
            if msg.WhichOneof("type") == "script_finished":
                finished.append(time.perf_counter())
                at.append(frames[0] - 1)
                arrived.set()

    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    await ctx.add_init_script(IN_PAGE)
    pg = await ctx.new_page()
    pg.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    await pg.goto(url)
    await pg.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
    await pg.wait_for_selector(SLIDER, timeout=60_000)
    slider = pg.locator(SLIDER).first
    lat, painted, page_lat, page_painted, page_server, stalls, i = [], [], [], [], [], 0, 0
    pause = random.Random(seed)
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        if think and i:  # a learner looks at the result before the next move: 0.5-1.5x ``think`` seconds
            await asyncio.sleep(think * pause.uniform(0.5, 1.5))
        await slider.focus()
        k = len(finished)
        arrived.clear()
        t0 = time.perf_counter()
        await pg.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        while len(finished) <= k and time.perf_counter() - t0 < 30:
            try:
                await asyncio.wait_for(arrived.wait(), timeout=max(0.0, 30 - (time.perf_counter() - t0)))
            except TimeoutError:
                break
            arrived.clear()
        if len(finished) > k:
            # The learner sees the result once the browser has drawn it (two animation frames), and only then
            # looks at it and moves again: the pause starts there, as in bench.py's key presses.
            await pg.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            if i == WARM_PRESSES - 1:
                out["timed_from"] = time.time()   # the server spans of this session's timed presses start here
                if ready is not None:
                    ready.append(seed)
            if i >= WARM_PRESSES:
                lat.append(finished[k] - t0)
                painted.append(time.perf_counter() - t0)
                key, message, paint, sent = await pg.evaluate(PAGE_TIMES, at[k])   # not timed: after the paint
                if paint is not None:
                    page_lat.append((message - key) / 1000)
                    page_painted.append((paint - key) / 1000)
                if sent is not None:
                    page_server.append((message - sent) / 1000)
        else:
            stalls += 1
        i += 1
    exceptions = await pg.locator("[data-testid=stException]").count()
    errors = await pg.locator("[data-testid=stAlertContentError]").count()
    await ctx.close()
    out.update(until=time.time(), url=url, reruns=len(lat), stalls=stalls, exceptions=exceptions, errors=errors,
               latencies=lat, painted=painted, page_latencies=page_lat, page_painted=page_painted,
               page_server=page_server)


async def slider_view(browser, base: str, page) -> str:
    """The page's first view (its link, then each part's, ui.parts) that has a slider: the one to move."""
    ctx = await browser.new_context()
    try:
        pg = await ctx.new_page()
        for view in page.views():
            await pg.goto(base + view)
            await pg.wait_for_selector("[data-testid=stMain] h1", timeout=120_000)
            idle = 0
            while idle < 3:  # the script has stopped for three looks in a row (0.3 s apart), or a slider is there
                if await pg.locator(SLIDER).count():
                    return base + view
                running = await pg.locator("[data-testid=stApp][data-test-script-state=running]").count()
                idle = 0 if running else idle + 1
                await asyncio.sleep(0.3)
    finally:
        await ctx.close()
    raise RuntimeError(f"{page.url_path} has no slider")


async def run(args) -> dict:
    from playwright.async_api import async_playwright

    port = free_port()
    tmp = Path(tempfile.mkdtemp())
    log, spans = tmp / "server.log", tmp / "spans.txt"
    proc = start_server(port, log, spans)
    peak = [0.0]

    async def watch_memory():
        while True:
            peak[0] = max(peak[0], rss_mb(proc.pid))
            await asyncio.sleep(0.5)

    base = f"http://127.0.0.1:{port}/"
    try:
        async with async_playwright() as p:
            exe = os.environ.get("CHROMIUM", "/usr/bin/chromium")
            browser = await p.chromium.launch(executable_path=exe if Path(exe).exists() else None, args=ARGS)
            if args.browser_nice:  # renderers are forked later from the zygote and inherit its niceness
                renice(harness_and_browsers(proc.pid)[1], args.browser_nice)
            mem = asyncio.create_task(watch_memory())
            ctx = await browser.new_context()
            first = await ctx.new_page()
            await first.goto(base)  # the first visit: starts the warm-up
            await first.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
            await ctx.close()
            await wait_for_warmup(log)
            views = [await slider_view(browser, base, p) for p in CONCEPTS]
            urls = [views[i % len(views)] for i in range(args.sessions)]
            single: list[dict] = []
            for url in dict.fromkeys(urls):  # every page alone first: the baseline
                out: dict = {}
                await session(browser, url, args.baseline_seconds, out, args.think)
                single.append(out)
            outs = [{} for _ in urls]
            ready: list[int] = []  # sessions that have loaded their page and made their untimed presses
            tasks = [asyncio.create_task(session(browser, u, args.seconds, o, args.think, i, ready))
                     for i, (u, o) in enumerate(zip(urls, outs, strict=True))]
            # Where the machine's CPU goes while every session is pressing: the server, the browsers (which on
            # learners' machines would not share the server's two cores) and this harness (Playwright's driver,
            # which relays every websocket frame, and this script, which parses them).
            while len(ready) < len(urls) and not all(t.done() for t in tasks):
                await asyncio.sleep(0.1)
            driver, browsers = harness_and_browsers(proc.pid)
            if args.browser_nice:  # again: threads and processes started since the launch
                renice(browsers, args.browser_nice)
            watched = {"server": {proc.pid}, "browsers": browsers, "harness": driver}
            wall1 = time.time()
            t1, before, me1 = time.perf_counter(), {k: cpu_by_process(v) for k, v in watched.items()}, os.times()
            await asyncio.sleep(max(1.0, args.seconds - 15))
            t2, after, me2 = time.perf_counter(), {k: cpu_by_process(v) for k, v in watched.items()}, os.times()
            wall2 = time.time()
            await asyncio.gather(*tasks)
            window = t2 - t1
            # processes alive at both ends only (one that exited in between would count negative)
            cpu = {k: sum(after[k][p] - before[k][p] for p in before[k].keys() & after[k].keys()) / window
                   for k in watched}
            cpu["harness"] += (me2.user + me2.system - me1.user - me1.system) / window
            cpu.update(window_s=window, cores=os.cpu_count())
            mem.cancel()
            await browser.close()
    finally:
        proc.terminate()
    # The server's own span of each rerun: alone, the spans inside a baseline session's timed presses (one
    # session at a time); under load, those while every session was pressing (the CPU window above).
    ends = [tuple(map(float, line.split())) for line in spans.read_text().splitlines() if line.strip()]
    server = {"alone": [ms / 1000 for end, ms in ends
                        if any(o.get("timed_from", float("inf")) <= end <= o["until"] for o in single)],
              "under_load": [ms / 1000 for end, ms in ends if wall1 <= end <= wall2]}
    return {"single": single, "concurrent": outs, "peak_rss_mb": peak[0], "cpu": cpu, "server": server}


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1] if len(xs) >= 2 else (xs[0] if xs else float("nan"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--baseline-seconds", type=float, default=40,
                    help="how long each page's single session presses (the baseline: ~25 timed presses at the "
                         "default pause; over 20 s, ~13, its p95 moved by up to ±40%% from run to run)")
    ap.add_argument("--think", type=float, default=1.0,
                    help="mean pause in seconds between one result painted and the next key press (0: press "
                         "again at once, a saturation test rather than learners)")
    ap.add_argument("--browser-nice", type=int, default=0,
                    help="run the browsers at this niceness (e.g. 10; their threads and their autogroups, see "
                         "renice): they stand in for learners' own machines, and at 0 they take most of the two "
                         "cores from the server they are measuring")
    ap.add_argument("--json")
    args = ap.parse_args()
    res = asyncio.run(run(args))
    single = {o["url"]: o for o in res["single"]}
    cpu = res["cpu"]
    print(f"{args.sessions} sessions × {args.seconds:.0f} s, {args.think:g} s mean pause between presses, "
          f"browsers at niceness {args.browser_nice}; "
          f"server peak RSS {res['peak_rss_mb']:.0f} MB; CPU while all sessions pressed ({cpu['window_s']:.0f} s), "
          f"in cores: server {cpu['server']:.2f}, browsers {cpu['browsers']:.2f}, harness {cpu['harness']:.2f}, "
          f"of {cpu['cores']}\n")
    measures = [("latencies", "finished"), ("painted", "painted"), ("page_latencies", "finished, in page"),
                ("page_painted", "painted, in page"), ("page_server", "request to finished, in page")]
    print("Each measure: p95 under load (ms) / p95 alone (ms) = ratio. \"in page\": the page's own clocks (key"
          "down to the message's arrival, and two frames after it; the last: from the page sending the rerun "
          "request to that arrival, the server's part and the network's); the others: the harness's.\n")
    print("| session | page | reruns | stalls | errors | p50 (ms) | " + " | ".join(m for _, m in measures) + " |")
    print("|---|---|---|---|---|---|" + "---|" * len(measures))
    bad, worst = 0, {m: 0.0 for m, _ in measures}
    for i, o in enumerate(res["concurrent"]):
        one, cells = single[o["url"]], []
        for m, _ in measures:
            under, alone = p95(o[m]), p95(one[m])
            worst[m] = max(worst[m], under / alone)
            cells.append(f"{1000 * under:.0f} / {1000 * alone:.0f} = {under / alone:.2f}")
        bad += o["stalls"] + o["exceptions"] + o["errors"]
        print(f"| {i + 1} | {o['url'].rsplit('/', 1)[-1]} | {o['reruns']} | {o['stalls']} | "
              f"{o['exceptions'] + o['errors']} | {1000 * statistics.median(o['latencies']):.0f} | "
              + " | ".join(cells) + " |")
    alone, under = res["server"]["alone"], res["server"]["under_load"]
    if alone and under:
        print(f"\nOn the server (rerun request handled -> finished message queued; every page pooled): alone "
              f"{len(alone)} reruns, p50 {1000 * statistics.median(alone):.0f} ms, p95 {1000 * p95(alone):.0f} ms; "
              f"under load {len(under)} reruns, p50 {1000 * statistics.median(under):.0f} ms, "
              f"p95 {1000 * p95(under):.0f} ms = {p95(under) / p95(alone):.2f}x")
    print("\nworst p95 ratio (budget 3.0): " + ", ".join(f"{worst[m]:.2f} to the rerun {name}"
                                                       for m, name in measures) + f"; errors/stalls {bad}")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
