"""The app shell: navigation, home page, the URL-bound seed and its notice."""

import pytest

from tests.app.conftest import assert_clean, open_page
from ui.nav import CONCEPTS, HOME, QUESTIONS, link


def test_home_page_lists_every_question_with_links():
    at = open_page(HOME.file)
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown)
    for question, _ in QUESTIONS:
        assert question[:40] in text
    links = at.get("page_link")
    assert len(links) >= len(CONCEPTS) + len(QUESTIONS)


def test_every_question_links_to_a_page_and_a_part_that_exist():
    for _, wheres in QUESTIONS:
        for where in wheres:
            page, part = link(where)  # raises for an unknown page
            assert not part or part in page.parts[1:], where  # (a page's own link opens its first part)


@pytest.mark.parametrize("page", [p.file for p in CONCEPTS])
def test_every_concept_page_loads_from_the_entrypoint(page):
    at = open_page(page)
    assert_clean(at)
    assert at.title, "the page has a title"


@pytest.mark.parametrize("bad", ["abc", "-5", "1e99", "nan", "", "<script>alert(1)</script>", "x" * 400])
def test_a_bad_seed_in_the_url_falls_back_to_the_default_with_a_notice(bad):
    at = open_page(HOME.file, {"seed": bad})
    assert_clean(at)
    assert at.number_input(key="seed").value == 0
    notices = [w.value for w in at.warning]
    assert any("Seed" in n and "using **0**" in n for n in notices), notices
    assert all("<script>" not in n or "`<script>" in n for n in notices), "URL text is shown as code, not Markdown"


def test_a_good_seed_in_the_url_is_used_without_a_notice():
    at = open_page(HOME.file, {"seed": "42"})
    assert_clean(at)
    assert at.number_input(key="seed").value == 42
    assert not at.warning


def test_the_share_popover_builds_a_link_with_the_views_settings_when_opened():
    at = open_page(CONCEPTS[0].file, {"seed": "7", "surface.lr": "0.5"})
    assert not [c for c in at.sidebar.code], "closed: no link is built"
    at.session_state["share_open"] = True
    at.run()
    assert_clean(at)
    link = at.sidebar.code[0].value
    assert "seed=7" in link and "surface.lr=0.5" in link
