"""Region kernels on regions below and above the size whose rows go over threads."""

import numpy as np
import pytest

from atlas.plume.regions import (
    PARALLEL_CELLS,
    ROUND_OFF,
    clip_round_off,
    copy_region,
    grow_box,
    value_range,
)

SIDE = 600  # 600 x 600 cells: above PARALLEL_CELLS; the small region below it
REGIONS = [(3, 597, 5, 590), (100, 150, 200, 260)]


@pytest.fixture
def field():
    rng = np.random.default_rng(11)
    values = rng.random((SIDE, SIDE)) * (rng.random((SIDE, SIDE)) < 0.001)
    values[3, 589] = -2.0  # the large region's corner, and a negative value
    values[120, 230] = 1.0  # the largest value of the small region
    return values


def test_the_regions_straddle_the_threads_threshold():
    sizes = [(r[1] - r[0]) * (r[3] - r[2]) for r in REGIONS]
    assert sizes[0] >= PARALLEL_CELLS > sizes[1]


@pytest.mark.parametrize("region", REGIONS)
def test_copy_range_and_box_match_numpy(field, region):
    j_lo, j_hi, i_lo, i_hi = region
    inside = field[j_lo:j_hi, i_lo:i_hi]
    out = np.full_like(field, 7.0)
    copy_region(region, field, out)
    np.testing.assert_array_equal(out[j_lo:j_hi, i_lo:i_hi], inside)
    out[j_lo:j_hi, i_lo:i_hi] = 7.0
    assert (out == 7.0).all()  # nothing written outside the region
    assert value_range(region, field) == (inside.min(), inside.max())
    rows, columns = np.nonzero(np.abs(inside) > 0.5)
    expected = (
        j_lo + rows.min(),
        j_lo + rows.max() + 1,
        i_lo + columns.min(),
        i_lo + columns.max() + 1,
    )
    assert grow_box(field, 0.5, region, (SIDE, 0, SIDE, 0)) == expected
    assert grow_box(field, 0.5, region, (0, SIDE, 0, SIDE)) == (0, SIDE, 0, SIDE)
    assert grow_box(field, 10.0, region, (1, 2, 3, 4)) == (1, 2, 3, 4)


def test_the_range_orders_every_kind_of_value_as_floats_do():
    """Negatives, signed zeros, subnormals and infinities (the range compares integer keys)."""
    values = np.array([[3.0, -2.0, 0.0, -0.0], [5e-324, -1e-310, -np.inf, 1e308]])
    assert value_range((0, 2, 0, 4), values) == (-np.inf, 1e308)
    assert value_range((0, 1, 0, 4), values) == (-2.0, 3.0)
    assert value_range((1, 2, 0, 2), values) == (-1e-310, 5e-324)
    low, high = value_range((0, 1, 2, 4), values)
    assert low == high == 0.0
    assert np.signbit(low)  # -0 before +0
    assert not np.signbit(high)
    assert value_range((0, 2, 1, 1), values) == (np.inf, -np.inf)  # no cells


@pytest.mark.parametrize("region", REGIONS)
def test_clip_round_off_keeps_a_field_within_bounds_and_clips_only_round_off(field, region):
    j_lo, j_hi, i_lo, i_hi = region
    lowest, highest = value_range(region, field)
    within = field.copy()
    assert clip_round_off(region, within, lowest, highest) == (True, 0.0)
    np.testing.assert_array_equal(within, field)
    nudged = field.copy()
    nudged[j_hi - 1, i_hi - 1] = highest + 0.5 * ROUND_OFF * max(-lowest, highest)
    assert nudged[j_hi - 1, i_hi - 1] > highest
    accepted, added = clip_round_off(region, nudged, lowest, highest)
    assert accepted
    assert nudged[j_hi - 1, i_hi - 1] == highest
    assert added < 0.0
    nudged[j_lo, i_lo] = highest + 1e-3
    assert not clip_round_off(region, nudged, lowest, highest)[0]
