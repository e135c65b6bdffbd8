"""3 · Symmetry breaking: placeholder until the page is built."""

import streamlit as st

import ui

ui.page_header("Symmetry breaking", "Why zero init fails, and why tiny random weights are enough.")
st.info(
    "This page is being built. It will show "
    "hidden units' weights moving in weight space from zero, constant, identical-row and tiny random inits, and how long symmetry takes to break.",
    icon=":material/construction:",
)
