"""The analytic path: vectorised Ogata-Banks concentrations and arrival times."""

from __future__ import annotations

import numpy as np
import pytest

from atlas.ensemble.analytic import strip_arrival_yr, strip_relative_concentration
from atlas.errors import AtlasError
from atlas.plume.analytic import ogata_banks


def test_the_vectorised_solution_is_ogata_banks_for_every_realization():
    rng = np.random.default_rng(2)
    velocity = rng.uniform(5, 50, 20)
    dispersivity = rng.uniform(1, 50, 20)
    retardation = rng.uniform(1, 3, 20)
    decay = rng.uniform(0, 0.05, 20)
    got = strip_relative_concentration(
        300.0, 25.0, velocity, dispersivity, retardation=retardation, decay_per_yr=decay
    )
    expected = [
        ogata_banks(300.0, 25.0, v, a * v, r, lam)
        for v, a, r, lam in zip(velocity, dispersivity, retardation, decay, strict=True)
    ]
    assert got == pytest.approx(np.array(expected), rel=1e-12, abs=1e-300)


def test_arrival_times_cross_the_threshold_and_nan_when_never():
    velocity = np.array([10.0, 20.0, 40.0, 1.0])
    arrival = strip_arrival_yr(500.0, 0.1, velocity, 10.0, horizon_yr=100.0)
    assert np.isnan(arrival[3])  # 1 m/yr: 500 m takes centuries
    reached = arrival[:3]
    assert np.all(np.diff(reached) < 0)  # faster flow, earlier arrival
    at = strip_relative_concentration(500.0, reached, velocity[:3], 10.0)
    assert at == pytest.approx(0.1, abs=1e-6)
    before = strip_relative_concentration(500.0, reached - 1e-3, velocity[:3], 10.0)
    assert np.all(before < 0.1)


def test_bad_arguments_are_refused():
    with pytest.raises(AtlasError):
        strip_arrival_yr(500.0, 1.5, 20.0, 10.0, horizon_yr=100.0)
    with pytest.raises(AtlasError):
        strip_arrival_yr(500.0, 0.5, np.array([20.0, 0.0]), 10.0, horizon_yr=100.0)
