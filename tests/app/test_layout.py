"""ui.layout's text builders: readout tables and formulas, read back the way the page tests read them."""

from types import SimpleNamespace

import ui
from tests.app.conftest import readouts


def _page(*markdown: str) -> SimpleNamespace:
    return SimpleNamespace(metric=[], markdown=[SimpleNamespace(value=m) for m in markdown])


def test_a_readout_table_reads_back_label_by_label_even_with_pipes_in_labels():
    text = (ui.readout({"μ_B": "2.85", "max |y − x|": "4.8e+00"}) + "\n\n" + ui.readout({"E|z| measured": "0.64"})
            + "\n\n:small[:gray[a caption with |·| in it]]")
    assert text.splitlines()[:3] == ["| μ_B | max \\|y − x\\| |", "| --- | --- |", "| **2.85** | **4.8e+00** |"]
    assert readouts(_page("- a list, not a table\n\nplain text", text)) == {
        "μ_B": "2.85", "max |y − x|": "4.8e+00", "E|z| measured": "0.64"}


def test_a_formula_is_display_math_with_its_caption_escaped_for_the_directive():
    text = ui.formula_text(r"x_i^2", "inputs in [0, 1] cost $5")
    assert text.startswith("$$\nx_i^2\n$$")
    # brackets would end the :gray[...] directive early, and $ would open inline math
    assert text.endswith(r":small[:gray[inputs in \[0, 1\] cost \$5]]")
    assert ui.formula_text("y") == "$$\ny\n$$"


def test_a_note_is_small_grey_text_with_brackets_and_dollars_escaped():
    assert ui.note_text("plain") == ":small[:gray[plain]]"
    assert ui.note_text("x in [0, 1], $5") == r":small[:gray[x in \[0, 1\], \$5]]"

