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


@pytest.mark.skipif(not Path("/proc/self/autogroup").exists(), reason="the kernel has no scheduler autogroups")
def test_renice_lowers_the_autogroup_of_another_session_not_ours(other_session):
    mine = Path("/proc/self/autogroup").read_text()
    before = Path(f"/proc/{other_session}/autogroup").read_text().split()
    assert before[0] != mine.split()[0]  # it is in another autogroup: thread niceness alone would not count
    load.renice([other_session], 7)
    group, word, nice = Path(f"/proc/{other_session}/autogroup").read_text().split()
    assert (group, word, nice) == (before[0], "nice", "7")
    assert os.getpriority(os.PRIO_PROCESS, other_session) == 7   # and every thread's own niceness
    assert Path("/proc/self/autogroup").read_text() == mine     # this script's (and the server's) unchanged


def test_autogroup_of_a_process_that_is_gone_is_none():
    assert load.autogroup(2**22 + 12345) is None
