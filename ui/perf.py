"""Process-wide performance settings, applied once when the app first imports ``ui``.

The pages run many small matrix products, often for several sessions at once on a 2-core machine
(Community Cloud gives about that). OpenBLAS's own worker threads then fight the sessions' threads for the
cores: one BLAS thread per product was ~10x faster for a 30-layer forward/backward under load.
"""

import numpy  # noqa: F401  (load OpenBLAS first, so there is a pool to limit)
from threadpoolctl import threadpool_limits

threadpool_limits(limits=1, user_api="blas")

# Altair validates every chart against the Vega-Lite JSON schema when Streamlit converts it, inside a lock that
# all sessions share: 15-35% of a warm rerun here. The app skips that check; the test suite validates every
# drawn spec against the same schema instead (tests/app/test_robustness.py), so a malformed chart still fails.
import altair as alt  # noqa: E402

_to_dict = alt.TopLevelMixin.to_dict


def _to_dict_unvalidated(self, validate: bool = False, **kwargs):
    return _to_dict(self, validate=validate, **kwargs)


alt.TopLevelMixin.to_dict = _to_dict_unvalidated
