"""ui.warmup: one background thread per server process calls every page's ``warm()``; the browser suite checks
what it does under ``streamlit run`` (tests/e2e/test_every_page.py)."""

import gc
import threading

import experiments
from tests.app.conftest import assert_clean, open_page
from ui import warmup
from ui.nav import CONCEPTS


def test_every_page_has_an_experiments_module_with_warm_and_notebooks():
    assert set(experiments.PAGES) == {p.url_path for p in CONCEPTS}
    for module in experiments.PAGES.values():
        assert callable(module.warm) and callable(module.notebooks)
    assert experiments.WARM == tuple(m.warm for m in experiments.PAGES.values())


def test_under_apptest_with_the_switch_off_nothing_starts(monkeypatch):
    monkeypatch.setenv("PAGE_WARMUP", "0")
    assert not warmup.enabled()
    ran = []
    warmup.start([lambda: ran.append(1)])
    assert_clean(open_page(CONCEPTS[0].file))
    assert ran == [] and not any(t.name == "page-warm-up" for t in threading.enumerate())


def test_the_thread_calls_every_task_in_order_then_logs_and_freezes_the_heap(capsys):
    ran = []
    try:
        warmup._run((lambda: ran.append("a"), lambda: ran.append("b")))
        assert ran == ["a", "b"]
        log = capsys.readouterr().err
        assert warmup.reported(log)["pages"] == 2 and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_failing_task_is_logged_and_the_rest_of_the_app_is_untouched(capsys):
    def boom():
        raise RuntimeError("no memory")

    warmup._run((boom,))
    log = capsys.readouterr().err
    assert warmup.reported(log)["failed"].startswith("page warm-up failed: RuntimeError('no memory')")


def test_its_log_lines_read_back():
    assert warmup.reported("starting\n") is None
    done = "2026-11-23 18:00:00.000 " + warmup.FINISHED.format(n=5, s=11.84) + "\n"
    assert warmup.reported("starting\n" + done) == {"pages": 5, "seconds": 11.8}


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
