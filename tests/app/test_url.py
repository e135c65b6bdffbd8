"""Each page keeps its own settings (ui.url): page-scoped URL keys, nothing carried or applied across pages,
notices only for a link the learner opened, and old bare-name links still read."""

from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, TIMEOUT, assert_clean, open_page
from ui.nav import CONCEPTS, HOME

SURFACE, OTHER = CONCEPTS[0], CONCEPTS[2]


def param(at, name: str) -> str:
    value = at.query_params[name]
    return value[-1] if isinstance(value, list) else value


def link_notices(at) -> list[str]:
    return [w.value for w in at.warning if "The link set" in w.value]


def test_a_page_url_holds_only_its_own_settings_and_the_seed_and_a_return_finds_them_as_left():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(SURFACE.file).run()
    at.slider(key="surface.lr").set_value(0.5).run()
    at.sidebar.number_input(key="seed").set_value(3).run()
    assert param(at, "seed") == "3"   # (a bound widget's own URL value is written by the browser: tests/e2e)
    for page in (OTHER, HOME, *CONCEPTS[1:]):
        at.switch_page(page.file).run()
        assert_clean(at)
        foreign = [k for k in at.query_params if k != "seed" and not k.startswith(page.scope + ".")]
        assert not foreign, (page.title, dict(at.query_params))
        assert param(at, "seed") == "3"
        assert not link_notices(at), page.title
    at.switch_page(SURFACE.file).run()
    assert at.slider(key="surface.lr").value == 0.5


def test_an_old_links_bare_name_is_read_into_the_scoped_control_and_renamed_in_the_url():
    at = open_page(SURFACE.file, {"lr": "0.5", "steps": "60"})
    assert_clean(at)
    assert at.slider(key="surface.lr").value == 0.5 and at.slider(key="surface.steps").value == 60
    assert "lr" not in at.query_params and param(at, "surface.lr") == "0.5"
    assert not link_notices(at)


def test_a_bad_value_gets_one_clean_notice_on_its_own_page_only():
    at = open_page(SURFACE.file, {"surface.lr": "3.5x"})
    assert_clean(at)
    (notice,) = link_notices(at)
    assert "`3.5x`" in notice and "\\" not in notice, "the value is shown as code, nothing escaped"
    at.slider(key="surface.steps").set_value(60).run()
    assert not link_notices(at), "a rerun of the page does not repeat the notice"
    at.switch_page(HOME.file).run()
    assert not link_notices(at), "nor does the next page show it"


def test_a_foreign_parameter_in_a_link_is_dropped_not_applied():
    at = open_page(SURFACE.file, {"bn.beta": "0.8", "sym.steps": "5"})
    assert_clean(at)
    assert set(at.query_params) <= {"seed"} | {k for k in at.query_params if k.startswith("surface.")}
    assert "bn.beta" not in at.session_state and "sym.steps" not in at.session_state
