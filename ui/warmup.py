"""Compute every view of every page once per server process, before its first visitor asks for it.

The first script run of a new server process (the first visitor's) starts one background thread. For each
page with no URL parameters, then each of its further parts (``?part=``, ui.parts), it opens a session of its
own on the server's Streamlit runtime, with a client that discards what it is sent, and runs that view once,
exactly as a new visitor's browser would ask for it; then it runs every view again as a phone's browser
(:data:`PHONE_USER_AGENT`), since some charts are drawn smaller on a phone (ui.on_phone). The pages' cached
functions then hold their default results (Streamlit's caches are per process, shared by all sessions), so a
later first visit to a page draws at once instead of training its networks (pages 4 and 5: 3–4 s of server
time). A visitor who gets to a page before the warm-up does waits for the same computation, not a second one:
``st.cache_data`` computes one key once.

Once done, it freezes the heap out of full garbage collections (:func:`freeze_heap`).

It does nothing outside ``streamlit run`` (AppTest, bare mode) or with ``PAGE_WARMUP=0`` in the environment
(e.g. to time a page's own first computation in a browser). Its result is logged ("page warm-up finished: 20
views in 9.7 s"); ``scripts/bench.py`` waits for that line, and a browser test checks that a page visited
after it causes no new cache entries.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import threading
import time
from collections.abc import Sequence

from streamlit.logger import get_logger

_LOG = get_logger(__name__)
PHONE_USER_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/131.0.0.0 Mobile Safari/537.36")
# the log lines scripts and tests read back (reported)
FINISHED = "page warm-up finished: %d views in %.1f s (each as a desktop's and as a phone's browser)"
FAILED = "page warm-up failed: %r"
FROZEN = "objects frozen after the warm-up: %d"
_FINISHED_RE = re.compile(r"page warm-up finished: (\d+) views in ([\d.]+) s")
_started = False
_lock = threading.Lock()


def enabled() -> bool:
    return os.environ.get("PAGE_WARMUP", "1") != "0"


def start(views: Sequence[str]) -> bool:
    """Start the warm-up thread once per process; True if this call started it.

    ``views`` are url paths, each optionally with a query string (``"init_variance?part=Many+layers"``, a
    page's further part: ``PageInfo.views``)."""
    global _started
    if not enabled():
        return False
    from streamlit.runtime import Runtime

    with _lock:
        if _started or not Runtime.exists() or type(Runtime.instance()) is not Runtime:  # AppTest mocks it
            return False
        _started = True
    threading.Thread(target=_run, args=(Runtime.instance(), tuple(views)), name="page-warm-up",
                     daemon=True).start()
    return True


class _Headers:
    """The ClientContext of a warm-up session: the request headers it pretends to have sent, no cookies."""

    def __init__(self, headers: tuple[tuple[str, str], ...]) -> None:
        self.headers, self.cookies, self.remote_ip = headers, {}, None


class _Discard:
    """A SessionClient that drops every message and notes when a script run has finished."""

    def __init__(self, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.finished = threading.Event()
        self.client_context = _Headers(headers) if headers else None

    def write_forward_msg(self, msg) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if msg.WhichOneof("type") == "script_finished" and \
                msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.finished.set()


def _run(runtime, views: tuple[str, ...], timeout: float = 300) -> None:
    t0 = time.perf_counter()
    try:
        loop = runtime._get_async_objs().eventloop  # the runtime's own loop: sessions live on it
        for headers in ((), (("User-Agent", PHONE_USER_AGENT),)):  # a desktop's browser, then a phone's
            for view in views:
                _run_view(runtime, loop, view, timeout, headers)
    except Exception as exc:  # the warm-up is an optimisation: a failure costs speed, never the app
        _LOG.warning(FAILED, exc)
        return
    _LOG.info(FINISHED, len(views), time.perf_counter() - t0)
    _LOG.info(FROZEN, freeze_heap())


def freeze_heap() -> int:
    """Collect once, then move every object alive now (modules, the warmed caches) out of the garbage
    collector's reach (``gc.freeze``); the number of objects frozen.

    Python's full (generation-2) collection walks every tracked object while holding the GIL: with the
    imported libraries and the warmed caches (~135,000 objects) that was 30-130 ms here, a few times a minute
    under load, and every session's rerun in progress waited for it; afterwards ~0.5 ms, as a full collection
    walks only what was made since. Frozen objects are still freed by reference counting (a cache entry evicted
    later); only a reference cycle among them that became garbage would stay."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def _run_view(runtime, loop, view: str, timeout: float, headers: tuple[tuple[str, str], ...] = ()) -> None:
    """One view in a session of its own, as a new visitor's first run: a session that had already run the
    page would keep its open tab (ui.parts) and ignore the link's ``?part=``. ``headers`` are what the
    session's ``st.context.headers`` return (none: as in AppTest)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    client = _Discard(headers)

    async def connect() -> str:
        return runtime.connect_session(client=client, user_info={})

    session_id = asyncio.run_coroutine_threadsafe(connect(), loop).result(timeout)
    try:
        url_path, _, query = view.partition("?")
        msg = BackMsg()
        msg.rerun_script.page_name = url_path
        msg.rerun_script.query_string = query
        loop.call_soon_threadsafe(runtime.handle_backmsg, session_id, msg)
        if not client.finished.wait(timeout):
            raise TimeoutError(f"view {view!r} did not finish within {timeout:.0f} s")
    finally:
        loop.call_soon_threadsafe(runtime.close_session, session_id)


def reported(log_text: str) -> dict | None:
    """What the warm-up wrote to a server's log: ``{"views": n, "seconds": s}`` when it finished,
    ``{"failed": line}`` when it failed, None while it has not reported."""
    if m := _FINISHED_RE.search(log_text):
        return {"views": int(m.group(1)), "seconds": float(m.group(2))}
    failed = FAILED.split("%")[0]
    for line in log_text.splitlines():
        if failed in line:
            return {"failed": line}
    return None
