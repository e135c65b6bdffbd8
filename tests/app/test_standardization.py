"""Page 2 (input standardization) in AppTest, and the CSV reader behind its upload part."""

import time
from pathlib import Path

import numpy as np
import pytest

from core import standardize as S
from experiments import standardization as ex
from tests.app.conftest import assert_clean, charts, formulas, open_page, table_with
from ui import csv_upload
from ui.nav import by_url_path

PAGE = "pages/standardization.py"
PARTS = by_url_path("standardization").parts
SCALINGS = {"scaling.part": "Four scalings"}
NETWORK = {"scaling.part": "Deep network"}
CSV = {"scaling.part": "Your CSV"}
DATA = Path(__file__).resolve().parents[1] / "e2e" / "data" / "standardization"


def compare_table(at):
    """The four-scalings table (the first table with an "η used" column)."""
    return table_with(at, "η used")


def text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_every_part_runs_clean_and_draws_its_charts():
    drawn = {}
    for part in PARTS:
        at = open_page(PAGE, {"scaling.part": part})
        assert_clean(at)
        assert not at.caption, "reasoning is body text, never a grey caption"
        drawn[part] = len(charts(at))
    assert drawn == {"The data": 4, "Four scalings": 2, "Why center": 1, "Learning rate": 1, "Deep network": 1,
                     "More features": 2, "Train/test split": 0, "Your CSV": 0}


def test_the_centering_question_comes_before_the_table_that_answers_it():
    at = open_page(PAGE, SCALINGS)
    assert_clean(at)
    values = [m.value for m in at.markdown]
    question = next(i for i, v in enumerate(values) if "Centering alone subtracts" in v)
    table = next(i for i, v in enumerate(values) if "η used" in v)
    assert question < table
    assert list(compare_table(at)["scaling"]) == ["none (raw)", "centering", "min-max", "z-score"]
    assert len(formulas(at)) >= 1


def test_predictions_have_no_default_and_reveal_the_measurement_only_after_a_choice():
    at = open_page(PAGE, SCALINGS)
    pills = at.pills(key="predict_centering")
    assert pills.value is None
    assert "Loss left: raw" not in text(at)
    pills.set_value("No, more is left").run()
    assert_clean(at)
    assert any("Loss left: raw" in s.value for s in at.success)   # the right answer at the defaults
    at.pills(key="predict_units").set_value("About 1,000× smaller").run()
    assert any("smaller in dollars" in i.value and "this page measures **About 1,000,000× smaller**" in i.value
               for i in at.info)
    signs = open_page(PAGE, {"scaling.part": "Why center"})
    assert signs.pills(key="predict_signs").value is None
    signs.pills(key="predict_signs").set_value("All of them").run()
    assert any("Min-max: 100% of the steps" in s.value for s in signs.success)
    net = open_page(PAGE, NETWORK)
    assert net.pills(key="predict_saturation").value is None
    net.pills(key="predict_saturation").set_value("Nearly all").run()
    assert any("Raw: 100%" in s.value for s in net.success)


def test_the_page_states_the_measured_thousandfold_and_millionfold_factors():
    at = open_page(PAGE, SCALINGS)
    body = text(at)
    assert "(measured: **1,000×**)" in body and "(measured: **1,000,000×**)" in body
    u = ex.units(0)
    assert f"shrinks **{u.lr_ratio:,.0f}×**" in body and 0.8e6 < u.lr_ratio < 1.2e6


def test_changing_the_learning_rate_fraction_changes_the_eta_shown():
    at = open_page(PAGE, SCALINGS)
    before = compare_table(at)["η used"].tolist()
    at.select_slider(key="scaling.eta").set_value(0.5).run()
    assert_clean(at)
    after = compare_table(at)["η used"].tolist()
    assert float(after[3]) == pytest.approx(0.5 / 0.9 * float(before[3]), rel=1e-2)


def test_a_learning_rate_above_two_over_lambda_max_is_explained_not_an_error():
    at = open_page(PAGE, {**SCALINGS, "scaling.eta": "1.1"})
    assert_clean(at)
    notices = [w.value for w in at.warning]
    assert sum("diverged" in n and "above 2/λmax" in n for n in notices) == 4, notices
    assert set(compare_table(at)["loss left"]) == {"diverged"}


def test_the_network_part_shows_saturation_gradients_and_rounding():
    at = open_page(PAGE, NETWORK)
    assert_clean(at)
    layers = table_with(at, "saturated units, raw")
    assert layers["saturated units, raw"].iloc[0] == "100%"
    assert layers["RMS of ∂L/∂W, raw"].iloc[0] == "0"
    rounding = table_with(at, "tanh slope exactly 0: float64")
    assert list(rounding["tanh slope exactly 0: float64"]) == ["100%", "0%"]
    at.segmented_control(key="scaling.act").set_value("sigmoid").run()
    assert_clean(at)
    assert "**sigmoid** units" in text(at)


def test_url_query_params_reproduce_the_numbers_of_the_widgets():
    via_url = open_page(PAGE, {**SCALINGS, "scaling.eta": "0.5", "scaling.steps": "100"})
    assert_clean(via_url)
    assert not via_url.warning, "valid URL values give no notice"
    via_widgets = open_page(PAGE, SCALINGS)
    via_widgets.select_slider(key="scaling.eta").set_value(0.5).run()
    via_widgets.select_slider(key="scaling.steps").set_value(100).run()
    assert compare_table(via_url).equals(compare_table(via_widgets))
    leak = {"scaling.part": "Train/test split"}
    via_url = open_page(PAGE, {**leak, "scaling.growth": "60"})
    via_widgets = open_page(PAGE, leak)
    via_widgets.slider(key="scaling.growth").set_value(60).run()
    assert table_with(via_url, "statistics fitted on").equals(table_with(via_widgets, "statistics fitted on"))
    assert not table_with(via_url, "statistics fitted on").equals(
        table_with(open_page(PAGE, leak), "statistics fitted on"))


def test_a_bad_url_value_falls_back_to_the_default_with_a_notice():
    at = open_page(PAGE, {**SCALINGS, "scaling.eta": "7"})
    assert_clean(at)
    assert at.select_slider(key="scaling.eta").value == 0.9
    assert any("using **0.9**" in w.value for w in at.warning)
    at = open_page(PAGE, {"scaling.part": "<b>Four scalings</b>"})
    assert_clean(at)
    assert any("**Part**" in w.value and "`<b>Four scalings</b>`" in w.value for w in at.warning)  # as code
    assert len(charts(at)) == 4, "the first part opens instead"


def test_the_sweep_shows_the_measured_threshold_next_to_two_over_lambda_max():
    at = open_page(PAGE, {"scaling.part": "Learning rate"})
    table = table_with(at, "diverges above (measured)")
    assert list(table["data"]) == ["raw", "standardized"]
    assert table["usable window"].iloc[0] == "none"
    assert float(table["diverges above (measured)"].iloc[1]) == pytest.approx(
        float(table["2/λmax (theory)"].iloc[1]), rel=0.05)


def test_every_view_offers_its_notebook():
    for part in PARTS:
        at = open_page(PAGE, {"scaling.part": part})
        assert any(e.label == "Reproduce this" for e in at.expander), part
    assert set(ex.notebooks()) == set(PARTS)


def upload(at, name: str, content: bytes):
    at.file_uploader(key="csv").set_value((name, content, "text/csv")).run()
    assert_clean(at)
    return [w.value for w in at.warning] + [i.value for i in at.info]


def test_a_good_csv_is_analysed_with_all_four_scalings():
    at = open_page(PAGE, CSV)
    n_charts = len(charts(at))
    upload(at, "good.csv", (DATA / "good.csv").read_bytes())
    assert len(charts(at)) == n_charts + 1
    table = table_with(at, "loss left after 200 steps")
    assert len(table) == 4
    target = next(b for b in at.selectbox if b.label.startswith("Target"))
    target.select("income_usd").run()
    assert_clean(at)


BAD_FILES = [
    ("empty.csv", "empty"),
    ("header_only.csv", "no data rows"),
    ("no_numeric.csv", "No numeric columns"),
    ("one_row.csv", "at least 2 rows"),
    ("one_column.csv", "Only one numeric column"),
    ("semicolon.csv", "semicolon"),
    ("bom_nan.csv", "Dropped 3 of 6 rows"),
    ("odd_names_latin1.csv", "not UTF-8"),
    ("constant.csv", "Constant feature"),
]


def test_bad_csvs_uploaded_to_the_page_get_a_message_not_an_exception():
    at = open_page(PAGE, CSV)  # one session; the reader test below covers every bad file without the page
    for file, expected in [BAD_FILES[i] for i in (0, 2, 4, 6, 8)]:
        messages = upload(at, file, (DATA / file).read_bytes())
        assert any(expected in m for m in messages), (file, messages)


@pytest.mark.parametrize("file, expected", BAD_FILES)
def test_every_bad_csv_gets_a_clear_message_from_the_reader(file, expected):
    table = csv_upload.read_csv((DATA / file).read_bytes())
    if file == "one_column.csv":  # readable; the page itself says it needs two columns (page test above)
        assert table.frame.shape[1] == 1
        return
    messages = [m.text for m in table.messages]
    if table.frame is not None:
        cols = list(table.frame.columns)
        messages += [m.text for m in csv_upload.prepare(table.frame, cols[:-1], cols[-1]).messages]
    assert any(expected in m for m in messages), messages


def test_column_names_with_markup_are_shown_as_text():
    at = open_page(PAGE, CSV)
    upload(at, "x.csv", b'<img src=x onerror=alert(1)>,**bold**,$x$,y\n1,2,3,4\n2,1,5,7\n3,3,4,9\n4,5,6,8\n')
    names = next(b for b in at.selectbox if b.label.startswith("Target")).options
    assert "<img src=x onerror=alert(1)>" in names
    assert all("<img" not in m.value for m in at.markdown)


# ---- the reader on its own ------------------------------------------------------------------------------
def test_reader_handles_utf16_decimal_commas_numeric_headers_and_duplicates():
    utf16 = "a\tb\n1\t2\n3\t5\n".encode("utf-16")
    t = csv_upload.read_csv(utf16)
    assert list(t.frame.columns) == ["a", "b"] and t.delimiter == "\t"
    t = csv_upload.read_csv(b"1,2\n3,4\n5,7\n")
    assert list(t.frame.columns) == ["column 1", "column 2"] and len(t.frame) == 3
    t = csv_upload.read_csv(b"a,a,b\n1,2,3\n4,5,6\n")
    assert list(t.frame.columns) == ["a", "a.1", "b"]
    assert any("Duplicate" in m.text for m in t.messages)
    assert csv_upload.read_csv(b"\x89PNG\r\n\x1a\n\x00\x00").frame is None


def test_reader_counts_junk_cells_and_keeps_mostly_numeric_columns():
    body = "x,y\n" + "".join(f"{i},{2 * i}\n" for i in range(30)) + "oops,5\n"
    t = csv_upload.read_csv(body.encode())
    assert t.frame["x"].isna().sum() == 1
    assert any("1 cell(s) are not numbers" in m.text for m in t.messages)


def test_lines_with_too_many_fields_are_skipped_and_counted():
    t = csv_upload.read_csv(b"a,b,y\n1,2,3\n6,7,8,9\n1,1,1\n2,3,4\n")
    assert len(t.frame) == 3
    assert any("Skipped 1 line(s)" in m.text for m in t.messages)


def test_a_huge_file_is_sampled_and_the_page_says_so():
    body = "a,b\n" + "".join(f"{i},{i % 7}\n" for i in range(1200))
    t = csv_upload.read_csv(body.encode(), max_rows=500, seed=3)
    assert len(t.frame) == 500 and t.rows_in_file == 1200
    assert any("random sample of 500 rows" in m.text for m in t.messages)


def test_a_10_mb_csv_is_analysed_in_under_5_seconds():
    rng = np.random.default_rng(0)
    n = 200_000
    cols = [rng.normal(40, 12, n), np.exp(rng.normal(11, 0.6, n)), rng.normal(size=n), rng.uniform(0, 1e3, n)]
    y = 0.1 * cols[0] + 1e-5 * cols[1] + rng.normal(size=n)
    text = "age,income,z,u,y\n" + "\n".join(
        ",".join(f"{v:.6f}" for v in row) for row in zip(*cols, y, strict=True))
    data = text.encode()
    assert len(data) > 10e6
    t0 = time.perf_counter()
    table = csv_upload.read_csv(data)
    prep = csv_upload.prepare(table.frame, ["age", "income", "z", "u"], "y")
    runs = S.compare_scalings(prep.X, prep.y, lr_fraction=0.9, steps=200)
    elapsed = time.perf_counter() - t0
    assert len(runs) == 4 and prep.X.shape == (csv_upload.MAX_ROWS, 4)
    assert elapsed < 5, f"{elapsed:.2f} s"


def test_every_control_at_its_extremes_breaks_nothing():
    for part in PARTS[1:]:
        at = open_page(PAGE, {"scaling.part": part})
        for s in list(at.slider) + list(at.select_slider):
            for end in (0, -1):
                value = (s.min, s.max)[end] if s.type == "slider" else s.options[end]
                s.set_value(type(s.value)(value)).run()
                assert_clean(at)
        for seg in at.segmented_control:
            for option in seg.options:
                seg.set_value(option).run()
                assert_clean(at)
