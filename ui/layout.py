"""Page scaffolding shared by every concept page: header, formulas, tables, answers, references, divergence."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from ui import url
from ui.nav import PAGES
from ui.shell import require_shell


def current_page():
    """The PageInfo of the page that is running (by the URL scope app.py set for this run)."""
    return next((p for p in PAGES if p.scope == url.scope()), PAGES[0])


def page_header(question: str) -> None:
    """The page's title (as in the navigation) and the learner's question it answers: every page's first call."""
    require_shell()
    p = current_page()
    st.title(p.title, anchor=False, icon=p.icon)
    with st.container(border=True):
        st.markdown(f"**The question.** {question}")


def markdown(*parts: str) -> None:
    """Several pieces of Markdown (text, :func:`formula_text`, :func:`readout`, :func:`table`, :func:`legend_text`)
    as one element, in order; empty pieces are left out. Fewer elements are less for the browser to lay out."""
    st.markdown("\n\n".join(part for part in parts if part))


FORMULA_PREFIX = "$\\displaystyle "
_QUAD = re.compile(r"(\\q?quad)(?![a-zA-Z])")


def formula_text(latex: str, legend: str | None = None) -> str:
    """A formula as Markdown: inline math in display style, in a paragraph of its own, and an optional small
    legend under it (what its symbols stand for: :func:`legend_text`).

    Not a ``$$`` block: KaTeX sets a display block as one unbreakable line, which a narrow column (a phone)
    cuts off; inline math may break after a top-level relation or operator (``=``, ``+``) and, here, before a
    ``\\quad``, so a long formula wraps where it does not fit.
    """
    breakable = _QUAD.sub(r"\\allowbreak\1", " ".join(latex.split()))  # one line; no space before the closing $
    text = FORMULA_PREFIX + breakable + "$"
    return f"{text}\n\n{legend_text(legend)}" if legend else text


def formula(latex: str, legend: str | None = None) -> None:
    """A formula, with an optional one-line legend under it, as one element (:func:`formula_text`)."""
    st.markdown(formula_text(latex, legend))


def legend_text(text: str) -> str:
    """``text`` as a small legend (chart keys, what a symbol in a formula stands for).

    Small, in the body's colour: Streamlit's grey caption text fails WCAG AA contrast. Brackets would end the
    ``:small[...]`` directive early and ``$`` would open inline math: both are escaped.
    """
    escaped = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("$", "\\$")
    return f":small[{escaped}]"


def legend(text: str) -> None:
    """A chart's legend or a figure's key, under it (:func:`legend_text`)."""
    st.markdown(legend_text(text))


def readout(*tables: dict[str, str], note: str | None = None) -> str:
    """Labelled numbers as one-row Markdown tables (header: the labels; row: the values in bold), one per
    dict, with an optional small ``note`` under them. ``tests/app/conftest.py`` reads these tables back."""
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|")

    blocks = ["\n".join(["| " + " | ".join(cell(k) for k in values) + " |",
                         "|" + " --- |" * len(values),
                         "| " + " | ".join(f"**{cell(v)}**" for v in values.values()) + " |"])
              for values in tables]
    return "\n\n".join(blocks + ([legend_text(note)] if note else []))


MARKDOWN_SPECIALS = set("\\|$*_`~[]<>")
WORD_JOINER = "\u2060"  # invisible; forbids a line break on either side
NO_BREAK_EXPONENT = re.compile(r"(?<=\d)e[-+]")


def table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    """A small data frame as a Markdown table (for ``st.markdown``), numbers right-aligned.

    ``formats`` maps a column to a format spec (``".3f"``); other cells are ``str(value)``. A Markdown table
    costs the browser what text does (``st.dataframe`` loads a grid component). ``tests/app/conftest.tables``
    reads them back.
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


def answer(text: str) -> None:
    """The short answer to the page's question."""
    st.success(f"**The short answer.** {text}", icon=":material/lightbulb:")


def references(*items: str) -> None:
    """The page's last section: the papers and book sections its claims rest on (Markdown, one per item)."""
    st.subheader("References", anchor=False)
    st.markdown("\n".join(f"- {item}" for item in items))


def more_controls():
    """An expander for the controls beyond the few a view shows at once (at most six enabled in view)."""
    return st.expander("More controls", icon=":material/tune:")


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


BESIDE_MIN_WIDTH = 300  # px: ui/style.css gives every ``beside`` panel this minimum width (or its row's)


def beside(width: int, *, key: str):
    """A box ``width`` px wide for a chart with a pixel size of its own, and a panel beside it (returned in that
    order) that wraps below it where the window has no room for both.

    Columns split a row by ratio, so in a narrow window a fixed-size chart got a column narrower than itself.
    Here the row is a wrapping flex row: the panel takes the rest of the row but never less than
    :data:`BESIDE_MIN_WIDTH`, and goes below the chart when that much is not left.
    """
    row = st.container(horizontal=True, gap="large")
    return row.container(width=width, key=f"fixed-{key}"), row.container(key=f"beside-{key}")


def share_link() -> None:
    """A copyable link that reproduces the current view (its URL-bound controls and the seed)."""
    try:
        base = str(st.context.url or "").split("?")[0]
    except Exception:  # no browser context (AppTest)
        base = ""
    query = urlencode({k: st.query_params.get_all(k) for k in st.query_params}, doseq=True)
    # built only while open: a code block makes the browser load its syntax highlighter
    box = st.popover("Share this view", icon=":material/share:", key="share_open", on_change="rerun")
    with box:
        if not box.open:
            return
        st.markdown("Copy this link: it opens the page with exactly these settings and seed.")
        st.code(f"{base}?{query}" if query else base or "(this page's address)", language=None, wrap_lines=True)
