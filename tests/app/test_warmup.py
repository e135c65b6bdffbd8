"""ui.warmup starts only under `streamlit run` (the browser test checks what it does there)."""

import gc

from streamlit.runtime import Runtime

from tests.app.conftest import assert_clean, open_page
from ui import warmup
from ui.nav import CONCEPTS


def test_app_py_under_apptest_does_not_start_a_warm_up():
    at = open_page(CONCEPTS[0].file)  # AppTest's runtime is a stand-in: there is no server to warm
    assert_clean(at)
    assert warmup._started is False


def test_without_a_runtime_or_when_switched_off_nothing_starts(monkeypatch):
    assert not Runtime.exists()
    assert warmup.start([p.url_path for p in CONCEPTS]) is False
    monkeypatch.setenv("PAGE_WARMUP", "0")
    assert not warmup.enabled()
    assert warmup.start([p.url_path for p in CONCEPTS]) is False
    assert warmup._started is False


def test_its_log_lines_read_back():
    assert warmup.reported("starting\n") is None
    done = "2026-11-23 18:00:00.000 " + warmup.FINISHED % (5, 11.84) + "\n"
    assert warmup.reported("starting\n" + done) == {"views": 5, "seconds": 11.8}
    failed = warmup.FAILED % (TimeoutError("page 'x' did not finish"),)
    assert warmup.reported(failed + "\n") == {"failed": failed}


def test_freezing_the_heap_takes_every_live_object_out_of_full_collections():
    try:
        kept = [[i] for i in range(1000)]        # tracked containers, alive now
        n = warmup.freeze_heap()
        assert n == gc.get_freeze_count() >= len(kept)
        in_full_collections = {id(o) for o in gc.get_objects(generation=2)}
        assert not any(id(k) in in_full_collections for k in kept)
        fresh = [[i] for i in range(10)]
        assert gc.get_freeze_count() == n and all(gc.is_tracked(f) for f in fresh)
    finally:
        gc.unfreeze()   # the rest of the suite runs with its usual collector
