"""run_ensemble on a real LocalCluster: degenerate priors give the deterministic run, the
probabilities are monotone, the arrival quantiles match the closed form, and the outputs do not
depend on the number of workers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import xarray as xr
from distributed import Client, LocalCluster
from scipy.optimize import brentq

from atlas.ensemble import run_ensemble
from atlas.ensemble.result import ARRIVAL_QUANTILES
from atlas.plume.analytic import ogata_banks
from atlas.run import run_scenario
from ensemble_cases import strip_ensemble


def test_degenerate_priors_give_the_deterministic_run(client):
    fixed = {
        "realizations": 3,
        "velocity_m_per_yr": 30.0,
        "longitudinal_dispersivity_m": 5.0,
        "source": {"strip": {"concentration_mg_per_l": 80.0}},
    }
    scenario = strip_ensemble(fixed)
    ensemble = run_ensemble(scenario, client=client, analytic=False).dataset
    base = replace(scenario, uncertainty=None)
    deterministic = run_scenario(
        replace(
            base,
            flow=replace(base.flow, velocity_m_per_yr=30.0),
            aquifer=replace(base.aquifer, longitudinal_dispersivity_m=5.0),
            sources=(replace(base.sources[0], concentration_mg_per_l=80.0),),
        )
    ).dataset
    concentration = deterministic["concentration"]
    assert not np.array_equal(concentration, run_scenario(base).dataset["concentration"])
    for threshold in scenario.thresholds_mg_per_l:
        assert np.array_equal(
            ensemble["exceedance_probability"].sel(threshold_mg_per_l=threshold),
            (concentration >= threshold).astype(float),
        )
    for quantile in (0.5, 0.95):
        assert np.array_equal(
            ensemble["concentration_quantile"].sel(quantile=quantile), concentration
        )
    arrival = deterministic["arrival_yr"].values
    for k in range(len(ARRIVAL_QUANTILES)):
        assert np.array_equal(
            ensemble["arrival_quantile_yr"].values[..., k], arrival, equal_nan=True
        )
    assert np.array_equal(ensemble["never_arrived_probability"], np.isnan(arrival))


def test_exceedance_is_monotone_in_time_and_threshold(velocity_ensemble):
    probability = velocity_ensemble[1].dataset["exceedance_probability"].values
    assert np.all(np.diff(probability, axis=1) >= 0)  # a continuous source: only grows
    assert np.all(np.diff(probability, axis=0) <= 0)  # a higher threshold: less likely
    assert 0 < probability.mean() < 1


def arrival_closed_form(scenario, threshold_mg_per_l, velocity_m_per_yr):
    """Ogata-Banks arrival of a threshold 500 m downstream of the held column, in years."""
    held = scenario.sources[0].concentration_mg_per_l
    dispersivity = scenario.aquifer.longitudinal_dispersivity_m

    def excess(time_yr):
        relative = ogata_banks(500.0, time_yr, velocity_m_per_yr, dispersivity * velocity_m_per_yr)
        return float(relative) - threshold_mg_per_l / held

    return brentq(excess, 0.5, 500.0)


@pytest.mark.parametrize("threshold", [10.0, 50.0])
def test_arrival_quantiles_match_the_closed_form_under_a_uniform_velocity(
    velocity_ensemble, threshold
):
    scenario, result = velocity_ensemble
    low, high = scenario.uncertainty.priors[0].parameters
    horizon = scenario.horizon_yr
    modelled = result.dataset["arrival_quantile_yr"].sel(
        receptor="line", threshold_mg_per_l=threshold
    )
    for q, value in zip(ARRIVAL_QUANTILES, modelled.values, strict=True):
        velocity = high - q * (high - low)  # arrival falls as the velocity rises
        expected = arrival_closed_form(scenario, threshold, velocity)
        if expected > horizon + 0.6:
            assert np.isnan(value), q
        elif expected < horizon - 0.6:
            assert value == pytest.approx(expected, abs=0.6), q  # model error + 1/N stratum
    slowest = (
        brentq(lambda v: arrival_closed_form(scenario, threshold, v) - horizon, low, high)
        if (arrival_closed_form(scenario, threshold, low) > horizon)
        else low
    )
    never = result.dataset["never_arrived_probability"].sel(
        receptor="line", threshold_mg_per_l=threshold
    )
    assert float(never) == pytest.approx((slowest - low) / (high - low), abs=0.05)


def test_the_realization_table_holds_parameters_arrivals_and_kept(velocity_ensemble):
    table = velocity_ensemble[1].realizations
    assert list(table.columns) == [
        "realization",
        "velocity_m_per_yr",
        "arrival_yr.line.10",
        "arrival_yr.line.50",
        "kept",
    ]
    assert table["realization"].tolist() == list(range(100))
    assert table["kept"].all()
    fast = table.sort_values("velocity_m_per_yr")
    arrivals = fast["arrival_yr.line.10"].to_numpy()
    assert np.all(np.diff(arrivals[~np.isnan(arrivals)]) <= 0)


def test_the_same_seed_gives_identical_outputs_on_one_and_two_workers(client):
    scenario = strip_ensemble(
        {
            "realizations": 24,
            "seed": 4,
            "velocity_m_per_yr": {"uniform": [20, 40]},
            "longitudinal_dispersivity_m": {"loguniform": [2, 20]},
        }
    )
    on_two = run_ensemble(scenario, client=client, analytic=False)
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster, set_as_default=False) as one,
    ):
        on_one = run_ensemble(scenario, client=one, analytic=False)
    xr.testing.assert_identical(on_one.dataset, on_two.dataset)
    assert on_one.realizations.equals(on_two.realizations)
    other_seed = run_ensemble(scenario, client=client, seed=5, analytic=False)
    assert not other_seed.realizations.equals(on_two.realizations)


def test_head_driven_realizations_take_the_numerical_solver_with_their_own_heads(client):
    heads = {
        "fixed_head": [
            {
                "name": "west",
                "geometry": "LINESTRING (500000 4500000, 500000 4500030)",
                "head_m": 30.0,
            },
            {
                "name": "east",
                "geometry": "LINESTRING (500995 4500000, 500995 4500030)",
                "head_m": 9.0,
            },
        ]
    }
    scenario = strip_ensemble(
        {
            "realizations": 6,
            "seed": 2,
            "conductivity_multiplier": {"loguniform": [0.5, 2]},
            "fixed_head": {"east": {"head_m": {"uniform": [8, 9]}}},
        },
        flow=heads,
    )
    result = run_ensemble(scenario, client=client)
    table = result.realizations
    assert table["kept"].all()
    assert len(table) == 6
    # a steeper gradient or a larger conductivity moves the plume faster: earlier arrival
    speed = table["conductivity_multiplier"] * (30.0 - table["fixed_head.east.head_m"])
    arrival = table["arrival_yr.line.10"].to_numpy()
    order = np.argsort(speed.to_numpy())
    reached = arrival[order][~np.isnan(arrival[order])]
    assert reached.size >= 2
    assert np.all(np.diff(reached) < 0)
