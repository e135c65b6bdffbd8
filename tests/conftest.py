"""Test-wide settings."""

import os

# The tests run many small matrix products side by side with a Streamlit server and a browser on 2 cores;
# OpenBLAS's own threads only add contention there. Must be set before NumPy loads OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
