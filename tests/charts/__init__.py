"""Shared checks for the chart tests."""


def assert_same_spec(filled: dict, built: dict) -> None:
    """A template filled with frames (``charts.common.fill``) equals the chart built on those frames
    (``charts.common.spec``): the same spec, the same dataset names, and equal tables under them."""
    assert {k: v for k, v in filled.items() if k != "datasets"} == {k: v for k, v in built.items() if k != "datasets"}
    assert set(filled["datasets"]) == set(built["datasets"])
    assert all(filled["datasets"][k].equals(built["datasets"][k]) for k in built["datasets"])
