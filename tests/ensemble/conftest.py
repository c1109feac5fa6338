"""Fixtures of the ensemble tests: one small Dask cluster (2 worker processes) for the session,
and a strip scenario with priors."""

from __future__ import annotations

import pytest

from atlas.ensemble import ensemble_client
from ensemble_cases import strip_ensemble


@pytest.fixture(scope="session")
def client():
    """A client of a LocalCluster of 2 worker processes (one thread each), shut down at the
    end of the session."""
    with ensemble_client(workers=2) as dask_client:
        yield dask_client


@pytest.fixture(scope="session")
def velocity_ensemble(client):
    """A strip with a uniform prior on the velocity, 30 yr horizon: its result."""
    from atlas.ensemble import run_ensemble

    scenario = strip_ensemble(
        {"realizations": 100, "seed": 11, "velocity_m_per_yr": {"uniform": [20, 40]}},
        output={"times_yr": [5, 10, 20, 30], "arrival_resolution_yr": 0.25},
    )
    return scenario, run_ensemble(scenario, client=client, analytic=False)
