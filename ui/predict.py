"""Committed predictions: the learner picks an answer first, then the page shows what its experiment measured.

Committing to an answer before seeing it is what makes a question teach (the testing effect: Roediger &
Karpicke 2006). So there is no default choice, the reveal is not drawn until a choice is made, and the first
choice is the one that counts: it is kept (this session only, in ``st.session_state``; nothing is stored on
the server or sent anywhere) and the home page shows the progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from ui.nav import PAGES, PageInfo, Prediction

ANSWERS = "_predictions"  # session state: {key: Answer}


@dataclass(frozen=True)
class Answer:
    """A committed prediction: the choice, and whether it matched what the page measured when it was revealed
    (None where the measurement decides no option)."""

    choice: str
    right: bool | None


def _registered(key: str) -> tuple[PageInfo, Prediction]:
    for page in PAGES:
        for p in page.predictions:
            if p.key == key:
                return page, p
    raise ValueError(f"prediction {key!r} is not listed in ui/nav.py (the home page counts the listed ones)")


def answers() -> dict[str, Answer]:
    """This session's committed predictions by key."""
    return st.session_state.setdefault(ANSWERS, {})


def _commit(key: str) -> None:
    choice = st.session_state.get(key)
    if choice is not None and key not in answers():
        answers()[key] = Answer(str(choice), None)


def predict(key: str, question: str, options: Sequence[str], *, correct: str | None, reveal: str) -> None:
    """A "predict, then look" question.

    Parameters
    ----------
    key : str
        The widget's key; starts with "predict_" and is listed in the page's ``predictions`` (ui/nav.py).
    question : str
        What to predict (Markdown).
    options : 2 to 4 answers to choose from; none is preselected.
    correct : str or None
        The option that the page's experiment, with the current settings, makes right (None: no option is).
    reveal : str
        Markdown shown once the learner has chosen: the measured number and one sentence of why.
    """
    _registered(key)
    if not key.startswith("predict_") or not 2 <= len(options) <= 4 or (correct and correct not in options):
        raise ValueError(f"{key}: a key starting with 'predict_', 2-4 options, and a correct one among them")
    with st.container(border=True):
        st.markdown(f":material/psychology_alt: **Predict, then look.** {question}")
        if answers().get(key) is None:  # once committed, the choice is shown as text: it cannot be changed
            st.pills("Your prediction", list(options), key=key, on_change=_commit, args=(key,),
                     label_visibility="collapsed")
        done = answers().get(key)
        if done is None:
            st.markdown(":small[Pick an answer to see what this page measures.]")
            return
        if done.right is None and correct is not None:  # judged once, with the settings of its first reveal
            done = answers()[key] = Answer(done.choice, done.choice == correct)
        if correct is None:
            verdict = "Here the measurement does not single out one answer."
        elif done.choice == correct:
            verdict = f"You predicted **{done.choice}**, and that is what this page measures."
        else:
            verdict = f"You predicted **{done.choice}**; this page measures **{correct}**."
        (st.success if correct and done.choice == correct else st.info)(f"{verdict} {reveal}")


def progress() -> list[tuple[PageInfo, Prediction, Answer | None]]:
    """Every listed question in path order, with this session's answer (None while unanswered)."""
    got = answers()
    return [(page, p, got.get(p.key)) for page in PAGES for p in page.predictions]
