"""Test-wide settings."""

import os

# The tests run many small matrix products side by side with a Streamlit server and a browser on 2 cores;
# OpenBLAS's own threads only add contention there. Must be set before NumPy loads OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pytest_collection_modifyitems(items):
    """Tests marked ``long`` run first: started last, one of them would keep its worker busy a minute after the
    others have finished (the order is the same in every xdist worker, as it must be)."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)   # a stable sort: otherwise as collected
