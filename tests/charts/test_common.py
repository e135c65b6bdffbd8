"""charts/common.py: the cached spec form every page draws, the raster used for dense heat maps, log ticks."""

import base64
import struct
import zlib

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charts.common import BAD, CANVAS, GOOD, LOG_MANTISSAS, fill, log_axis, log_ticks, prepare, ramp_image, spec
from tests.charts import assert_same_spec


def _chart() -> alt.LayerChart:
    df = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [1.0, np.nan, 3.0], "s": ["a", "b", "<b>c</b>"]})
    return alt.layer(alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q"),
                     alt.Chart(df.head(1)).mark_text().encode(x="x:Q", y="y:Q", text="s:N"))


def test_spec_carries_every_dataset_as_an_arrow_table_with_the_charts_rows():
    d = spec(_chart())
    assert d["usermeta"] == CANVAS
    tables = d["datasets"]
    assert tables and all(isinstance(t, pa.Table) for t in tables.values())
    rows = sorted(t.num_rows for t in tables.values())
    assert rows == [1, 3]
    full = next(t for t in tables.values() if t.num_rows == 3).to_pydict()
    assert full["x"] == [0.0, 1.0, 2.0] and full["y"] == [1.0, None, 3.0]   # NaN travels as null
    named = {layer["data"]["name"] for layer in d["layer"]}
    assert named == set(tables)


def test_spec_keeps_svg_when_asked_and_validates_against_the_schema():
    d = spec(_chart(), svg=True)
    assert "usermeta" not in d
    alt.LayerChart.from_dict({k: v for k, v in d.items() if k != "datasets"}, validate=True)


def _decode_png(url: str) -> np.ndarray:
    raw = base64.b64decode(url.split(",", 1)[1])
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(raw):
        (n,) = struct.unpack(">I", raw[pos:pos + 4])
        kind, data = raw[pos + 4:pos + 8], raw[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", raw[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + data) & 0xFFFFFFFF
        chunks[kind] = data
        pos += 12 + n
    w, h, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 6)  # 8-bit RGBA
    rows = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 4 * w
    assert len(rows) == h * stride and all(rows[i * stride] == 0 for i in range(h))
    return np.frombuffer(b"".join(rows[i * stride + 1:(i + 1) * stride] for i in range(h)), np.uint8).reshape(h, w, 4)


def test_ramp_image_is_a_valid_png_coloured_from_low_to_high():
    field = np.array([[0.0, 0.5, 1.0], [1.0, np.nan, 0.0]])
    px = _decode_png(ramp_image(field, BAD, GOOD, 0.4))
    assert px.shape == (2, 3, 4)
    rgb = lambda c: [int(c[i:i + 2], 16) for i in (1, 3, 5)]  # noqa: E731
    assert px[0, 0, :3].tolist() == rgb(BAD) and px[0, 2, :3].tolist() == rgb(GOOD)
    assert px[1, 0, :3].tolist() == rgb(GOOD)
    assert (px[..., 3] == round(0.4 * 255)).all()
    assert px[1, 1, :3].tolist() == px[0, 1, :3].tolist()    # NaN is drawn as 0.5, never breaks the image


ALLOWED = {round(m, 6) for m in LOG_MANTISSAS[-1]}


@given(st.floats(-12, 12), st.floats(0.05, 20))
def test_log_ticks_are_round_increasing_inside_the_domain_and_few(log_lo, decades):
    lo, hi = 10.0 ** log_lo, 10.0 ** (log_lo + decades)
    ticks = log_ticks(lo, hi)
    assert ticks == sorted(set(ticks)) and len(ticks) <= 8
    assert all(lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9) for t in ticks)
    for t in ticks:  # mantissa times a power of ten
        assert round(t / 10.0 ** np.floor(np.log10(t) + 1e-9), 6) in ALLOWED
    if 0.3 <= decades <= 7:  # an axis from a factor 2 to 7 decades always gets at least three labels
        assert len(ticks) >= 3, (lo, hi, ticks)


def test_a_narrow_log_axis_is_labelled_at_one_and_two_and_a_hopeless_one_falls_back_to_vega():
    assert log_ticks(0.5523, 2.787) == [0.7, 1.0, 1.5, 2.0]  # page 5's held-out loss: the theme hid 1 and 2
    assert log_ticks(0.55, 0.95) == [0.6, 0.7, 0.8, 0.9]
    assert log_ticks(0.61, 0.64) == [] and log_ticks(1.0, 1.0) == [] and log_ticks(float("nan"), 2.0) == []
    assert log_axis("loss", [0.5523, 2.787]).to_dict()["values"] == [0.7, 1.0, 1.5, 2.0]
    assert "values" not in log_axis("loss", [0.61, 0.64]).to_dict()
    assert log_axis("loss").to_dict() == {"title": "loss (log scale)"}


@settings(deadline=None, max_examples=30)   # Altair composes each chart: slow on a busy machine, not wrong
@given(st.lists(st.floats(-1e6, 1e6), min_size=0, max_size=6), st.booleans())
def test_fill_gives_the_spec_that_building_the_chart_on_the_frames_gives(ys, same):
    """A template filled with frames equals the chart built on those frames: the same datasets under the same
    (content) names, frames with equal content sharing one, and fixed names kept."""
    line = pd.DataFrame({"x": np.arange(len(ys), dtype=float), "y": np.asarray(ys, dtype=float)})
    dots = line.copy() if same else line.head(2)
    box = pd.DataFrame({"x0": [0.0], "x1": [1.0]})

    def chart(a, b) -> alt.LayerChart:
        return alt.layer(alt.Chart(a).mark_line().encode(x="x:Q", y="y:Q"),
                         alt.Chart(b).mark_point().encode(x="x:Q", y="y:Q"),
                         alt.Chart(alt.NamedData(name="box")).mark_rule().encode(x="x0:Q"))

    built = spec(chart(line, dots), named={"box": box})
    template = spec(chart(alt.NamedData(name="role:line"), alt.NamedData(name="role:dots")))
    filled = fill(template, {"role:line": line, "role:dots": dots}, fixed={"box": box})
    assert_same_spec(filled, built)
    assert len(filled["datasets"]) == (2 if dots.equals(line) else 3)
    # a frame prepared beforehand (named and converted once, in a cache) fills the same spec
    assert_same_spec(fill(template, {"role:line": prepare(line), "role:dots": dots}, fixed={"box": box}), built)


def test_fill_refuses_a_placeholder_without_a_frame_and_a_frame_without_a_placeholder():
    template = spec(alt.layer(alt.Chart(alt.NamedData(name="role:a")).mark_point().encode(x="x:Q"),
                              alt.Chart(alt.NamedData(name="role:b")).mark_point().encode(x="x:Q")))
    df = pd.DataFrame({"x": [1.0]})
    assert len(fill(template, {"role:a": df, "role:b": df})["datasets"]) == 1
    with pytest.raises(ValueError, match="role:b"):
        fill(template, {"role:a": df})
    with pytest.raises(ValueError, match="role:c"):
        fill(template, {"role:a": df, "role:b": df, "role:c": df})
