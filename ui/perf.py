"""Process-wide performance settings, applied once when the app first imports ``ui``.

The pages run many small matrix products, often for several sessions at once on a 2-core machine
(Community Cloud gives about that). OpenBLAS's own worker threads then fight the sessions' threads for the
cores: one BLAS thread per product was ~10x faster for a 30-layer forward/backward under load.
"""

import numpy  # noqa: F401  (load OpenBLAS first, so there is a pool to limit)
from threadpoolctl import threadpool_limits

threadpool_limits(limits=1, user_api="blas")
