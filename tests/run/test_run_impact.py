"""Impact: first crossings of thresholds, arrivals, isochrones, plume statistics, source flow."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

from atlas.impact import arrival_times_yr, first_crossing_yr, receptor_maxima, source_flow


def test_crossing_of_a_linear_series_is_exact():
    times = np.arange(0.0, 11.0)
    assert first_crossing_yr(times, 3.0 * times, 10.0) == pytest.approx(10.0 / 3.0)


def test_never_reached_is_nan_and_initially_reached_is_the_first_time():
    assert np.isnan(first_crossing_yr([1.0, 2.0], [0.0, 0.5], 1.0))
    assert first_crossing_yr([1.0, 2.0], [2.0, 3.0], 1.0) == 1.0


@given(st.floats(0.01, 0.99), st.floats(0.5, 20.0))
def test_crossing_lies_between_the_bracketing_records(fraction, slope):
    times = np.linspace(0.0, 10.0, 11)
    series = slope * times**2
    threshold = fraction * series[-1]
    arrival = first_crossing_yr(times, series, threshold)
    k = int(np.argmax(series >= threshold))
    assert times[k - 1] <= arrival <= times[k]
    # the chord of a convex curve lies above it, so it reaches the threshold no later
    assert arrival <= np.sqrt(threshold / slope) + 1e-9


def test_receptor_maxima_and_arrival_matrix():
    fields = np.zeros((3, 2, 2))
    fields[1, 0, 0], fields[2, 0, 0], fields[2, 1, 1] = 4.0, 8.0, 1.0
    masks = [np.array([[True, False], [False, False]]), np.array([[False, False], [False, True]])]
    maxima = receptor_maxima(fields, masks)
    np.testing.assert_array_equal(maxima, [[0, 0], [4, 0], [8, 1]])
    arrival = arrival_times_yr([0.0, 1.0, 2.0], maxima, [2.0, 6.0])
    np.testing.assert_allclose(arrival[0], [0.5, 1.5])
    assert np.isnan(arrival[1]).all()


def test_source_flow_follows_darcys_law():
    mask = np.zeros((6, 8), dtype=bool)
    mask[1:5, 2:7] = True  # 20 cells
    velocity_x = np.full(mask.shape, 120.0)
    velocity_y = np.full(mask.shape, -50.0)  # speed 130 m/yr
    conductivity = np.full(mask.shape, 5.0)
    conductivity[3, 4] = 10.0
    flow = source_flow(mask, velocity_x, velocity_y, conductivity, 0.25)
    assert flow.cells == 20
    assert flow.speed_m_per_yr == pytest.approx((130.0, 130.0, 130.0))
    assert flow.conductivity_m_per_day == pytest.approx((5.0, 5.0, 10.0))
    assert flow.gradient == pytest.approx(130.0 * 0.25 / (5.0 * 365.25))
    assert source_flow(mask, velocity_x, velocity_y, None, 0.25).gradient is None
    assert source_flow(np.zeros_like(mask), velocity_x, velocity_y, None, 0.25) is None
