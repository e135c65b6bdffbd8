"""Pure-NumPy engine behind the app: every number a page shows is computed here.

Modules: ``standardize``, ``loss_surface``, ``nn``, ``batchnorm``, ``datasets``, ``symmetry``, ``signal``.
Import them directly (``from core import nn``); nothing here imports Streamlit, Altair or pandas.
"""
