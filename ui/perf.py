"""Process-wide: one BLAS thread per matrix product.

The pages run many small matrix products, often for several sessions at once on a 2-core machine (Community
Cloud gives about that). OpenBLAS's own worker threads would fight the sessions' threads for the cores.
"""

import numpy  # noqa: F401  (load OpenBLAS first, so there is a pool to limit)
from threadpoolctl import threadpool_limits

threadpool_limits(limits=1, user_api="blas")
