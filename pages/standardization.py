"""1 · Input standardization: placeholder until the page is built."""

import streamlit as st

import ui

ui.page_header("Input standardization", "Why normalize inputs, and why it allows a larger learning rate.")
st.info(
    "This page is being built. It will show "
    "the age/income data before and after scaling, the condition number and the largest stable learning rate for each scaling, a learning-rate sweep, and an analysis of your own CSV.",
    icon=":material/construction:",
)
