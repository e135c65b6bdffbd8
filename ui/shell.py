"""Make sure every page runs inside app.py's shell (navigation, seed, notices), even on a deep link.

Streamlit keeps a ``pages/`` folder's legacy behaviour until the first session calls ``st.navigation``: on a
freshly started server, a link straight to ``/symmetry`` runs ``pages/symmetry.py`` alone, without app.py's
sidebar, so the seed in the link would be ignored. A page that finds itself outside the shell switches the
legacy mode off and reruns; the rerun goes through app.py and lands on the same page, because the page's
url_path equals its file stem (see ui/nav.py).
"""

from __future__ import annotations

import streamlit as st

SHELL_KEY = "_shell_ran"


def mark_shell() -> None:
    """Called by app.py on every run, before the page runs."""
    st.session_state[SHELL_KEY] = True


def require_shell() -> None:
    """Hand a page that was started outside app.py back to app.py (once), keeping the URL."""
    if st.session_state.get(SHELL_KEY):
        return
    try:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
    except (ImportError, AttributeError):  # a future Streamlit without the legacy mode: nothing to undo
        return
    st.session_state[SHELL_KEY] = True  # never loop, whatever happens next
    st.rerun()
