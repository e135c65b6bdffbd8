"""5 · BatchNorm: placeholder until the page is built."""

import streamlit as st

import ui

ui.page_header("BatchNorm", "Standardizing the hidden layers, and what γ, β and running statistics do.")
st.info(
    "This page is being built. It will show "
    "the BatchNorm transform step by step, training with BN off vs on, and train vs eval mode.",
    icon=":material/construction:",
)
