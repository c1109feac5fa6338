"""Probability isochrones: the cells where P(C >= threshold) reaches each level."""

from __future__ import annotations

import itertools

import numpy as np
import shapely

from atlas.crs import WGS84
from atlas.ensemble.contours import PROBABILITY_ISOCHRONE_COLUMNS, probability_isochrones


def test_each_outline_covers_the_cells_at_or_above_its_level(velocity_ensemble):
    scenario, result = velocity_ensemble
    frame = result.isochrones
    assert frame.crs == WGS84
    assert list(frame.columns) == [*PROBABILITY_ISOCHRONE_COLUMNS, "geometry"]
    assert len(frame) > 0
    cell_m2 = scenario.grid.cell_size_m**2
    probability = result.dataset["exceedance_probability"]
    for row in frame.itertuples():
        field = probability.sel(threshold_mg_per_l=row.threshold_mg_per_l, time_yr=row.time_yr)
        cells = int((field.values >= row.probability).sum())
        assert row.area_m2 == float(f"{cells * cell_m2:.4g}")
        assert row.calendar_year == scenario.start_year + row.time_yr
        assert row.modelled.startswith("MODELLED")


def test_likelier_outlines_lie_inside_less_likely_ones(velocity_ensemble):
    _, result = velocity_ensemble
    frame = result.isochrones
    for (threshold, time_yr), group in frame.groupby(["threshold_mg_per_l", "time_yr"]):
        group = group.sort_values("probability")
        areas = group["area_m2"].to_numpy()
        assert np.all(np.diff(areas) <= 0), (threshold, time_yr)
        shapes = group.geometry.to_list()
        for outer, inner in itertools.pairwise(shapes):
            # outlines are rounded to DEGREE_DECIMALS: slivers of that size only
            assert shapely.difference(inner, outer).area <= 1e-3 * inner.area


def test_a_continuous_source_spreads_over_time(velocity_ensemble):
    _, result = velocity_ensemble
    for _, group in result.isochrones.groupby(["threshold_mg_per_l", "probability"]):
        assert np.all(np.diff(group.sort_values("time_yr")["area_m2"].to_numpy()) >= 0)


def test_a_level_no_cell_reaches_gives_no_row(velocity_ensemble):
    scenario, result = velocity_ensemble
    never = result.dataset["exceedance_probability"] * 0.0
    frame = probability_isochrones(
        never, scenario.grid, scenario=scenario.name, start_year=scenario.start_year
    )
    assert frame.empty
    assert list(frame.columns) == [*PROBABILITY_ISOCHRONE_COLUMNS, "geometry"]
