"""Widgets bound to the URL, one namespace per page, and notices for link values that could not be used.

Every control that defines a view lives in the URL (``bind="query-params"``), so a copied link reproduces
the view. A page's controls are named ``<scope>.<name>`` (``surface.lr``, ``sym.lr``): Streamlit already drops
the parameters of other pages' bound widgets when the learner moves to another page, and keeps each page's
values for when they come back, but only as long as no two pages share a widget key — a shared key carried
one page's value into another page's control. The page's scope comes from ``ui.nav`` (app.py sets it for the
run). Old links used bare names (``?lr=0.5``); a bare name of a control on the open page is still read, once.

Streamlit validates a bound widget's URL value and silently drops one it cannot use. These wrappers add a
visible notice that names the default used instead. Two values would otherwise break a widget, so they are
handled here with public APIs only:

- an integer ``st.number_input`` bound to the URL raises ``OverflowError`` on a huge value (``?seed=1e999``,
  Streamlit 1.67): the seed, the one integer box, is synced with ``st.query_params`` by hand instead;
- a ``st.segmented_control(required=True)`` takes an empty ``?key=`` as "nothing selected" (Streamlit 1.67;
  ``required`` came with streamlit/streamlit#14414): the wrapper sets the default and reruns once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

SEED_KEY = "seed"
SEED_MAX = 2**31 - 1
SCOPE_KEY = "_url_scope"        # session state: the scope of the page that is running (app.py sets it)
OWN_KEYS = "_url_own_keys"      # session state: every URL key a page of this session has bound (tests read it)
_NOTICES = "_url_notices"
_SEED_WRITTEN = "_url_seed_written"
_FIX = "_url_fix_"
RESERVED = ("embed", "embed_options")


def scope() -> str:
    """The open page's namespace for URL keys ("" outside a page)."""
    return st.session_state.get(SCOPE_KEY, "")


def scoped(name: str) -> str:
    """The full key (URL parameter and session-state key) of the open page's control ``name``."""
    prefix = scope()
    return f"{prefix}.{name}" if prefix else name


def _same(raw: str, value: Any) -> bool:
    """Whether the widget ended up with the value the URL asked for."""
    if isinstance(value, bool):
        return raw.lower() in ("true", "false") and (raw.lower() == "true") == value
    if isinstance(value, int | float):
        try:
            asked = float(raw)
        except ValueError:
            return False
        return math.isfinite(asked) and math.isclose(asked, float(value), rel_tol=1e-9, abs_tol=1e-12)
    return raw == str(value)


def _shown(raw: str, limit: int = 40) -> str:
    """A URL value as an inline code span: shown literally (Markdown does not act inside it), truncated."""
    text = (raw if len(raw) <= limit else raw[:limit] + "…").replace("\n", " ")
    if not text:
        return "(empty)"
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def notice(label: str, raw: str, used: Any) -> None:
    """Queue a notice for this run: the link set ``label`` to ``raw``, which could not be used."""
    message = (f"The link set **{label}** to {_shown(raw)}, which is not a valid value here; "
               f"using **{used}** instead.")
    notices = st.session_state.setdefault(_NOTICES, [])
    if message not in notices:
        notices.append(message)


def show_notices(container) -> None:
    """Show, in ``container`` (app.py keeps one at the top of the page), the link notices of this run."""
    for message in st.session_state.pop(_NOTICES, []):
        container.warning(message, icon=":material/link_off:")


def _legacy(name: str, full: str, parse: Callable[[str], Any] | None, label: str, default: Any) -> None:
    """Read an old link's bare ``?name=`` into the page's control ``full`` (unless it has a value already)
    and move it to its new name in the URL."""
    if parse is None or full == name or name not in st.query_params or full in st.query_params:
        return
    raw = st.query_params.get_all(name)[-1]
    del st.query_params[name]
    if full in st.session_state:
        return
    try:
        st.session_state[full] = parse(raw)
    except (ValueError, TypeError, OverflowError):
        notice(label, raw, default)
        return
    st.query_params[full] = raw  # the widget is not bound yet in this session: the URL may still be written


def bound(widget: Callable[..., Any], label: str, *args: Any, key: str, fallback: Any,
          parse: Callable[[str], Any] | None = None, **kwargs: Any) -> Any:
    """``widget(label, *args, key=<scope>.<key>, bind="query-params", **kwargs)``, its URL value validated.

    Returns the widget's value. When the link held a value the widget could not take, a notice names the value
    used instead. ``parse`` turns an old link's bare ``?key=`` into a value (or raises ValueError), and
    ``fallback`` is named when it cannot; without ``parse``, old links to this control are not read.
    """
    full = scoped(key)
    st.session_state.setdefault(OWN_KEYS, set()).add(full)
    _legacy(key, full, parse, label, fallback)
    # Only a widget's first run in the session reads the link; afterwards the URL is what the widget wrote.
    raw = [] if full in st.session_state else st.query_params.get_all(full)
    value = widget(label, *args, key=full, bind="query-params", **kwargs)
    if raw and value is not None:  # (None: a segmented control left empty, which ``segmented`` mends)
        shown_as = kwargs.get("format_func")  # with format_func, Streamlit writes the label to the URL
        if not _same(raw[-1], value) and not (shown_as and raw[-1] == str(shown_as(value))):
            notice(label, raw[-1], value)
    return value


def _number_parser(low: float, high: float, integer: bool = False) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        v = float(raw)
        if not (math.isfinite(v) and low <= v <= high) or (integer and v != int(v)):
            raise ValueError(raw)
        return int(v) if integer else v
    return parse


def _option_parser(options: Sequence, shown_as: Callable = str) -> Callable[[str], Any]:
    labels = {str(shown_as(o)): o for o in options}

    def parse(raw: str) -> Any:
        if raw not in labels:
            raise ValueError(raw)
        return labels[raw]
    return parse


def slider(label: str, min_value, max_value, value, *, key: str, **kwargs) -> Any:
    integer = all(isinstance(v, int) for v in (min_value, max_value, value))
    return bound(st.slider, label, min_value, max_value, value, key=key, fallback=value,
                 parse=_number_parser(min_value, max_value, integer), **kwargs)


def select_slider(label: str, options, value, *, key: str, **kwargs) -> Any:
    return bound(st.select_slider, label, options, value=value, key=key, fallback=value,
                 parse=_option_parser(options, kwargs.get("format_func", str)), **kwargs)


def number(label: str, min_value: float, max_value: float, value: float, *, key: str, **kwargs) -> float:
    """A float number box (an integer one would break on a huge URL value: see the module docstring)."""
    return bound(st.number_input, label, float(min_value), float(max_value), float(value), key=key,
                 fallback=value, parse=_number_parser(min_value, max_value), **kwargs)


def select(label: str, options, *, key: str, index: int = 0, **kwargs) -> Any:
    return bound(st.selectbox, label, options, index=index, key=key, fallback=options[index],
                 parse=_option_parser(options, kwargs.get("format_func", str)), **kwargs)


def segmented(label: str, options, *, key: str, default, **kwargs) -> Any:
    """A single-choice segmented control that always has a selection (``required=True``)."""
    full, shown_as = scoped(key), kwargs.get("format_func", str)
    if st.session_state.pop(_FIX + full, False):
        st.session_state[full] = default
    empty = full not in st.session_state and st.query_params.get_all(full)[-1:] == [""]
    if empty:  # not bound yet in this session: the URL may still be written
        del st.query_params[full]
    value = bound(st.segmented_control, label, options, key=key, fallback=default, default=default, required=True,
                  parse=_option_parser(options, shown_as), **kwargs)
    if value is None and empty:  # Streamlit took ?key= as "nothing selected": set the default, rerun once
        notice(label, "", shown_as(default))
        st.session_state[_FIX + full] = True
        st.rerun()
    return default if value is None else value


def _bool(raw: str) -> bool:
    if raw.lower() not in ("true", "false"):
        raise ValueError(raw)
    return raw.lower() == "true"


def toggle(label: str, value: bool = False, *, key: str, **kwargs) -> bool:
    return bound(st.toggle, label, value, key=key, fallback=value, parse=_bool, **kwargs)


def tabs(labels: Sequence[str], *, key: str = "part"):
    """The page's parts as tabs bound to ``?<scope>.part=<label>``; an unknown label opens the first, with
    a notice. Returns Streamlit's tab containers (each has ``.open``)."""
    labels, full = list(labels), scoped(key)
    st.session_state.setdefault(OWN_KEYS, set()).add(full)
    _legacy(key, full, _option_parser(labels), "Part", labels[0])
    raw = [] if full in st.session_state else st.query_params.get_all(full)
    if raw and raw[-1] not in labels:
        notice("Part", raw[-1], labels[0])
    return st.tabs(labels, key=full, bind="query-params")


def parts(labels: Sequence[str], *sections: Callable[[], None]) -> None:
    """The page's parts as tabs: ``sections[i]`` runs inside tab i, only while that tab is open.

    One part at a time keeps a page light (a page with everything on it took twice the bare app's time to
    load in the browser), and each part still reads top to bottom.
    """
    if len(sections) != len(labels):
        raise ValueError(f"{len(labels)} part labels but {len(sections)} sections")
    for tab, section in zip(tabs(labels), sections, strict=True):
        with tab:
            if tab.open:
                section()


def seed_control() -> int:
    """The one seed that drives data, weights and mini-batches: in the sidebar on every page, and in the URL.

    Synced with ``st.query_params`` by hand (see the module docstring), so it stays in the URL on every page: a
    ``?seed=`` that is not the one this session last wrote there came from a link, and is read.
    """
    raw = st.query_params.get(SEED_KEY)
    if raw is not None and raw != st.session_state.get(_SEED_WRITTEN):
        try:
            st.session_state[SEED_KEY] = int(_number_parser(0, SEED_MAX, integer=True)(raw))
        except (ValueError, OverflowError):
            notice("Seed", raw, st.session_state.get(SEED_KEY, 0))
    seed = int(st.number_input("Seed", 0, SEED_MAX, key=SEED_KEY, step=1,
                               help="One seed drives the data, the initial weights and the mini-batches. "
                                    "The same seed (it is in the link) gives exactly the same figures."))
    st.session_state[_SEED_WRITTEN] = str(seed) if seed else None
    if not seed:
        st.query_params.pop(SEED_KEY, None)
    elif raw != str(seed):
        st.query_params[SEED_KEY] = str(seed)
    return seed


def seed() -> int:
    """The current seed (app.py draws its control before any page runs)."""
    return int(st.session_state.get(SEED_KEY, 0))


def drop_foreign_params() -> None:
    """Remove every URL parameter that is not the open page's, the seed's or Streamlit's own (embed…):
    an old link's bare name that no control read, or anything else a link carried in."""
    prefix = scope() + "."
    for name in list(st.query_params):
        if name != SEED_KEY and name not in RESERVED and not name.startswith(prefix):
            try:
                del st.query_params[name]
            except Exception:  # a parameter Streamlit protects (bound to a widget): not ours to remove
                pass

