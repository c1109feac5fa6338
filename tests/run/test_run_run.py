"""run_scenario(): the numbers against closed forms, the Dataset's shape and labels, the budget."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import brentq

import atlas.plume.scheme
import atlas.run
from atlas.plume.analytic import ogata_banks
from atlas.plume.flow import DAYS_PER_YEAR
from atlas.plume.scheme import face_dispersion
from atlas.result import MODELLED_LABEL
from atlas.run import flow_field, run_scenario
from atlas.scenario import load_scenario
from plume_cases import strip_scenario


def strip_closed_form(scenario):
    """C in mg/L (of distance downstream of the held column, in m, and time, in yr) of the
    strip's 1-D Ogata-Banks solution, read from the scenario."""
    (source,) = scenario.sources
    velocity = scenario.flow.velocity_m_per_yr
    dispersion = scenario.aquifer.longitudinal_dispersivity_m * velocity
    return lambda distance_m, time_yr: (
        source.concentration_mg_per_l * ogata_banks(distance_m, time_yr, velocity, dispersion)
    )


def test_strip_profile_matches_ogata_banks(strip):
    scenario, result = strip[0], strip[1].dataset
    concentration = strip_closed_form(scenario)
    held = scenario.sources[0].concentration_mg_per_l
    distance = result["x"].values - result["x"].values[0]  # from the held column's centre
    for time_yr in scenario.output_times_yr:
        modelled = result["concentration"].sel(time_yr=time_yr).mean("y").values
        assert np.max(np.abs(modelled - concentration(distance, time_yr))) < 0.03 * held


def test_arrival_times_match_the_closed_form(strip):
    scenario, result = strip[0], strip[1].dataset
    concentration = strip_closed_form(scenario)
    (receptor,) = scenario.receptors
    distance = receptor.geometry.centroid.x - result["x"].values[0]  # 500 m from the held column
    early, late = receptor.thresholds_mg_per_l
    horizon_yr = scenario.output_times_yr[-1]
    expected = {
        threshold: brentq(lambda t, c=threshold: concentration(distance, t) - c, 1.0, 100.0)
        for threshold in (early, late)
    }
    assert expected[early] < horizon_yr < expected[late]  # one arrives within the run, one after

    def modelled(threshold):
        return result["arrival_yr"].sel(receptor=receptor.name, threshold_mg_per_l=threshold).item()

    assert modelled(early) == pytest.approx(expected[early], abs=0.5)
    assert np.isnan(modelled(late))


def test_arrivals_are_resolved_finer_than_the_output_times(strip):
    scenario, result = strip[0], strip[1].dataset
    arrival = result["arrival_yr"].sel(receptor="line", threshold_mg_per_l=10.0).item()
    assert arrival not in scenario.output_times_yr
    # t = 0 and every arrival_resolution_yr up to the last output time
    records = round(scenario.output_times_yr[-1] / scenario.arrival_resolution_yr) + 1
    assert result["record_time_yr"].size == records
    calendar = result["arrival_calendar_year"].sel(receptor="line", threshold_mg_per_l=10.0)
    assert calendar.item() == pytest.approx(scenario.start_year + arrival)


def test_dataset_is_north_up_labelled_and_carries_the_crs(strip):
    scenario, result = strip[0], strip[1].dataset
    assert result["concentration"].dims == ("time_yr", "y", "x")
    assert np.all(np.diff(result["y"].values) < 0)
    assert result.rio.crs.to_epsg() == 32649
    for name, variable in result.data_vars.items():
        assert variable.attrs["units"], name
        assert variable.attrs["long_name"], name
        assert variable.attrs["modelled"] == MODELLED_LABEL
    assert "advection-dispersion" in result.attrs["assumptions"]
    calendar = [scenario.start_year + time_yr for time_yr in scenario.output_times_yr]
    np.testing.assert_array_equal(result["calendar_year"].values, calendar)


def test_mass_budget_closes(strip):
    result = strip[1].dataset
    stored = result["mass_stored_kg"].values
    balance = result["mass_in_kg"] - result["mass_out_kg"] - result["mass_decayed_kg"]
    np.testing.assert_allclose(stored, balance.values, rtol=1e-9)
    assert np.all(np.diff(result["mass_in_kg"].values) > 0)


def test_uniform_flow_head_falls_along_the_flow_at_the_implied_gradient(strip):
    scenario, result = strip[0], strip[1].dataset
    velocity = scenario.flow.velocity_m_per_yr
    aquifer = scenario.aquifer
    head = result["head_m"].isel(y=0).values
    gradient = (
        velocity
        * aquifer.effective_porosity
        / (aquifer.hydraulic_conductivity_m_per_day * DAYS_PER_YEAR)
    )
    np.testing.assert_allclose(-np.diff(head) / scenario.grid.cell_size_m, gradient, rtol=1e-9)
    assert head[-1] == 0.0
    np.testing.assert_allclose(result["velocity_x_m_per_yr"].values, velocity)


def test_uniform_flow_without_conductivity_has_no_head():
    document = strip_scenario()
    del document["aquifer"]["hydraulic_conductivity_m_per_day"]
    assert np.isnan(flow_field(load_scenario(document)).head_m).all()


def test_head_driven_flow_between_two_lines_is_uniform():
    document = strip_scenario(
        flow={
            "fixed_head": [
                {
                    "name": "w",
                    "geometry": "LINESTRING (500005 4500000, 500005 4500030)",
                    "head_m": 11.0,
                },
                {
                    "name": "e",
                    "geometry": "LINESTRING (500995 4500000, 500995 4500030)",
                    "head_m": 1.1,
                },
            ]
        }
    )
    flow = flow_field(load_scenario(document))
    np.testing.assert_allclose(flow.head_m[1], np.linspace(11.0, 1.1, 100), atol=1e-9)
    expected = 4.0 * DAYS_PER_YEAR * (9.9 / 990.0) / 0.25
    np.testing.assert_allclose(flow.vx_face_m_per_yr[:, 1:-1], expected, rtol=1e-9)


def test_cutting_the_run_into_segments_changes_nothing(strip, monkeypatch):
    scenario, whole = strip[0], strip[1].dataset
    monkeypatch.setattr(atlas.run, "DENSE_RECORD_BYTES", 8 * 3 * 100 * 7)  # 7 records
    decompositions = []

    def counted(*args):
        decompositions.append(args)
        return face_dispersion(*args)

    monkeypatch.setattr(atlas.run, "face_dispersion", counted, raising=False)
    monkeypatch.setattr(atlas.plume.scheme, "face_dispersion", counted)
    cut = run_scenario(scenario).dataset
    assert len(decompositions) == 1  # once per run, not once per segment
    # the segments take the steps of one run, in the same split order
    np.testing.assert_array_equal(cut["concentration"], whole["concentration"])
    np.testing.assert_array_equal(cut["arrival_yr"], whole["arrival_yr"])
    for term in ("mass_in_kg", "mass_stored_kg", "mass_out_kg"):
        np.testing.assert_allclose(cut[term], whole[term], rtol=1e-12)


def test_source_switched_off_and_decay_keep_the_budget(monkeypatch):
    document = strip_scenario(output={"times_yr": [4, 8], "arrival_resolution_yr": 1.0})
    document["source"][0]["end_yr"] = 3.0
    document["aquifer"]["half_life_yr"] = 5.0
    monkeypatch.setattr(atlas.run, "DENSE_RECORD_BYTES", 8 * 3 * 100 * 3)
    result = run_scenario(load_scenario(document)).dataset
    mass_in = result["mass_in_kg"].values
    assert mass_in[1] == pytest.approx(mass_in[0])  # nothing enters after year 3
    assert result["mass_decayed_kg"].values[1] > result["mass_decayed_kg"].values[0] > 0
    balance = result["mass_in_kg"] - result["mass_out_kg"] - result["mass_decayed_kg"]
    np.testing.assert_allclose(result["mass_stored_kg"], balance, rtol=1e-9)


def test_progress_reaches_one_and_never_goes_back(strip):
    scenario, _ = strip
    seen: list[float] = []
    run_scenario(scenario, progress=seen.append)
    assert seen
    assert seen[-1] == pytest.approx(1.0)
    assert all(b >= a for a, b in itertools.pairwise(seen))


def test_a_scenario_without_source_or_initial_plume_runs_flow_only(strip):
    scenario = replace(strip[0], sources=(), initial=None)
    seen: list[float] = []
    result = run_scenario(scenario, progress=seen.append)
    assert not result.transports
    assert "concentration" not in result.dataset
    np.testing.assert_allclose(
        result.dataset["velocity_x_m_per_yr"].values, scenario.flow.velocity_m_per_yr, rtol=1e-12
    )
    assert result.isochrones.empty
    assert result.arrivals.empty
    assert result.output_times.empty
    assert result.source_flow is None
    assert any(line.startswith("flow only") for line in result.assumptions)
    assert seen == [1.0]


def _across_flow_variance_m2(geometry: str) -> float:
    """Variance (m^2) across the flow of all the solute after 5 years from a 1 kg/yr source at
    ``geometry`` in a 410 m x 410 m grid of 10 m cells with flow to the east."""
    document = strip_scenario(
        grid={"bounds_m": [500_000, 4_500_000, 500_410, 4_500_410], "cell_size_m": 10.0},
        source=[{"name": "well", "geometry": geometry, "mass_rate_kg_per_yr": 1.0}],
        receptor=[],
        output={"times_yr": [5], "arrival_resolution_yr": 1.0},
    )
    result = run_scenario(load_scenario(document)).dataset
    across = result["concentration"].isel(time_yr=-1).sum("x")
    north_m = result["y"].values
    centre = float((across * north_m).sum() / across.sum())
    return float((across * (north_m - centre) ** 2).sum() / across.sum())


def test_a_point_source_enters_at_its_cell_centre_and_an_area_over_its_cell():
    """A scenario source given as a point is a well: its inflow enters with 1/12 of a cell
    squared less variance than the same cell given as an area (atlas.plume.sources), and
    dispersion across the flow is linear, so the plumes keep that difference (to 0.3 %: each
    step shares a source between the split operators by their outflows from its cells,
    atlas.plume.stages.share_sources, which is not linear in the concentration)."""
    point = _across_flow_variance_m2("POINT (500105 4500205)")
    cell = _across_flow_variance_m2(
        "POLYGON ((500100 4500200, 500110 4500200, 500110 4500210, 500100 4500210, 500100 4500200))"
    )
    assert cell - point == pytest.approx(10.0**2 / 12, rel=0.01)  # measured 8.31 m^2
