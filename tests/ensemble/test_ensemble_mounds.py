"""Each realization's leakage mound at the observations and under the sources, flagged when it
exceeds the stated fraction of the thickness (outside the confined approximation)."""

from __future__ import annotations

import numpy as np
import pytest

from atlas.ensemble.mounds import (
    MOUND_VALID_FRACTION,
    VALID_COLUMN,
    mound_column,
    mound_columns,
    mound_line,
)
from atlas.ensemble.sampling import realize
from atlas.run import mound_m
from ensemble_cases import strip_ensemble
from plume_cases import strip_scenario

LINE = "LINESTRING (500505 4500000, 500505 4500030)"
FRONT = {"name": "front", "geometry": LINE, "time_yr": 15.0, "min_concentration_mg_per_l": 10.0}
LEAKAGE = {"loguniform": [10, 5000]}


@pytest.fixture(scope="module")
def leaking():
    sources = strip_scenario()["source"]
    sources[0]["leakage_mm_per_yr"] = 100.0
    priors = {
        "realizations": 4,
        "thickness_m": {"uniform": [5, 20]},
        "source": {"strip": {"leakage_mm_per_yr": LEAKAGE}},
    }
    return strip_ensemble(priors, observation=[FRONT], source=sources)


def test_mound_heights_scale_with_the_leakage_and_are_flagged_above_a_fraction_of_b(leaking):
    priors = leaking.uncertainty.priors
    # (thickness m, leakage mm/yr): a 10 m x 30 m source needs metres a year for a mound
    samples = np.array([[10.0, 1e5], [10.0, 1e6], [20.0, 1e6], [10.0, 0.0]])
    columns = mound_columns(leaking, priors, samples)
    at_source, at_front = columns[mound_column("strip")], columns[mound_column("front")]
    # linear in the leakage, as 1 / b
    assert at_source[1] == pytest.approx(10 * at_source[0], rel=1e-9)
    assert at_source[2] == pytest.approx(at_source[1] / 2, rel=1e-9)
    assert at_source[3] == 0.0
    assert (at_source[:3] > at_front[:3]).all()  # highest under the source
    realized = realize(leaking, priors, samples[1])
    front_cells = leaking.grid.rasterize(leaking.observations[0].geometry)
    assert at_front[1] == pytest.approx(mound_m(realized)[front_cells].max())
    assert 1.0 < at_source[0] < MOUND_VALID_FRACTION * 10.0 < at_source[2]
    assert at_source[2] > MOUND_VALID_FRACTION * 20.0
    np.testing.assert_array_equal(columns[VALID_COLUMN], [True, False, False, True])
    line = mound_line(columns, np.array([True, True, False, False]))
    assert line.startswith("1 of the 2 kept realizations have a leakage mound under a source")


def test_no_leaking_source_no_mound_columns():
    scenario = strip_ensemble({"realizations": 2, "velocity_m_per_yr": {"uniform": [10, 20]}})
    assert mound_columns(scenario, scenario.uncertainty.priors, np.array([[10.0], [20.0]])) == {}
    assert mound_line({}, np.array([True])) is None
