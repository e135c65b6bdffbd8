"""2 · Loss surface: placeholder until the page is built."""

import streamlit as st

import ui

ui.page_header("Loss surface", "Why gradient descent zigzags, and the learning-rate limit 2/λmax.")
st.info(
    "This page is being built. It will show "
    "the loss contours of a two-weight regression with the Hessian's eigenvectors, a gradient-descent path from a start you click, and the per-direction error (1 − ηλᵢ)ᵗ.",
    icon=":material/construction:",
)
