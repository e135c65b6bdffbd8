"""4 · Initialization variance: placeholder until the page is built."""

import streamlit as st

import ui

ui.page_header("Initialization variance", "Why Var(W) = 1/n (2/n for ReLU), measured layer by layer.")
st.info(
    "This page is being built. It will show "
    "Var(z) = n·Var(w)·E[x²] for one neuron and layer by layer through a deep network, against the measured variances.",
    icon=":material/construction:",
)
