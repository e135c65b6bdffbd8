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

# Altair turns every shorthand channel ("loss:Q", alt.value(...)) into a schema object with
# SchemaBase.from_dict, which builds a fresh lookup table of all ~800 Vega-Lite classes each time by
# JSON-dumping and hashing every class schema: about a third of a warm chart-heavy rerun here. The table
# depends only on the set of wrapper classes, so it is built once per set and reused; the conversion itself
# is Altair's own. tests/app/test_perf.py checks that charts come out identical with and without this.
from altair.utils import schemapi  # noqa: E402

_converters: dict[tuple[type, ...], schemapi._FromDict] = {}


def _from_dict_cached(cls, dct, validate: bool = True):
    if validate:
        cls.validate(dct)
    classes = tuple(cls._default_wrapper_classes())
    converter = _converters.get(classes)
    if converter is None:
        converter = _converters[classes] = schemapi._FromDict(classes)
    return converter.from_dict(dct, cls)


ALTAIR_FROM_DICT = schemapi.SchemaBase.__dict__["from_dict"]   # Altair's own classmethod, for tests
schemapi.SchemaBase.from_dict = classmethod(_from_dict_cached)

# Altair's "debug mode" (on by default) also validates every schema object against the JSON schema as it is
# constructed, so one chart is validated many times over. Off here for the same reason as above.
alt.utils.schemapi.disable_debug_mode()
