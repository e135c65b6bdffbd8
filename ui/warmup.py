"""Compute every page's default views once per server process, before its first visitor asks for them.

Streamlit's caches are per process and shared by every session. The first script run of a new server process
starts one background thread that calls each page's ``warm()`` (``experiments/<page>.py``): the same cached
functions, with the same default settings, that a first visit to each view calls (as a desktop's and as a
phone's browser, where a chart's size differs). A visitor who reaches a page first waits for the same
computation, never a second one: ``st.cache_data`` computes one key once.

Once done, the heap is frozen out of full garbage collections (:func:`freeze_heap`). Nothing happens with
``PAGE_WARMUP=0`` in the environment (the AppTest suite; or to time a page's own first computation). The
result goes to the server's log (:data:`FINISHED`); ``scripts/bench.py`` waits for that line.
"""

from __future__ import annotations

import gc
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence

import streamlit as st

FINISHED = "page warm-up finished: {n} pages in {s:.1f} s"
FAILED = "page warm-up failed: {e!r}"
_FINISHED_RE = re.compile(r"page warm-up finished: (\d+) pages in ([\d.]+) s")


def enabled() -> bool:
    return os.environ.get("PAGE_WARMUP", "1") != "0"


def start(tasks: Sequence[Callable[[], object]]) -> None:
    """Start the warm-up once per server process (app.py calls this on every run; only the first starts it)."""
    if enabled():
        _start_once(tuple(tasks))


@st.cache_resource(show_spinner=False)
def _start_once(_tasks: tuple[Callable[[], object], ...]) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(_tasks,), name="page-warm-up", daemon=True)
    thread.start()
    return thread


def _run(tasks: tuple[Callable[[], object], ...]) -> None:
    t0 = time.perf_counter()
    try:
        for task in tasks:
            task()
    except Exception as exc:  # the warm-up is an optimisation: a failure costs speed, never the app
        print(FAILED.format(e=exc), file=sys.stderr, flush=True)
        traceback.print_exc()
        return
    print(FINISHED.format(n=len(tasks), s=time.perf_counter() - t0), file=sys.stderr, flush=True)
    freeze_heap()


def freeze_heap() -> int:
    """Collect once, then move every object alive now (modules, the warmed caches) out of the garbage
    collector's reach (``gc.freeze``); the number of objects frozen.

    Python's full collection walks every tracked object while holding the interpreter lock, and every
    session's rerun waits for it; afterwards it walks only what was made since. Frozen objects are still freed
    by reference counting (a cache entry evicted later); only a reference cycle among them would stay.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def reported(log_text: str) -> dict | None:
    """What the warm-up wrote to a server's log: ``{"pages": n, "seconds": s}`` when it finished,
    ``{"failed": line}`` when it failed, None while it has not reported."""
    if m := _FINISHED_RE.search(log_text):
        return {"pages": int(m.group(1)), "seconds": float(m.group(2))}
    failed = FAILED.split("{")[0]
    for line in log_text.splitlines():
        if failed in line:
            return {"failed": line}
    return None
