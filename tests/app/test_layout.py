"""ui.layout's text builders: readout and data tables, formulas, read back the way the page tests read them."""

from types import SimpleNamespace

import numpy as np
import pandas as pd

import ui
from tests.app.conftest import readouts, tables


def _page(*markdown: str) -> SimpleNamespace:
    return SimpleNamespace(metric=[], markdown=[SimpleNamespace(value=m) for m in markdown])


def test_a_readout_table_reads_back_label_by_label_even_with_pipes_in_labels():
    text = (ui.readout({"μ_B": "2.85", "max |y − x|": "4.8e+00"}) + "\n\n" + ui.readout({"E|z| measured": "0.64"})
            + "\n\n:small[a legend with |·| in it]")
    assert text.splitlines()[:3] == ["| μ_B | max \\|y − x\\| |", "| --- | --- |", "| **2.85** | **4.8e+00** |"]
    assert readouts(_page("- a list, not a table\n\nplain text", text)) == {
        "μ_B": "2.85", "max |y − x|": "4.8e+00", "E|z| measured": "0.64"}


def test_a_formula_is_breakable_display_style_math_with_its_legend_escaped_for_the_directive():
    text = ui.formula_text(r"x_i^2", "inputs in [0, 1] cost $5")
    assert text.startswith("$\\displaystyle x_i^2$\n\n")
    # brackets would end the :small[...] directive early, and $ would open inline math
    assert text.endswith(r":small[inputs in \[0, 1\] cost \$5]")
    assert ui.formula_text("y") == "$\\displaystyle y$"
    # one line (a line break would end the paragraph), no space before the closing $, and a break is allowed
    # before a \quad or \qquad but not inside a command that starts with those letters
    assert ui.formula_text("a = 1,\\quad b \n = 2 \\qquad c\\quadrant ") == \
        r"$\displaystyle a = 1,\allowbreak\quad b = 2 \allowbreak\qquad c\quadrant$"


def test_a_legend_is_small_text_in_the_body_colour_never_grey():
    assert ui.legend_text("plain") == ":small[plain]"
    assert ui.legend_text("x in [0, 1], $5") == r":small[x in \[0, 1\], \$5]"
    assert ":gray[" not in ui.legend_text("x") and ":gray[" not in ui.readout({"a": "1"}, note="n")


def test_a_data_table_is_markdown_with_numbers_right_aligned_formatted_and_specials_escaped():
    frame = pd.DataFrame({"parameter": ["W1", "b_1"], "|∂L/∂p|": [0.0, 1.23456], "cost $": [np.inf, -2.5e-7]})
    text = ui.table(frame, {"|∂L/∂p|": ".3f", "cost $": ".1e"})
    assert text.splitlines()[:2] == ["| parameter | \\|∂L/∂p\\| | cost \\$ |", "| --- | ---: | ---: |"]
    assert text.splitlines()[2] == "| W1 | 0.000 | inf |"
    assert "-2.5e-\u206007" in text  # no line break inside an exponent
    assert "b\\_1" in text  # an underscore would start emphasis
    (back,) = tables(_page(text))
    assert back.to_dict("list") == {"parameter": ["W1", "b_1"], "|∂L/∂p|": ["0.000", "1.235"],
                                    "cost $": ["inf", "-2.5e-07"]}
    # a table with more than one row is data, not a readout of labelled numbers
    assert readouts(_page(text)) == {}


def test_several_readout_tables_and_a_note_are_one_markdown_text():
    text = ui.readout({"a": "1"}, {"b": "2"}, note="in [0, 1]")
    assert text == ui.readout({"a": "1"}) + "\n\n" + ui.readout({"b": "2"}) + "\n\n" + ui.legend_text("in [0, 1]")
    assert readouts(_page(text)) == {"a": "1", "b": "2"}


def test_markdown_sends_its_pieces_as_one_element_in_order_leaving_out_empty_ones():
    from streamlit.testing.v1 import AppTest

    def script():
        import pandas as pd

        import ui
        ui.markdown(ui.formula_text("x^2", "a caption"), "", ui.table(pd.DataFrame({"m": [1, 2]})), "closing text")

    at = AppTest.from_function(script).run()
    (element,) = at.markdown
    assert element.value == "\n\n".join([ui.formula_text("x^2", "a caption"),
                                        ui.table(pd.DataFrame({"m": [1, 2]})), "closing text"])
    (back,) = tables(at)
    assert back["m"].tolist() == ["1", "2"]


def test_phones_are_told_from_desktops_and_tablets_by_their_user_agent():
    phones = ["Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
              "Mobile Safari/537.36",
              "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.5 Mobile/15E148 Safari/604.1",
              "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"]
    others = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
              "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
              "Safari/537.36",   # an Android tablet
              "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.5 Safari/605.1.15", "", None]
    assert [ui.is_phone_user_agent(ua) for ua in phones] == [True] * 3
    assert [ui.is_phone_user_agent(ua) for ua in others] == [False] * 5
