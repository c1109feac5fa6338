"""A mass rate on a source of points is shared by its wells, not by the cells they touch."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import shapely

from atlas.assumptions import assumptions
from atlas.errors import ParameterError, ScenarioWarning
from atlas.plume.flow import DAYS_PER_YEAR
from atlas.plume.sources import MassRateSource
from atlas.run import leakage_m_per_yr, run_scenario
from atlas.scenario import load_scenario
from scenario.scenario_documents import BASE

RATE_KG_PER_YR = 3.0
TWO_IN_ONE_CELL = [(400_510, 4_500_510), (400_540, 4_500_540)]  # one 50 m cell
ONE_ELSEWHERE = [(400_810, 4_500_260)]


def _wells(*sources: tuple[list[tuple[float, float]], float]) -> dict:
    """The document with a source of wells at each list of points, with its mass rate."""
    document = copy.deepcopy(BASE)
    del document["receptor"]
    document["flow"]["direction_deg"] = 60.0
    document["source"] = [
        {
            "name": f"wells {k}",
            "geometry": shapely.MultiPoint(points).wkt,
            "mass_rate_kg_per_yr": rate,
        }
        for k, (points, rate) in enumerate(sources)
    ]
    return document


def test_count_points_counts_the_wells_in_each_cell():
    scenario = load_scenario(_wells((TWO_IN_ONE_CELL, 1.0)))
    wells = shapely.GeometryCollection(
        [shapely.MultiPoint(TWO_IN_ONE_CELL), shapely.Point(ONE_ELSEWHERE[0]), shapely.Point()]
    )
    counts = scenario.grid.count_points(wells)
    assert sorted(counts[counts > 0]) == [1.0, 2.0]
    assert np.array_equal(counts > 0, scenario.grid.rasterize(wells))


def test_three_wells_share_a_rate_evenly_where_two_share_a_cell():
    """The same run as two sources, 2/3 of the rate in the cell of two wells and 1/3 in the
    other: transport is linear in its sources (before, each cell took half)."""
    merged = TWO_IN_ONE_CELL + ONE_ELSEWHERE
    together = run_scenario(load_scenario(_wells((merged, RATE_KG_PER_YR)))).dataset
    apart = run_scenario(
        load_scenario(
            _wells((TWO_IN_ONE_CELL, RATE_KG_PER_YR * 2 / 3), (ONE_ELSEWHERE, RATE_KG_PER_YR / 3))
        )
    ).dataset
    peak = float(apart["concentration"].max())
    assert peak > 0
    difference = np.abs(together["concentration"] - apart["concentration"]).max()
    assert float(difference) <= 1e-12 * peak


def test_cell_weights_share_the_rate():
    mask = np.zeros((3, 4), bool)
    mask[1, 1] = mask[2, 3] = True
    weights = np.zeros((3, 4))
    weights[1, 1], weights[2, 3] = 2.0, 1.0
    source = MassRateSource(mask, 6.0, cell_weights=weights)
    assert np.allclose(source.rate_per_cell_kg_per_yr(), [4.0, 2.0], rtol=1e-15, atol=0)
    assert np.array_equal(MassRateSource(mask, 6.0).rate_per_cell_kg_per_yr(), [3.0, 3.0])


@pytest.mark.parametrize(
    "weights",
    [
        np.ones((2, 2)),
        np.where(np.eye(3, 4, dtype=bool), 0.0, 1.0),
        np.full((3, 4), np.nan),
        np.full((3, 4), 1e308),  # each finite, the sum not
    ],
)
def test_bad_cell_weights_name_the_field(weights):
    mask = np.zeros((3, 4), bool)
    mask[0, 0] = True
    mask[2, 3] = True
    with pytest.raises(ParameterError, match=r"MassRateSource\.cell_weights"):
        MassRateSource(mask, 1.0, cell_weights=weights)


def test_wells_one_to_a_cell_share_as_cells_did():
    """All weights 1: the same bits as the even share."""
    mask = np.random.default_rng(3).random((40, 50)) < 0.3
    weighted = MassRateSource(mask, 7.3, cell_weights=mask.astype(float))
    even = MassRateSource(mask, 7.3)
    assert np.array_equal(weighted.rate_per_cell_kg_per_yr(), even.rate_per_cell_kg_per_yr())


def test_wells_share_a_leaked_volume_as_they_share_the_mass_rate():
    """Each well leaks a third of the volume, so each injects water of the same concentration
    (before, each cell took half, and the cell of two wells injected twice as concentrated)."""
    volume_m3_per_day = 30.0
    document = _wells((TWO_IN_ONE_CELL + ONE_ELSEWHERE, RATE_KG_PER_YR))
    document["aquifer"]["hydraulic_conductivity_m_per_day"] = 10.0
    document["source"][0]["leakage_m3_per_day"] = volume_m3_per_day
    scenario = load_scenario(document)
    cell_m2 = scenario.grid.cell_size_m**2
    volume = leakage_m_per_yr(scenario) * cell_m2 / DAYS_PER_YEAR  # m3/day per cell
    assert sorted(volume[volume > 0]) == pytest.approx(
        [volume_m3_per_day / 3, volume_m3_per_day * 2 / 3], rel=1e-12
    )
    assert "30 m3/day shared evenly by its wells" in "\n".join(assumptions(scenario))


def test_a_leaking_source_off_the_grid_adds_no_water_and_no_nan():
    """The reader refuses such a source; one built in Python leaks nothing on the grid."""
    document = _wells((ONE_ELSEWHERE, RATE_KG_PER_YR))
    document["aquifer"]["hydraulic_conductivity_m_per_day"] = 10.0
    document["source"][0]["leakage_m3_per_day"] = 30.0
    scenario = load_scenario(document)
    away = dataclasses.replace(scenario.sources[0], geometry=shapely.MultiPoint([(410_000, 0)]))
    rate = leakage_m_per_yr(dataclasses.replace(scenario, sources=(away,)))
    assert np.array_equal(rate, np.zeros(scenario.grid.shape))


def test_a_well_given_twice_counts_twice_with_a_warning():
    document = _wells((TWO_IN_ONE_CELL + TWO_IN_ONE_CELL[:1], RATE_KG_PER_YR))
    with pytest.warns(ScenarioWarning) as caught:
        scenario = load_scenario(document)
    (warning,) = caught
    assert str(warning.message) == (
        "scenario 'small': source.wells 0.geometry gives the well at (400510, 4500510) 2 "
        "times; it counts as 2 wells, with 2 shares of the rate: give it once if it is one well"
    )
    assert scenario.grid.count_points(scenario.sources[0].geometry).max() == 3.0
