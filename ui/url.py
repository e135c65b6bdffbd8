"""Widgets bound to the URL (``bind="query-params"``) that tell the learner when a URL value was refused.

Streamlit already does the hard part: a bound widget reads its initial value from ``?key=value`` and
silently drops a value it cannot use (wrong type, out of range, unknown option). These wrappers add the
missing piece, a visible notice: they remember the raw URL value before the widget is created and, if
Streamlit dropped or changed it, say so and name the default that is used instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from ui.nav import PART_KEY

SEED_KEY = "seed"
SEED_MAX = 2**31 - 1
_NOTICES = "_url_notices"
BOUND_KEYS = "_url_bound_keys"  # every key bound to the URL so far in this session (tests read it)


def _shown(raw: str, limit: int = 40) -> str:
    """A URL value made safe to show inside Markdown: truncated, and every markup character escaped."""
    text = raw if len(raw) <= limit else raw[:limit] + "…"
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~$&\"'" else c for c in text) or "(empty)"


def _same(raw: str, value: Any) -> bool:
    """Whether the widget ended up with the value the URL asked for."""
    if isinstance(value, bool):
        return raw.lower() in ("true", "false") and (raw.lower() == "true") == value
    if isinstance(value, (int, float)):
        try:
            asked = float(raw)
        except ValueError:
            return False
        return math.isfinite(asked) and math.isclose(asked, float(value), rel_tol=1e-9, abs_tol=1e-12)
    return raw == str(value)


def bound(widget: Callable[..., Any], label: str, *args: Any, key: str, **kwargs: Any) -> Any:
    """Create ``widget(label, *args, key=key, bind="query-params", **kwargs)`` and validate its URL value.

    Returns the widget's value. When ``?key=`` held a value the widget could not take, a notice is queued
    (app.py shows them at the top of the page after the page ran) and the default is used.

    Streamlit keeps a bound widget's value while it is not drawn: a control in a part that is not open
    (ui.parts) has its setting again when the part is opened (a browser test checks it). Only the open part's
    controls are in the URL, so a copied link reproduces what is on screen.
    """
    raw_values = st.query_params.get_all(key)
    st.session_state.setdefault(BOUND_KEYS, set()).add(key)
    if raw_values and widget in (st.number_input, st.slider) and _is_huge_number(raw_values[-1]):
        default = args[2] if len(args) > 2 else kwargs.get("value")
        _refuse(key, label, raw_values[-1], default)
        raw_values = []
    value = widget(label, *args, key=key, bind="query-params", **kwargs)
    if raw_values:
        raw = raw_values[-1]
        shown_as = kwargs.get("format_func")  # with format_func, Streamlit writes the label to the URL
        if not _same(raw, value) and not (shown_as and raw == str(shown_as(value))):
            _queue(f"The link set **{label}** to `{_shown(raw)}`, which is not a valid value here; "
                   f"using **{value}** instead.")
    return value


def parts(labels: Sequence[str], *sections: Callable[[], None]) -> None:
    """The page's parts as tabs bound to ``?part=<label>``: ``sections[i]`` runs inside tab i, only while that
    tab is open.

    A page with everything on it took about twice the bare app's time to load in the browser (content volume:
    ~100 elements, ~11 charts); one part at a time keeps a page light, and each part still reads top to bottom.
    An unknown ``?part=`` is refused with a notice and the first part opens.
    """
    labels = list(labels)
    if len(sections) != len(labels):
        raise ValueError(f"{len(labels)} part labels but {len(sections)} sections")
    raw = st.query_params.get_all(PART_KEY)
    st.session_state.setdefault(BOUND_KEYS, set()).add(PART_KEY)
    if raw and raw[-1] not in labels:
        _refuse(PART_KEY, "Part", raw[-1], labels[0])
    for tab, section in zip(st.tabs(labels, key=PART_KEY, bind="query-params"), sections, strict=True):
        with tab:
            if tab.open:
                section()


def _refuse(key: str, label: str, raw: str, default: Any) -> None:
    """Keep a URL value away from its widget (which would misread or crash on it) and say so."""
    try:  # Streamlit seeds widgets from the URL as first loaded; no public API can withdraw a value
        from streamlit.runtime.state.session_state_proxy import get_session_state

        with get_session_state().query_params() as qp:
            qp._initial_query_params.pop(key, None)
            qp._query_params.pop(key, None)
    except Exception:  # internals moved: the widget's own validation is the fallback
        return
    _queue(f"The link set **{label}** to `{_shown(raw)}`, which is not a valid value here; using **{default}** "
           "instead.")


def _is_huge_number(raw: str) -> bool:
    """A numeric string Streamlit's number widgets would overflow on (e.g. 400 nines)."""
    try:
        return not abs(float(raw)) < 1e300
    except ValueError:
        return False


def _queue(message: str) -> None:
    notices = st.session_state.setdefault(_NOTICES, [])
    if message not in notices:
        notices.append(message)


def show_notices(container) -> None:
    """Show, in ``container`` (app.py keeps one at the top of the page), every URL notice of this run."""
    for message in st.session_state.pop(_NOTICES, []):
        container.warning(message, icon=":material/link_off:")


def slider(label: str, min_value, max_value, value, *, key: str, **kwargs) -> Any:
    return bound(st.slider, label, min_value, max_value, value, key=key, **kwargs)


def select_slider(label: str, options, value, *, key: str, **kwargs) -> Any:
    return bound(st.select_slider, label, options, value=value, key=key, **kwargs)


def number(label: str, min_value, max_value, value, *, key: str, **kwargs) -> Any:
    return bound(st.number_input, label, min_value, max_value, value, key=key, **kwargs)


def select(label: str, options, *, key: str, index: int = 0, **kwargs) -> Any:
    return bound(st.selectbox, label, options, index=index, key=key, **kwargs)


def segmented(label: str, options, *, key: str, default, **kwargs) -> Any:
    """A single-choice segmented control that always has a selection (``required=True``).

    Streamlit takes an empty ``?key=`` as "nothing selected" even when a selection is required, so a URL
    value that is not one of the option labels is refused before the widget reads it.
    """
    shown_as = kwargs.get("format_func", str)
    raw = st.query_params.get_all(key)
    if raw and raw[-1] not in [str(shown_as(o)) for o in options]:
        _refuse(key, label, raw[-1], shown_as(default))
    value = bound(st.segmented_control, label, options, default=default, required=True, key=key, **kwargs)
    return default if value is None else value


def toggle(label: str, value: bool = False, *, key: str, **kwargs) -> bool:
    return bound(st.toggle, label, value, key=key, **kwargs)


def checkbox(label: str, value: bool = False, *, key: str, **kwargs) -> bool:
    return bound(st.checkbox, label, value, key=key, **kwargs)


def seed_control() -> int:
    """The one seed that drives data, weights and mini-batches; lives in the sidebar and the URL."""
    return int(number("Seed", 0, SEED_MAX, 0, key=SEED_KEY, step=1,
                      help="One seed drives the data, the initial weights and the mini-batches. "
                           "The same seed (it is in the link) gives exactly the same figures."))


def seed() -> int:
    """The current seed (the sidebar control is created by app.py before any page runs)."""
    return int(st.session_state.get(SEED_KEY, 0))
