"""charts.loss_surface: the replay scrubber's end moves in 1-2-5 jumps and always covers the path."""

from hypothesis import given
from hypothesis import strategies as st

from charts.loss_surface import replay_end


@given(st.integers(min_value=0, max_value=100_000))
def test_the_replay_end_covers_every_step_and_wastes_at_most_a_jump(steps):
    end = replay_end(steps)
    mantissa, zeros = str(end)[0], str(end)[1:]
    assert mantissa in "125" and set(zeros) == {"0"}  # 10, 20, 50, 100, 200, 500, ...
    assert end >= steps
    assert end == 10 or end < 2.5 * steps  # the next smaller end would not cover the path


def test_nearby_step_counts_share_an_end():
    assert {replay_end(s) for s in (40, 45, 50)} == {50}
    assert replay_end(51) == 100
