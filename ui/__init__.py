"""Shared Streamlit pieces: URL-bound widgets with validation, page scaffolding, notices.

Pages import from here so that every page behaves the same way; no math lives here.
"""

import ui.perf  # noqa: F401  (process-wide BLAS setting)
from ui.layout import (
    FORMULA_PREFIX,
    answer,
    diverged_notice,
    formula,
    formula_text,
    is_phone_user_agent,
    markdown,
    note_text,
    on_phone,
    page_header,
    predict_then_look,
    readout,
    reproduce,
    share_link,
    table,
)
from ui.shell import require_shell, shell
from ui.url import (
    SEED_KEY,
    bound,
    checkbox,
    number,
    parts,
    seed,
    seed_control,
    segmented,
    select,
    select_slider,
    show_notices,
    slider,
    toggle,
)

__all__ = [
    "SEED_KEY",
    "answer",
    "bound",
    "checkbox",
    "diverged_notice",
    "formula",
    "FORMULA_PREFIX",
    "formula_text",
    "is_phone_user_agent",
    "markdown",
    "note_text",
    "number",
    "on_phone",
    "page_header",
    "parts",
    "predict_then_look",
    "readout",
    "reproduce",
    "require_shell",
    "seed",
    "seed_control",
    "segmented",
    "show_notices",
    "select",
    "select_slider",
    "share_link",
    "table",
    "shell",
    "slider",
    "toggle",
]
