"""What each page computes, from its settings, cached (``st.cache_data``): importable without a browser session,
so the pages, the warm-up (ui/warmup.py), the tests and the notebooks' checks all call the same functions.

One module per page; each has a frozen ``Settings`` dataclass (the page's controls, with their defaults), the
cached functions the page draws from, ``reproduction(settings)`` (the view's core calls as code),
``notebooks()`` (every view's, at its defaults) and ``warm()``.
"""

from experiments import batchnorm, init_variance, loss_surface, standardization, symmetry

# by the page's url_path (ui/nav.py), in the path's order
PAGES = {"loss_surface": loss_surface, "standardization": standardization, "symmetry": symmetry,
         "init_variance": init_variance, "batchnorm": batchnorm}
# every page's default views, computed once per server process before a first visitor asks (ui/warmup.py)
WARM = tuple(module.warm for module in PAGES.values())
