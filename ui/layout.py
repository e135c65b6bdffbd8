"""Page scaffolding shared by every concept page: header, formulas, answers, reproduce, divergence."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from ui.shell import require_shell


def page_header(title: str, question: str, *, icon: str | None = None) -> None:
    """Title and the learner's question the page answers (first call of every page)."""
    require_shell()
    st.title(title, anchor=False, icon=icon)
    st.markdown(f"> {question}")


def formula(latex: str, caption: str | None = None) -> None:
    """A display formula with an optional one-line caption under it, as one Markdown element.

    Inside a fragment every element is drawn again on each rerun. The browser does not typeset a Markdown
    element again while its text stays the same, but it does an ``st.latex`` every time: measured here, a
    formula with its caption cost ~5 ms per rerun as ``st.latex`` + ``st.caption`` and ~2 ms as one Markdown.
    (Keep numbers that change out of it: changed Markdown is typeset again, ~6 ms per formula.)
    """
    st.markdown(formula_text(latex, caption))


def markdown(*parts: str) -> None:
    """Several pieces of Markdown (text, :func:`formula_text`, :func:`readout`, :func:`table`, :func:`note_text`)
    as one element, in order; empty pieces are left out.

    Every element costs the browser a fixed amount of work to set up and lay out, on a page load and again on
    each rerun of a fragment that holds it (~1.7 ms per element measured on a slider move here, more on a
    load); neighbours in the same column go out as one.
    """
    st.markdown("\n\n".join(part for part in parts if part))


FORMULA_PREFIX = "$\\displaystyle "
_QUAD = re.compile(r"(\\q?quad)(?![a-zA-Z])")


def formula_text(latex: str, caption: str | None = None) -> str:
    """The Markdown :func:`formula` draws: the formula in a paragraph of its own, and the caption in small
    grey text.

    The formula is inline math in display style (``$\\displaystyle latex$``), not a display block (``$$``):
    KaTeX typesets a display block as one unbreakable line, which a narrow column (a phone, a laptop's
    side-by-side columns) cut off, scrolling inside its box. Inline math may break after a top-level
    relation or operator (``=``, ``+``, ``\\odot``), so a long formula wraps onto a second line where it
    does not fit and stays one line where it does; it may also break before a ``\\quad`` (two formulas side by
    side, or a formula and its condition). app.py centres a paragraph that holds only such a formula,
    as a display block is (so prose must not start an inline formula with ``\\displaystyle``).
    """
    breakable = _QUAD.sub(r"\\allowbreak\1", " ".join(latex.split()))  # one line; no space before the closing $
    text = FORMULA_PREFIX + breakable + "$"
    return f"{text}\n\n{note_text(caption)}" if caption else text


def note_text(text: str) -> str:
    """``text`` as small grey Markdown, like ``st.caption`` inside a larger Markdown element.

    Brackets would end the ``:gray[...]`` directive early and ``$`` would open inline math: both are escaped.
    """
    escaped = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("$", "\\$")
    return f":small[:gray[{escaped}]]"


def readout(*tables: dict[str, str], note: str | None = None) -> str:
    """Labelled numbers as one-row Markdown tables (header: the labels; row: the values in bold), one per
    dict, with an optional small grey ``note`` under them (:func:`note_text`).

    The Markdown replacement for rows of ``st.metric`` in ``st.columns`` (2k + 1 elements each): inside a
    fragment the browser re-renders every element on each rerun (~1.5 ms each here). ``tests/app/conftest.py``
    reads these tables back.
    """
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|")

    blocks = ["\n".join(["| " + " | ".join(cell(k) for k in values) + " |",
                         "|" + " --- |" * len(values),
                         "| " + " | ".join(f"**{cell(v)}**" for v in values.values()) + " |"])
              for values in tables]
    return "\n\n".join(blocks + ([note_text(note)] if note else []))


MARKDOWN_SPECIALS = set("\\|$*_`~[]<>")
WORD_JOINER = "\u2060"  # invisible; forbids a line break on either side
NO_BREAK_EXPONENT = re.compile(r"(?<=\d)e[-+]")


def table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    """A small data frame as a Markdown table (for ``st.markdown``), numbers right-aligned.

    ``formats`` maps a column to a format spec (``"{:.3f}"``-style, without the braces: ``".3f"``); other cells
    are ``str(value)``. For the few-row tables a page shows on every visit: ``st.dataframe`` makes the browser
    fetch and compile ~1.2 MB of grid code on a page's first load (~0.5 s here), a Markdown table costs what
    the surrounding text does. ``tests/app/conftest.tables`` reads them back.
    """
    formats = formats or {}

    def cell(value) -> str:
        text = str(value).replace("\n", " ")
        text = "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)
        return NO_BREAK_EXPONENT.sub(lambda m: m.group(0) + WORD_JOINER, text)  # "1.7e-10" stays on one line

    def fmt(col, value) -> str:
        return format(value, formats[col]) if col in formats else str(value)

    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |",
             "|" + "|".join(" ---: " if num else " --- " for num in numeric) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(fmt(c, v)) for c, v in zip(frame.columns, row, strict=True)) + " |")
    return "\n".join(lines)


def predict_then_look(question: str, reveal: str, *, key: str) -> None:
    """A "predict, then look" question; the answer is behind an expander so the learner commits first."""
    with st.container(border=True):
        st.markdown(f":material/psychology_alt: **Predict, then look.** {question}")
        with st.expander("Show what happens", key=key):
            st.markdown(reveal)


def answer(text: str) -> None:
    """The short answer to the page's question."""
    st.success(f"**The short answer.** {text}", icon=":material/lightbulb:")


def reproduce(code: str, data: pd.DataFrame | None = None, *, file_name: str = "chart_data.csv",
              key: str = "reproduce_csv") -> None:
    """The "Reproduce this" expander: the exact ``core`` calls for the current settings, and the CSV.

    Its content is built only while it is open (key ``{key}_open``): a closed expander's code block was still
    sent and syntax-highlighted by the browser on every load and every slider move.
    """
    box = st.expander("Reproduce this", icon=":material/code:", key=f"{key}_open", on_change="rerun")
    with box:
        if not box.open:
            return
        st.caption("Run this in a notebook from the repository root: it makes the same numbers as the page.")
        st.code(code.strip(), language="python")
        if data is not None:
            st.download_button("Download the chart's data (CSV)", data.to_csv(index=False).encode(),
                               file_name=file_name, mime="text/csv", key=key,
                               icon=":material/download:", on_click="ignore")


def diverged_notice(step: int | None, why: str, *, what: str = "Training") -> None:
    """Explain a divergence in words (a warning, never an error box or a traceback)."""
    where = f" at step {step}" if step is not None else ""
    st.warning(f"**{what} diverged{where}.** {why}", icon=":material/trending_up:")


def is_phone_user_agent(user_agent: str | None) -> bool:
    """A phone's browser, by its User-Agent: "Mobi" is in every phone browser's (Android's "Mobile", iPhone's
    "Mobile/…") and in no desktop's (MDN's advice for telling them apart). Android tablets leave it out; older
    iPads' Safari has it, and gets the phone's smaller charts, which fit its screen as well."""
    return "Mobi" in (user_agent or "")


def on_phone() -> bool:
    """This session's browser is a phone's (:func:`is_phone_user_agent`); False without one (AppTest)."""
    try:
        return is_phone_user_agent(st.context.headers.get("User-Agent"))
    except Exception:  # no browser context
        return False


BESIDE_MIN_WIDTH = 300  # px: app.py gives every ``beside`` panel this minimum width (or its row's, if narrower)


def beside(width: int, *, key: str):
    """A box ``width`` px wide for a chart with a pixel size of its own, and a panel beside it (returned in that
    order) that wraps below it where the window has no room for both.

    Columns split the row by ratio, so in a narrower window (a laptop at 1024 px, with the sidebar open) a
    fixed-size chart got a column narrower than itself and scrolled inside it. Here the row is a wrapping
    flex row: the panel takes the rest of the row but never less than :data:`BESIDE_MIN_WIDTH` (app.py), and
    goes below the chart when that much is not left; on a phone both are full width, as stacked columns are.
    ``key`` names the panel (CSS class ``st-key-beside-<key>``).
    """
    row = st.container(horizontal=True, gap="large")
    return row.container(width=width), row.container(key=f"beside-{key}")


def share_link() -> None:
    """A copyable link that reproduces the current view (all URL-bound controls, seed included)."""
    try:
        base = str(st.context.url or "").split("?")[0]
    except Exception:  # no browser context (AppTest)
        base = ""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    query = urlencode(params, doseq=True)
    # Built only while open: a code block anywhere on a page made the browser load and run the syntax
    # highlighter (~0.5 s of a cold page load here); opening the popover reruns the app, so the link is fresh.
    box = st.popover("Share this view", icon=":material/share:", key="share_open", on_change="rerun")
    with box:
        if not box.open:
            return
        st.caption("Copy this link: it opens the page with exactly these settings and seed.")
        link = f"{base}?{query}" if query else base or "(this page's address)"
        st.code(link, language=None, wrap_lines=True)
