"""Entry point: `streamlit run app.py`. Builds the navigation and the shared sidebar, then runs the page."""

from pathlib import Path

import streamlit as st

from ui.nav import CONCEPTS, HOME

st.set_page_config(layout="wide", initial_sidebar_state="auto")

# st.navigation comes before anything that can raise: a pages/ folder is otherwise auto-discovered.
pages = {p: st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path, default=p is HOME,
                    help=p.summary) for p in (HOME, *CONCEPTS)}
page = st.navigation({"": [pages[HOME]], "The path, in order": [pages[p] for p in CONCEPTS]})
info = next(p for p, sp in pages.items() if sp == page)

import experiments  # noqa: E402  (after st.navigation, on purpose)
import ui  # noqa: E402
from ui import url, warmup  # noqa: E402

st.html(Path(__file__).with_name("ui").joinpath("style.css").read_text().join(("<style>", "</style>")))
with st.sidebar:
    ui.seed_control()
    ui.share_link()
notices = st.container()
with ui.shell(info.scope), st.container(key="page"):
    page.run()
url.drop_foreign_params()
ui.show_notices(notices)
# Once per server process: every page's default views, computed in the background (ui/warmup.py).
warmup.start(experiments.WARM)
