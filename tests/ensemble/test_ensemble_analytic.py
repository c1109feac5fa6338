"""The analytic path: vectorised Ogata-Banks concentrations and arrival times, taken by the
ensembles of a strip, where it agrees with the numerical runs within the scheme's tolerance."""

from __future__ import annotations

import numpy as np
import pytest

from atlas.ensemble import run_ensemble
from atlas.ensemble.analytic import (
    strip_arrival_yr,
    strip_of,
    strip_realizations,
    strip_relative_concentration,
)
from atlas.ensemble.sampling import realize, sample
from atlas.errors import AtlasError
from atlas.plume.analytic import ogata_banks
from atlas.run import run_scenario
from atlas.scenario import load_scenario
from ensemble_cases import strip_ensemble
from plume_cases import strip_scenario


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


STRIP_PRIORS = {
    "realizations": 24,
    "seed": 5,
    "velocity_m_per_yr": {"uniform": [20, 40]},
    "longitudinal_dispersivity_m": {"loguniform": [5, 20]},
    "source": {"strip": {"concentration_mg_per_l": {"uniform": [80, 120]}}},
}


def test_a_strip_takes_the_closed_form_and_a_pond_does_not():
    scenario = strip_ensemble(STRIP_PRIORS)
    strip = strip_of(scenario, scenario.uncertainty.priors)
    assert strip is not None
    assert strip.receptor_distance_m.tolist() == [500.0]  # the line, from the held column
    turned = strip_ensemble(STRIP_PRIORS | {"direction_deg": {"uniform": [80, 100]}})
    assert strip_of(turned, turned.uncertainty.priors) is None  # oblique realizations
    still = strip_ensemble(STRIP_PRIORS | {"velocity_m_per_yr": {"uniform": [0, 40]}})
    assert strip_of(still, still.uncertainty.priors) is None  # no closed form at v = 0
    pond = strip_scenario()
    pond["source"][0]["geometry"] = (
        "POLYGON ((500000 4500000, 500010 4500000, 500010 4500010, 500000 4500010, 500000 4500000))"
    )
    pond["uncertainty"] = STRIP_PRIORS | {"source": {}}
    scenario = load_scenario(pond)
    assert strip_of(scenario, scenario.uncertainty.priors) is None  # not across the aquifer


def test_each_realization_in_closed_form_agrees_with_its_numerical_run():
    scenario = strip_ensemble(STRIP_PRIORS)
    priors = scenario.uncertainty.priors
    strip = strip_of(scenario, priors)
    rows = sample(scenario.uncertainty, 4, 5)
    realized = [realize(scenario, priors, row) for row in rows]
    fields, arrival, _ = strip_realizations(realized, strip)
    for k, one in enumerate(realized):
        run = run_scenario(one).dataset
        held = one.sources[0].concentration_mg_per_l
        numerical = run["concentration"].values[:, ::-1]  # north-up to y-up
        assert np.abs(fields[k] - numerical).max() < 0.03 * held  # the scheme's tolerance
        np.testing.assert_allclose(arrival[k], run["arrival_yr"].values, atol=0.5)


def test_the_analytic_and_numerical_ensembles_agree(client):
    scenario = strip_ensemble(STRIP_PRIORS)
    closed = run_ensemble(scenario, client=client)
    numerical = run_ensemble(scenario, client=client, analytic=False)
    assert "exact Ogata-Banks" in closed.assumptions[0]
    assert "ordinary run" in numerical.assumptions[0]
    columns = [c for c in closed.realizations if c.startswith("arrival_yr.")]
    a, b = closed.realizations[columns].values, numerical.realizations[columns].values
    assert np.array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, atol=0.5)
    difference = (
        closed.dataset["exceedance_probability"] - numerical.dataset["exceedance_probability"]
    )
    assert float(np.abs(difference).mean()) < 0.02  # realizations near a threshold may differ
