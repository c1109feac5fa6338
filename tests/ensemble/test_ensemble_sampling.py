"""Latin hypercube samples and each realization's scenario."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from atlas.ensemble.sampling import inverse_cdf, realize, sample
from atlas.scenario.uncertainty import Prior
from ensemble_cases import strip_ensemble

PRIORS = {
    "realizations": 200,
    "seed": 5,
    "velocity_m_per_yr": {"uniform": [20, 30]},
    "longitudinal_dispersivity_m": {"loguniform": [1, 100]},
    "effective_porosity": {"triangular": [0.1, 0.2, 0.4]},
    "thickness_m": {"normal": [10, 3], "bounds": [8, 11]},
    "half_life_yr": {"lognormal": [50, 0.5]},
    "retardation": 1.5,
    "source": {"strip": {"concentration_mg_per_l": {"uniform": [50, 150]}}},
}


@pytest.fixture(scope="module")
def scenario():
    return strip_ensemble(PRIORS)


def test_each_sampled_column_has_one_value_in_each_of_n_equal_probability_strata(scenario):
    uncertainty = scenario.uncertainty
    values = sample(uncertainty, 200, 5)
    for k, prior in enumerate(uncertainty.priors):
        if not prior.sampled:
            assert np.all(values[:, k] == prior.parameters[0])
            continue
        low, high = prior.support
        assert np.all((values[:, k] >= low) & (values[:, k] <= high)), prior.key
        if prior.distribution == "uniform":
            strata = np.floor((values[:, k] - low) / (high - low) * 200).astype(int)
            assert sorted(strata) == list(range(200)), prior.key


def test_same_seed_same_samples_and_another_seed_others(scenario):
    first = sample(scenario.uncertainty, 50, 5)
    assert np.array_equal(first, sample(scenario.uncertainty, 50, 5))
    assert not np.array_equal(first, sample(scenario.uncertainty, 50, 6))


def test_quantile_functions_against_scipy():
    u = np.linspace(0.01, 0.99, 50)
    normal = Prior("thickness_m", "normal", (10.0, 3.0), (8.0, 11.0))
    a, b = (8 - 10) / 3, (11 - 10) / 3
    assert inverse_cdf(normal, u) == pytest.approx(stats.truncnorm.ppf(u, a, b, 10, 3))
    lognormal = Prior("half_life_yr", "lognormal", (50.0, 0.5))
    assert inverse_cdf(lognormal, u) == pytest.approx(stats.lognorm.ppf(u, 0.5, scale=50))
    loguniform = Prior("longitudinal_dispersivity_m", "loguniform", (1.0, 100.0))
    assert inverse_cdf(loguniform, u) == pytest.approx(stats.loguniform.ppf(u, 1, 100))
    triangular = Prior("effective_porosity", "triangular", (0.1, 0.2, 0.4))
    assert inverse_cdf(triangular, u) == pytest.approx(
        stats.triang.ppf(u, 1 / 3, loc=0.1, scale=0.3)
    )


def test_rank_correlations_are_induced_and_the_margins_kept():
    scenario = strip_ensemble(
        {
            "realizations": 500,
            "velocity_m_per_yr": {"uniform": [20, 30]},
            "longitudinal_dispersivity_m": {"loguniform": [1, 100]},
            "correlations": [["velocity_m_per_yr", "longitudinal_dispersivity_m", -0.7]],
        }
    )
    values = sample(scenario.uncertainty, 500, 3)
    rho = stats.spearmanr(values[:, 0], values[:, 1]).statistic
    assert rho == pytest.approx(-0.7, abs=0.05)
    strata = np.floor((values[:, 0] - 20) / 10 * 500).astype(int)
    assert sorted(strata) == list(range(500))  # still a Latin hypercube
    independent = strip_ensemble(
        {
            "realizations": 500,
            "velocity_m_per_yr": {"uniform": [20, 30]},
            "longitudinal_dispersivity_m": {"loguniform": [1, 100]},
        }
    )
    values = sample(independent.uncertainty, 500, 3)
    assert abs(stats.spearmanr(values[:, 0], values[:, 1]).statistic) < 0.15


def test_a_realization_replaces_exactly_the_sampled_fields(scenario):
    priors = scenario.uncertainty.priors
    values = [25.0, 30.0, 0.3, 9.0, 40.0, 1.5, 80.0]
    realization = realize(scenario, priors, values)
    assert realization.flow.velocity_m_per_yr == 25.0
    assert realization.flow.direction_deg == scenario.flow.direction_deg
    aquifer = realization.aquifer
    assert (aquifer.longitudinal_dispersivity_m, aquifer.effective_porosity) == (30.0, 0.3)
    assert (aquifer.thickness_m, aquifer.half_life_yr, aquifer.retardation) == (9.0, 40.0, 1.5)
    assert aquifer.transverse_dispersivity_m == scenario.aquifer.transverse_dispersivity_m
    assert realization.sources[0].concentration_mg_per_l == 80.0
    assert realization.uncertainty is None
    assert scenario.flow.velocity_m_per_yr == 20.0  # the base scenario is untouched


def test_a_conductivity_multiplier_scales_the_conductivity():
    document_heads = {
        "fixed_head": [
            {
                "name": "west",
                "geometry": "LINESTRING (500000 4500000, 500000 4500030)",
                "head_m": 10.0,
            },
            {
                "name": "east",
                "geometry": "LINESTRING (501000 4500000, 501000 4500030)",
                "head_m": 9.0,
            },
        ]
    }
    scenario = strip_ensemble(
        {
            "realizations": 4,
            "conductivity_multiplier": {"loguniform": [0.5, 2]},
            "fixed_head": {"east": {"head_m": {"uniform": [8, 9]}}},
        },
        flow=document_heads,
    )
    realization = realize(scenario, scenario.uncertainty.priors, [2.0, 8.5])
    assert realization.aquifer.hydraulic_conductivity_m_per_day == 8.0
    assert [h.head_m for h in realization.flow.fixed_heads] == [10.0, 8.5]
