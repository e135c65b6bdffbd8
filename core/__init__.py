"""Pure-NumPy engine behind the app: every number a page shows is computed here.

Modules, one per page: ``standardize``, ``loss_surface``, ``symmetry``, ``init_variance``, ``bn_experiments``;
shared: ``nn`` (the network engine), ``batchnorm``, ``datasets`` and ``numerics``.
Import them directly (``from core import nn``); nothing here imports Streamlit, Altair or pandas.
"""
