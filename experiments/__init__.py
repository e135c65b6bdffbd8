"""What each page computes, from its settings, cached (``st.cache_data``): importable without a browser session,
so the pages, the warm-up (ui/warmup.py), the tests and the notebooks' checks all call the same functions.

One module per page; each has a frozen ``Settings`` dataclass (the page's controls, with their defaults), the
cached functions the page draws from, ``reproduction(settings)`` (the view's core calls as code) and ``warm()``.
"""

from experiments import loss_surface, symmetry

PAGES = {"loss_surface": loss_surface, "symmetry": symmetry}  # by the page's url_path (ui/nav.py)
# every page's default views, computed once per server process before a first visitor asks (ui/warmup.py)
WARM = tuple(module.warm for module in PAGES.values())
