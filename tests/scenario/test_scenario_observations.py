"""[[observation]] entries: read in every accepted form, every bad entry reported at its key."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pyproj import Transformer
from scenario_documents import BASE

from atlas.errors import ScenarioError
from atlas.scenario import load_scenario


def with_observations(*entries: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    document["observation"] = [copy.deepcopy(e) for e in entries]
    return document


WELL = {"name": "well", "geometry": "POINT (401000 4500500)", "year": 2010}


def problems(document) -> dict[str, str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(document)
    return {p.where: f"{p.message}; {p.fix}" for p in caught.value.problems}


def test_a_minimum_concentration_in_a_calendar_year():
    (observation,) = load_scenario(
        with_observations(WELL | {"min_concentration_mg_per_l": 5.0})
    ).observations
    assert (observation.time_yr, observation.year) == (10.0, 2010)  # start_year 2000
    assert (observation.threshold_mg_per_l, observation.detected) == (5.0, True)
    assert observation.met(5.0)
    assert not observation.met(4.99)
    assert observation.describe() == ">= 5 mg/L in 2010"


def test_not_detected_at_a_threshold_at_lon_lat():
    to_degrees = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)
    lon, lat = to_degrees.transform(401_000.0, 4_500_500.0)
    entry = {"name": "w", "lon": lon, "lat": lat, "time_yr": 15.0}
    entry |= {"detected": False, "threshold_mg_per_l": 1.0}
    (observation,) = load_scenario(with_observations(entry)).observations
    assert observation.geometry.distance(load_scenario(BASE).grid.box.centroid) < 1e-3
    assert (observation.time_yr, observation.year, observation.detected) == (15.0, None, False)
    assert observation.met(0.5)
    assert not observation.met(1.0)


BAD = {
    "outside the grid": (
        WELL | {"geometry": "POINT (500000 4500500)", "min_concentration_mg_per_l": 1.0},
        "observation.well.geometry",
        "outside the grid",
    ),
    "lon/lat outside the grid": (
        {"name": "well", "lon": 10.0, "lat": 50.0, "year": 2010, "min_concentration_mg_per_l": 1},
        "observation.well.lon",
        "outside the grid",
    ),
    "after the horizon": (
        WELL | {"year": 2021, "min_concentration_mg_per_l": 1.0},
        "observation.well.year",
        "year 2021 (t = 21 yr) is outside the run, t in (0, 20] yr",
    ),
    "before the start": (
        WELL | {"year": 1999, "min_concentration_mg_per_l": 1.0},
        "observation.well.year",
        "outside the run",
    ),
    "unknown key": (
        WELL | {"min_concentration_mg_per_l": 1.0, "treshold_mg_per_l": 1.0},
        "observation.well.treshold_mg_per_l",
        "unknown key; did you mean 'threshold_mg_per_l'?",
    ),
    "both conditions": (
        WELL | {"min_concentration_mg_per_l": 1.0, "detected": True, "threshold_mg_per_l": 1.0},
        "observation.well",
        "needs exactly one condition",
    ),
    "no condition": (WELL, "observation.well", "needs exactly one condition"),
    "detected not a boolean": (
        WELL | {"detected": "yes", "threshold_mg_per_l": 1.0},
        "observation.well.detected",
        "expected true or false, found 'yes'",
    ),
    "negative threshold": (
        WELL | {"min_concentration_mg_per_l": -1.0},
        "observation.well.min_concentration_mg_per_l",
        "must be > 0",
    ),
    "year and time": (
        WELL | {"time_yr": 5.0, "min_concentration_mg_per_l": 1.0},
        "observation.well",
        "needs exactly one of year (calendar) or time_yr",
    ),
    "no place": (
        {"name": "well", "year": 2010, "min_concentration_mg_per_l": 1.0},
        "observation.well",
        "missing its place",
    ),
}


@pytest.mark.parametrize(("entry", "where", "says"), BAD.values(), ids=BAD.keys())
def test_each_bad_observation_is_reported_at_its_key(entry, where, says):
    assert says in problems(with_observations(entry))[where]


def test_a_calendar_year_needs_a_start_year():
    document = with_observations(WELL | {"min_concentration_mg_per_l": 1.0})
    del document["start_year"]
    assert "needs the scenario's start_year" in problems(document)["observation.well.year"]


def test_a_flow_only_scenario_has_nothing_to_observe():
    document = with_observations(WELL | {"min_concentration_mg_per_l": 1.0})
    del document["source"]
    assert "flow-only" in problems(document)["observation"]


def test_names_are_unique_and_observations_need_provenance():
    entry = WELL | {"min_concentration_mg_per_l": 1.0}
    assert "more than once" in problems(with_observations(entry, entry))["observation.well"]
    scenario = load_scenario(with_observations(entry))
    assert "observation.well.geometry" in scenario.undocumented
