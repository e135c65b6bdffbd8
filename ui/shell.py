"""Make sure every page runs inside app.py's shell (navigation, seed, notices), even on a deep link.

Streamlit keeps a ``pages/`` folder's legacy behaviour until ``st.navigation`` is called, and runs a page
file on its own in that mode: on a freshly started server a link straight to ``/symmetry`` would skip
app.py's sidebar (the seed in the link would be ignored), and AppTest, which resets that mode before every
run, would skip app.py on every page but the first. A page that finds itself outside the shell switches
the legacy mode off and reruns once; the rerun goes through app.py and lands on the same page, because the
page's url_path equals its file stem (see ui/nav.py), which gives it the same identity in both modes.

This is the one place the app reaches into Streamlit (``PagesManager.uses_pages_directory``): there is no
public switch for it. Upstream: deep links on a first load, streamlit/streamlit#9624 and #8860 (both about the
first visit to a page of an ``st.navigation`` app). Reproduced on Streamlit 1.67 with a 3-file app; if a later
release runs app.py for every deep link, this module can go.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ui import url

SHELL_KEY = "_shell_running"
RETRY_KEY = "_shell_retried"


@contextmanager
def shell(scope: str) -> Iterator[None]:
    """app.py wraps ``page.run()`` in this: inside it, pages know they run within the shell, and ``scope``
    (the page's URL namespace, ui/url.py) is the open page's."""
    st.session_state[SHELL_KEY] = True
    st.session_state[url.SCOPE_KEY] = scope
    st.session_state.pop(RETRY_KEY, None)
    try:
        yield
    finally:
        st.session_state[SHELL_KEY] = False


def require_shell() -> None:
    """Hand a page that was started outside app.py back to app.py (at most once in a row)."""
    if st.session_state.get(SHELL_KEY) or st.session_state.get(RETRY_KEY):
        return
    try:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
    except (ImportError, AttributeError):  # a future Streamlit without the legacy mode: nothing to undo
        return
    st.session_state[RETRY_KEY] = True  # never loop, whatever happens next
    st.rerun()
