"""Entry point: `streamlit run app.py`. Builds the navigation, the shared sidebar, then runs the page."""

import streamlit as st

from ui.nav import CONCEPTS, HOME

st.set_page_config(layout="wide", initial_sidebar_state="auto")

# st.navigation comes before anything that can raise: a pages/ folder is otherwise auto-discovered.
page = st.navigation(
    {
        "": [st.Page(HOME.file, title=HOME.title, icon=HOME.icon, url_path=HOME.url_path, default=True)],
        "The path, in order": [
            st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path, help=p.summary) for p in CONCEPTS
        ],
    }
)

import ui  # noqa: E402  (after st.navigation, on purpose)
from ui import warmup  # noqa: E402

# A chart with a fixed pixel size (page 2's square map, page 5's faceted histograms) scrolls sideways in a column
# narrower than it instead of being cut. That is the fallback: a phone's browser gets them smaller (ui.on_phone),
# and in a narrow window their panel goes below them (ui.beside).
# A chart's tooltip lets the pointer through: a pointer that jumped onto it (it trails the pointer by 10 px, and a
# tooltip stays put while a chart's data are swapped) made the next click miss the chart under it.
# A formula (ui.formula_text: inline math in display style, so that it can wrap in a narrow column) is centred like
# a display block when it is a paragraph's only content; its MathML marks it (prose never starts with \displaystyle).
# In a narrow column (a phone, a laptop's side-by-side columns) a wide table scrolls inside itself instead of making
# the whole main area scroll sideways, a segmented control's options wrap instead of hiding behind a fade, and the
# home page's path cards wrap their page links' titles, and toggles their labels, instead of cutting them. A panel
# beside a fixed-size chart (ui.beside) goes below it where the row has no room for both.
st.html("<style>[data-testid='stVegaLiteChart'] { max-width: 100%; overflow-x: auto; }"
        " #vg-tooltip-element { pointer-events: none; }"
        " [data-testid='stMarkdownContainer'] p:has(> .katex:only-child > .katex-mathml > math > semantics > mrow"
        " > mstyle[displaystyle='true']:only-child) { text-align: center; }"
        " [data-testid='stMarkdownContainer'] table { display: block; max-width: 100%; overflow-x: auto; }"
        " [data-testid='stButtonGroup'] [role='radiogroup'] { flex-wrap: wrap; }"
        " [data-testid='stMain'] [data-testid='stPageLink-NavLink'] span { white-space: normal; }"
        " [data-testid='stCheckbox'] [data-testid='stMarkdownContainer'],"
        " [data-testid='stCheckbox'] [data-testid='stMarkdownContainer'] p { white-space: normal; }"
        f" [class*='st-key-beside-'] {{ min-width: min({ui.BESIDE_MIN_WIDTH}px, 100%); }}</style>")
with st.sidebar:
    ui.seed_control()
    ui.share_link()
notices = st.container()
with ui.shell():
    page.run()
ui.show_notices(notices)
# Once per server process, after the first visitor's page is drawn: every page's views (each part), in the
# background, so that the next first visit to a page finds it computed (ui/warmup.py).
warmup.start([view for p in CONCEPTS for view in p.views()])
