"""Impact: first crossings of thresholds, arrivals, isochrones, plume statistics, source flow."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given
from pyproj import CRS

from atlas.grid import Grid
from atlas.impact import (
    arrival_table,
    arrival_times_yr,
    first_crossing_yr,
    isochrones,
    output_time_table,
    receptor_maxima,
    source_flow,
)


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


def test_arrival_table_lists_each_receptors_own_thresholds_rounded():
    arrival = np.array([[1.23456, np.nan, 7.0], [2.0, 3.0, np.nan]])
    table = arrival_table(
        arrival, [1.0, 10.0, 100.0], [("well", [1.0, 100.0]), ("river", [10.0])], 1965
    )
    assert table["receptor"].tolist() == ["well", "well", "river"]
    assert table["threshold_mg_per_l"].tolist() == [1.0, 100.0, 10.0]
    assert table["arrival_yr"].tolist() == [1.235, 7.0, 3.0]
    assert table["arrival_calendar_year"].tolist() == [1966.235, 1972.0, 1968.0]
    without_start = arrival_table(arrival, [1.0, 10.0, 100.0], [("well", [10.0])], None)
    assert np.isnan(without_start["arrival_yr"].iloc[0])
    assert np.isnan(without_start["arrival_calendar_year"].iloc[0])


def test_isochrones_cover_the_cells_at_or_above_each_threshold():
    grid = Grid(500_000.0, 4_500_000.0, 10.0, 8, 6, CRS.from_epsg(32649))
    field = np.zeros((6, 8))
    field[1:3, 2:6] = 5.0  # 8 cells at 5 mg/L, 4 of them at 50
    field[1:3, 2:4] = 50.0
    table = isochrones(field[None], [3.0], [1.0, 10.0, 100.0], grid, scenario="s", start_year=2000)
    assert table.crs.to_epsg() == 4326
    assert table["threshold_mg_per_l"].tolist() == [1.0, 10.0]  # nothing reaches 100
    assert table["area_m2"].tolist() == [800.0, 400.0]
    assert table["calendar_year"].tolist() == [2003.0] * 2
    projected = table.to_crs(32649).area
    np.testing.assert_allclose(projected, [800.0, 400.0], atol=0.5)  # corners kept to ~1 cm
    west, _, east, _ = table.to_crs(32649).total_bounds
    assert (west, east) == pytest.approx((500_020.0, 500_060.0), abs=0.05)


def test_output_time_table_holds_the_peak_and_the_budget_rounded():
    fields = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 2.0) + np.eye(2) / 3])
    table = output_time_table([1.0, 2.0], fields, {"mass_in_kg": [1.0, 2.0000001]})
    assert table["max_concentration_mg_per_l"].tolist() == [1.0, 2.33333]
    assert table["mass_in_kg"].tolist() == [1.0, 2.0]
