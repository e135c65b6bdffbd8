"""Home: what the app is for, the learning path, and the learners' questions linked to their pages."""

import streamlit as st

from ui.nav import CONCEPTS, QUESTIONS, by_url_path
from ui.shell import require_shell

require_shell()
st.title("Why deep networks need normalized inputs, careful initialization and BatchNorm", anchor=False)
st.markdown(
    "Five small experiments, each answering a question learners actually ask. Every page shows "
    "**the question → an experiment you can change → the math, next to the number it predicts → "
    "a *predict, then look* → the short answer**. All numbers come from a small NumPy library (`core/`) "
    "that you can also import in a notebook; one seed in the sidebar drives every run, and the link "
    "in *Share this view* reproduces exactly what you see."
)

st.subheader("The learning path", anchor=False)
cols = st.columns(len(CONCEPTS))
for col, p in zip(cols, CONCEPTS, strict=True):
    with col.container(border=True, height="stretch"):
        st.page_link(p.file, label=p.title, icon=p.icon)
        st.caption(p.summary + (f" In {len(p.parts)} parts: {' · '.join(p.parts)}." if p.parts else ""))

st.subheader("Questions, and where they are answered", anchor=False)
for question, paths in QUESTIONS:
    with st.container(border=True):
        q, links = st.columns([3, 2], vertical_alignment="center")
        q.markdown(question)
        for where in paths:
            path, _, part = where.partition("?part=")
            p = by_url_path(path)
            links.page_link(p.file, label=f"{p.title} · {part}" if part else p.title, icon=p.icon,
                            query_params={"part": part} if part else None)

st.caption(
    "Inspired by the lectures of Andrew Ng's Deep Learning Specialization and Sebastian Raschka's STAT453; "
    "references on each page: LeCun et al. 1998, Glorot & Bengio 2010, He et al. 2015, Ioffe & Szegedy 2015."
)
