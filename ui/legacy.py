"""Temporary: the old page API, while the pages move to the new shape. Deleted once every page is converted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.layout import legend_text

note_text = legend_text


def predict_then_look(question: str, reveal: str, *, key: str) -> None:
    with st.container(border=True):
        st.markdown(f":material/psychology_alt: **Predict, then look.** {question}")
        with st.expander("Show what happens", key=key):
            st.markdown(reveal)


def reproduce_code(code: str, data: pd.DataFrame | None = None, *, file_name: str = "chart_data.csv",
                   key: str = "reproduce_csv") -> None:
    box = st.expander("Reproduce this", icon=":material/code:", key=f"{key}_open", on_change="rerun")
    with box:
        if not box.open:
            return
        st.code(code.strip(), language="python")
        if data is not None:
            st.download_button("Download the chart's data (CSV)", data.to_csv(index=False).encode(),
                               file_name=file_name, mime="text/csv", key=key, on_click="ignore")
