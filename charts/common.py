"""House chart style shared by every page: colours that read on light and dark themes, and small helpers.

Charts use Streamlit's theme (no hard-coded black or white), container width, and carry meaning in
labels, dashes or shapes as well as colour.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

# Mid-luminance colours: legible on Streamlit's light and dark backgrounds alike.
GOOD = "#3d8fd6"      # standardized, BN on, He init, "the fix"
BAD = "#e8622c"       # raw, BN off, the problem case
THEORY = "#8c8c8c"    # predicted lines (always dashed as well)
ACCENT = "#2ca02c"
CATEGORICAL = ["#3d8fd6", "#e8622c", "#2ca02c", "#b45dc2", "#d4a20a", "#17a3a3", "#e0577a", "#7f7f7f"]
DASH_THEORY = [6, 4]

# Data goes to the browser as Arrow (see ``spec``), so Altair's 5,000-row guard for inline JSON does not apply;
# and Altair's default theme (300 x 300 px views) is off, as Streamlit turns it off for st.altair_chart.
alt.data_transformers.disable_max_rows()
alt.theme.enable("none")

# Values beyond these are drawn pinned to the edge and labelled "overflow"/"underflow" instead of vanishing.
LOG_FLOOR, LOG_CEIL = 1e-30, 1e30


CANVAS = {"embedOptions": {"renderer": "canvas"}}


def spec(chart: alt.TopLevelMixin, svg: bool = False, named: dict[str, pd.DataFrame] | None = None) -> dict:
    """A chart as a Vega-Lite dict whose named datasets are Arrow tables: what ``show`` draws.

    Each DataFrame becomes a dataset named by its content and is handed over as Arrow, as Streamlit's own
    Altair path does (Altair's JSON records would cost more). Specs are built inside the experiments' cached
    functions, or once as templates (:func:`fill`), never on every rerun: composing a layered Altair chart is
    the slow part. Charts are drawn on a canvas, which redraws faster than SVG (where every mark is a DOM
    node). ``named`` adds datasets under fixed names, for specs that read them in expressions.
    """
    tables: dict[str, pa.Table] = {name: _arrow(df) for name, df in (named or {}).items()}
    _name_data(chart, tables)
    d = chart.to_dict(validate=False)   # the schema check runs in the tests instead (tests/charts)
    d["datasets"] = {**d.get("datasets", {}), **tables}
    # No ARIA descriptions per mark: Vega-Lite writes one as an expression evaluated for every data point (by
    # the browser's slow CSP-safe interpreter), and a canvas has no per-mark ARIA nodes to put it on anyway.
    # The chart's text alternative is Streamlit's ``alt`` on the container.
    d["config"] = {**d.get("config", {}), "aria": False}
    if not svg:
        d["usermeta"] = {**d.get("usermeta", {}), **CANVAS}
    return d


def placeholders(roles) -> dict[str, alt.NamedData]:
    """A placeholder per role (``alt.NamedData(name=role)``): build a chart on them, ``spec`` it once, and
    ``fill`` that template with each setting's frames."""
    return {role: alt.NamedData(name=role) for role in roles}


@dataclass(frozen=True)
class Prepared:
    """A frame as ``fill`` sends it: the dataset's name (from its content) and its Arrow table. Naming and
    converting a frame is most of ``fill``'s cost: data that many views share can be prepared once, in a cached
    function, and passed to ``fill`` in place of the frame."""

    name: str
    table: pa.Table


def prepare(df: pd.DataFrame) -> Prepared:
    return Prepared(f"data-{_digest(df)}", _arrow(df))


def fill(template: dict, frames: dict[str, pd.DataFrame | Prepared],
         fixed: dict[str, pd.DataFrame] | None = None) -> dict:
    """A spec made by ``spec`` from a chart whose data are placeholders (``alt.NamedData(name=role)``), with
    each role's frame in place: as a dataset named by its content, exactly as ``spec`` would have named it had
    the chart been built on the frames. A frame may be given already :func:`prepare`-d. ``fixed`` adds datasets
    under fixed names (see ``spec``'s ``named``).

    Composing a chart of many layers costs Altair far more than the data, so such a chart is built once, as a
    template (cached with ``st.cache_resource``), and only its frames change.
    """
    ready = {role: f if isinstance(f, Prepared) else prepare(f) for role, f in frames.items()}
    names = {role: p.name for role, p in ready.items()}
    tables = {name: _arrow(fixed_df) for name, fixed_df in (fixed or {}).items()}
    for p in ready.values():
        tables.setdefault(p.name, p.table)
    read: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"name"} and isinstance(node["name"], str):
                read.add(node["name"])
                return {"name": names.get(node["name"], node["name"])}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out = walk({k: v for k, v in template.items() if k != "datasets"})
    # a placeholder left without data draws an empty layer; a frame no layer reads is a stale role
    own = template.get("datasets", {})   # data the template was built on, kept
    if missing := read - set(names) - set(tables) - set(own):
        raise ValueError(f"no frame for the placeholders {sorted(missing)}")
    if unread := set(frames) - read:
        raise ValueError(f"no placeholder reads the frames {sorted(unread)}")
    out["datasets"] = {**own, **tables}
    return out


def _name_data(chart, tables: dict[str, pa.Table]) -> None:
    """Replace every DataFrame in a (layered, concatenated) chart by a named dataset, in place."""
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        name = f"data-{_digest(data)}"
        tables.setdefault(name, _arrow(data))
        chart.data = alt.NamedData(name=name)
    for attr in ("layer", "hconcat", "vconcat", "concat"):
        sub = getattr(chart, attr, alt.Undefined)
        if isinstance(sub, list):
            for part in sub:
                _name_data(part, tables)
    inner = getattr(chart, "spec", alt.Undefined)
    if isinstance(inner, alt.TopLevelMixin | alt.SchemaBase):
        _name_data(inner, tables)


def _digest(df: pd.DataFrame) -> str:
    h = hashlib.md5(repr((list(df.columns), [str(t) for t in df.dtypes])).encode())
    try:
        h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    except TypeError:   # unhashable cells: fall back on the text form
        h.update(df.to_csv(index=False).encode())
    return h.hexdigest()[:20]


def _arrow(df: pd.DataFrame) -> pa.Table:
    """A frame as an Arrow table: what Streamlit sends to the browser, so a cached spec costs no conversion."""
    try:
        return pa.Table.from_pandas(df, preserve_index=False, nthreads=1)  # small frames: threads cost more
    except (pa.ArrowInvalid, pa.ArrowTypeError):   # mixed-type text columns: send them as text
        return pa.Table.from_pandas(df.astype({c: str for c in df.columns if df[c].dtype == object}),
                                    preserve_index=False)


def show(chart: alt.TopLevelMixin | dict, alt_text: str, svg: bool = False, **kwargs):
    """Draw a chart (an Altair chart, or a dict from ``spec``) at container width with its text alternative
    (the chart's takeaway)."""
    d = chart if isinstance(chart, dict) else spec(chart, svg=svg)
    return st.vega_lite_chart(spec=d, width="stretch", alt=alt_text, **kwargs)


def scale(domain: list[str], colors: list[str] | None = None) -> alt.Scale:
    """A fixed colour mapping, so the same series has the same colour on every chart of a page."""
    return alt.Scale(domain=list(domain), range=list(colors or CATEGORICAL)[: len(domain)])


def pin_for_log(values, floor: float = LOG_FLOOR, ceil: float = LOG_CEIL) -> tuple[np.ndarray, np.ndarray]:
    """Values ready for a log axis: non-positive/underflowing ones pinned to ``floor``, huge or non-finite
    ones pinned to ``ceil``; returns ``(pinned, status)`` with status "ok", "underflow" or "overflow"."""
    v = np.asarray(values, dtype=float)
    status = np.full(v.shape, "ok", dtype=object)
    over = ~np.isfinite(v) | (v > ceil)
    under = ~over & (v < floor)
    status[over], status[under] = "overflow", "underflow"
    pinned = np.where(over, ceil, np.where(under, floor, v))
    return pinned, status


def finite_frame(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Drop rows with non-finite values in ``cols`` (a diverged tail), so no NaN reaches a chart."""
    ok = np.all(np.isfinite(df[cols].to_numpy(dtype=float)), axis=1)
    return df.loc[ok]


def log_axis(title: str, domain: list[float] | None = None) -> alt.Axis:
    """An axis whose title says it is logarithmic; with its ``domain`` known, labelled at :func:`log_ticks`."""
    ticks = log_ticks(*domain) if domain is not None else []
    if len(ticks) < 2:
        return alt.Axis(title=f"{title} (log scale)")
    return alt.Axis(title=f"{title} (log scale)", values=ticks, labelOverlap=False)


LOG_MANTISSAS = ((1, 2, 5), (1, 1.5, 2, 3, 5, 7), (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9))


def log_ticks(lo: float, hi: float, most: int = 8) -> list[float]:
    """Round tick values for a log axis over [lo, hi]: 1, 2 and 5 times powers of ten, or finer steps when that
    gives fewer than three, or powers of ten alone when it gives more than ``most``; [] if nothing fits.

    Left to itself, the theme drops every other label of a log axis; on a 0.55-2.8 axis that hid both 1 and 2.
    """
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo < hi):
        return []
    powers = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)

    def within(mantissas) -> list[float]:
        return [float(f"{m * 10.0 ** k:.6g}") for k in powers for m in mantissas if lo <= m * 10.0 ** k <= hi]

    for mantissas in LOG_MANTISSAS:
        ticks = within(mantissas)
        if len(ticks) >= 3:
            if len(ticks) > most:
                ticks = within((1,))
            return ticks if len(ticks) <= most else []
    return ticks


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def ramp_image(values: np.ndarray, low: str, high: str, opacity: float) -> str:
    """A PNG data URL of a 2-D field in [0, 1], coloured from ``low`` to ``high``; row 0 is drawn at the top.

    One image instead of one rectangle per cell: the browser draws a 40 x 40 field as 1 element, not 1,600.
    """
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=float), nan=0.5), 0.0, 1.0)[..., None]
    rgb = (1 - v) * _rgb(low) + v * _rgb(high)
    alpha = np.full(v.shape, round(255 * opacity))
    rgba = np.concatenate([rgb, alpha], axis=-1).round().astype(np.uint8)
    h, w, _ = rgba.shape
    raw = b"".join(b"\x00" + row.tobytes() for row in rgba)   # filter type 0 for every scanline

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
