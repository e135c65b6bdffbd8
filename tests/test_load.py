"""scripts/load.py: the helper that runs the browsers at a lower priority (the load run itself is run by hand)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("load", ROOT / "scripts" / "load.py")
load = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(load)


@pytest.fixture
def other_session():
    """A process in a session of its own, as Chromium starts its processes (so in an autogroup of its own)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    yield proc.pid
    proc.kill()
    proc.wait()


def test_renice_lowers_every_thread_of_the_process_and_not_ours(other_session):
    ours = os.getpriority(os.PRIO_PROCESS, os.getpid())
    load.renice([other_session], ours + 7)
    tids = [int(t.name) for t in Path(f"/proc/{other_session}/task").iterdir()]
    assert [os.getpriority(os.PRIO_PROCESS, tid) for tid in tids] == [ours + 7] * len(tids)
    assert os.getpriority(os.PRIO_PROCESS, os.getpid()) == ours


def test_renice_lowers_the_autogroup_of_another_session_not_ours(other_session):
    # /proc/<pid>/autogroup is empty (or missing) where autogroups are off or not in effect: a process in a cgroup
    # other than the root one, as in many containers and CI machines, is scheduled by its cgroup instead.
    mine, before = load.autogroup(os.getpid()), load.autogroup(other_session)
    if mine is None or before is None:
        pytest.skip("scheduler autogroups are not in effect for these processes")
    assert before != mine  # it is in another autogroup: thread niceness alone would not count
    mine_text = Path("/proc/self/autogroup").read_text()
    load.renice([other_session], 7)
    group, word, nice = Path(f"/proc/{other_session}/autogroup").read_text().split()
    assert (group, word, nice) == (before, "nice", "7")
    assert Path("/proc/self/autogroup").read_text() == mine_text  # this script's (and the server's) unchanged


def test_autogroup_of_a_process_that_is_gone_is_none():
    assert load.autogroup(2**22 + 12345) is None
