"""Shared Streamlit pieces: URL-bound widgets, page scaffolding, predictions, notebooks. No math lives here."""

import ui.perf  # noqa: F401  (process-wide BLAS setting)
from ui.layout import (
    BESIDE_MIN_WIDTH,
    FORMULA_PREFIX,
    answer,
    beside,
    current_page,
    diverged_notice,
    formula,
    formula_text,
    is_phone_user_agent,
    legend,
    legend_text,
    markdown,
    more_controls,
    on_phone,
    page_header,
    readout,
    references,
    share_link,
    table,
)
from ui.legacy import note_text, predict_then_look, reproduce_code
from ui.notebook import Reproduction
from ui.notebook import reproduce as _reproduce
from ui.predict import predict
from ui.shell import require_shell, shell
from ui.url import (
    SEED_KEY,
    number,
    parts,
    scoped,
    seed,
    seed_control,
    segmented,
    select,
    select_slider,
    show_notices,
    slider,
    tabs,
    toggle,
)


def reproduce(rep, data=None, **kwargs):
    """The "Reproduce this" expander (ui.notebook.reproduce); a code string is the old pages' form."""
    if isinstance(rep, str):
        return reproduce_code(rep, data, **kwargs)
    return _reproduce(rep, data, **kwargs)


__all__ = [
    "note_text",
    "predict_then_look",
    "BESIDE_MIN_WIDTH",
    "FORMULA_PREFIX",
    "SEED_KEY",
    "Reproduction",
    "answer",
    "beside",
    "current_page",
    "diverged_notice",
    "formula",
    "formula_text",
    "is_phone_user_agent",
    "legend",
    "legend_text",
    "markdown",
    "more_controls",
    "number",
    "on_phone",
    "page_header",
    "parts",
    "predict",
    "readout",
    "references",
    "reproduce",
    "require_shell",
    "scoped",
    "seed",
    "seed_control",
    "segmented",
    "select",
    "select_slider",
    "share_link",
    "shell",
    "show_notices",
    "slider",
    "table",
    "tabs",
    "toggle",
]
