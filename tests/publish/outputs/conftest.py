"""Fixtures of the export tests: a small ensemble to export beside the deterministic runs."""

from __future__ import annotations

import pytest

from atlas.ensemble import run_ensemble
from ensemble_cases import strip_ensemble


@pytest.fixture(scope="session")
def tiny_ensemble():
    """The strip scenario with uncertain velocity and dispersivity: 24 realizations on one
    local worker (its result)."""
    scenario = strip_ensemble(
        {
            "realizations": 24,
            "seed": 5,
            "velocity_m_per_yr": {"uniform": [20, 40]},
            "longitudinal_dispersivity_m": {"loguniform": [5, 20]},
        },
        output={"times_yr": [10, 20, 30], "arrival_resolution_yr": 0.5},
    )
    return run_ensemble(scenario, workers=1)
