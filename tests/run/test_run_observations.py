"""A run against its observations: the modelled value at each, at its exact time, and whether
it agrees, in the dataset and summary.json."""

from __future__ import annotations

import numpy as np
import pytest

from atlas.observed import agrees_with_all, observation_rows, observed_mg_per_l
from atlas.publish.outputs import read_result, write_result
from atlas.publish.outputs.summary import summary
from atlas.run import run_scenario
from atlas.scenario import load_scenario
from plume_cases import strip_scenario

LINE = "LINESTRING (500505 4500000, 500505 4500030)"  # the strip's receptor "line"


@pytest.fixture(scope="module")
def observed_strip():
    document = strip_scenario(
        observation=[
            # 12.1 yr lies between the records (every 0.25 yr): recorded at its exact time
            {"name": "seen", "geometry": LINE, "time_yr": 12.1, "min_concentration_mg_per_l": 10},
            {
                "name": "unseen",
                "geometry": LINE,
                "year": 1970,  # start_year 1965: t = 5 yr
                "detected": False,
                "threshold_mg_per_l": 10.0,
            },
        ]
    )
    return run_scenario(load_scenario(document))


def test_an_observation_is_the_receptor_record_at_its_exact_time(observed_strip):
    dataset = observed_strip.dataset
    record = dataset["receptor_concentration"].sel(receptor="line")
    assert 12.1 in record["record_time_yr"].values
    expected = [record.sel(record_time_yr=12.1).item(), record.sel(record_time_yr=5.0).item()]
    np.testing.assert_array_equal(observed_mg_per_l(observed_strip), expected)
    assert dataset["observed_concentration"].attrs["modelled"]
    assert list(dataset["observation_time_yr"].values) == [12.1, 5.0]


def test_each_observation_is_reported_met_or_not(observed_strip):
    seen, unseen = observed_mg_per_l(observed_strip)
    assert seen < 10.0
    assert unseen < 10.0
    rows = {row["observation"]: row for row in observation_rows(observed_strip)}
    assert (rows["seen"]["met"], rows["unseen"]["met"]) == (False, True)
    assert (
        "does not agree with the observation (>= 10 mg/L at year 12.1)" in rows["seen"]["sentence"]
    )
    assert "agrees with the observation (< 10 mg/L in 1970)" in rows["unseen"]["sentence"]
    assert agrees_with_all(observed_strip) is False
    assert summary(observed_strip)["observations"] == observation_rows(observed_strip)


def test_observations_survive_the_output_files(observed_strip, tmp_path):
    write_result(observed_strip, tmp_path / "out")
    again = read_result(tmp_path / "out", observed_strip.scenario)
    assert again is not None
    np.testing.assert_array_equal(observed_mg_per_l(again), observed_mg_per_l(observed_strip))
    assert observation_rows(again) == observation_rows(observed_strip)
