"""Committed predictions on every concept page (ui.predict) and their progress on the home page."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, TIMEOUT, assert_clean, open_page
from ui.nav import CONCEPTS, HOME
from ui.predict import ANSWERS


def predictions(at: AppTest) -> dict:
    return {b.key: b for b in at.get("button_group") if b.key and b.key.startswith("predict_")}


def test_every_page_lists_at_least_two_questions_with_unique_keys():
    keys = [q.key for p in CONCEPTS for q in p.predictions]
    assert len(keys) == len(set(keys))
    for page in CONCEPTS:
        assert len(page.predictions) >= 2, page.title
        assert all(q.key.startswith("predict_") and (not q.part or q.part in page.parts) for q in page.predictions)


@pytest.mark.parametrize("page", CONCEPTS, ids=[p.url_path for p in CONCEPTS])
def test_each_question_has_no_default_and_reveals_only_after_a_choice(page):
    for q in page.predictions:
        at = open_page(page.file, {page.part_key: q.part} if q.part else None)
        assert_clean(at)
        widget = predictions(at)[q.key]
        assert widget.value is None, "no preselected answer"
        assert 2 <= len(widget.options) <= 4
        before = len(at.success) + len(at.info)
        widget.set_value(widget.options[0]).run()
        assert_clean(at)
        answer = at.session_state[ANSWERS][q.key]
        assert answer.choice == widget.options[0]
        shown = [e.value for e in [*at.success, *at.info] if "You predicted" in e.value or "does not single" in e.value]
        assert len(at.success) + len(at.info) > before and shown, "the reveal appears after the choice"
        assert q.key not in predictions(at), "a committed answer is shown as text and cannot be changed"


def test_the_home_page_counts_answered_questions_and_right_guesses():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    total = sum(len(p.predictions) for p in CONCEPTS)
    assert any(f"None of the {total} questions" in m.value for m in at.markdown)
    page = CONCEPTS[0]
    at.switch_page(page.file).run()
    first = page.predictions[0]
    widget = predictions(at)[first.key]
    widget.set_value(widget.options[0]).run()
    right = at.session_state[ANSWERS][first.key].right
    at.switch_page(HOME.file).run()
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown)
    assert f"**1 of {total}** questions" in text
    assert f"**{int(bool(right))} of 1** of your predictions" in text
    links = [link.proto.label for link in at.get("page_link")]
    assert not any(first.short in label for label in links), "an answered question leaves the to-do list"
    assert any(page.predictions[1].short in label for label in links)
