"""Home: what the app is for, the learning path, the learners' questions linked to their pages, and progress."""

import streamlit as st

from ui.nav import CONCEPTS, QUESTIONS, link
from ui.predict import progress
from ui.shell import require_shell


def page_link(page, part: str = "", label: str | None = None) -> None:
    """A link to a page, or straight to one of its parts."""
    st.page_link(page.file, label=label or (f"{page.title} · {part}" if part else page.title), icon=page.icon,
                 query_params={page.part_key: part} if part else None)


require_shell()
st.title("Why deep networks need normalized inputs, careful initialization and BatchNorm", anchor=False)
st.markdown(
    "Five small experiments, each answering a question learners actually ask. Every page shows "
    "**the question → an experiment you can change → the math, next to the number it predicts → "
    "a prediction you commit to before you look → the short answer → its references**. All numbers come from a "
    "small NumPy library (`core/`) that you can also import in a notebook; one seed in the sidebar drives every "
    "run, and the link in *Share this view* reproduces exactly what you see."
)

st.subheader("The learning path", anchor=False)
for p in CONCEPTS:   # one row each, in reading order: the same on a phone, a laptop and a wide screen
    with st.container(border=True):
        page_link(p)
        st.markdown(p.summary + (f" In {len(p.parts)} parts: {' · '.join(p.parts)}." if p.parts else ""))

st.subheader("Your predictions", anchor=False)
rows = progress()
answered = [(page, q, a) for page, q, a in rows if a is not None]
judged = [a for _, _, a in answered if a.right is not None]
if not rows:
    st.markdown("The pages' questions will be listed here.")
elif not answered:
    st.markdown(f"Each page asks you to predict what its experiment will show before it shows you. None of the "
                f"{len(rows)} questions is answered yet in this session; start with the first one below.")
else:
    st.markdown(f"You have answered **{len(answered)} of {len(rows)}** questions in this session, and "
                f"**{sum(a.right for a in judged)} of {len(judged)}** of your predictions matched what the page "
                "measured. Your answers stay in this browser tab only: nothing is stored or sent.")
open_questions = [(page, q) for page, q, a in rows if a is None]
for page, q in open_questions[:6]:
    page_link(page, q.part, f"{page.title}: {q.short}")
if len(open_questions) > 6:
    st.markdown(f"… and {len(open_questions) - 6} more on the pages.")

st.subheader("Questions, and where they are answered", anchor=False)
for question, wheres in QUESTIONS:
    with st.container(border=True):
        q, links = st.columns([3, 2], vertical_alignment="center")
        q.markdown(question)
        with links:
            for where in wheres:
                page_link(*link(where))

st.markdown(
    "Inspired by the lectures of Andrew Ng's Deep Learning Specialization and Sebastian Raschka's STAT453. Each "
    "page ends with the papers its claims rest on: LeCun et al. 1998, Glorot & Bengio 2010, He et al. 2015, "
    "Ioffe & Szegedy 2015 and others."
)
