"""The observation hook: a rule run on the workers decides which realizations are kept; the
rejected ones stay in the table, out of the probabilities; rejecting all is an error."""

from __future__ import annotations

import sys

import cloudpickle
import numpy as np
import pytest

from atlas.ensemble import EnsembleError, run_ensemble
from ensemble_cases import strip_ensemble

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/


def arrives_by_15_yr(result) -> bool:
    """Kept when 10 mg/L reaches the line by year 15 (a stand-in for an observation)."""
    arrival = result.dataset["arrival_yr"].sel(receptor="line", threshold_mg_per_l=10.0).item()
    return bool(arrival <= 15.0)


def never(result) -> bool:
    return False


@pytest.fixture(scope="module")
def scenario():
    return strip_ensemble(
        {"realizations": 40, "seed": 3, "velocity_m_per_yr": {"uniform": [20, 40]}}
    )


def test_rejected_realizations_stay_in_the_table_out_of_the_probabilities(client, scenario):
    everything = run_ensemble(scenario, client=client, analytic=False)  # as with keep=
    constrained = run_ensemble(scenario, client=client, keep=arrives_by_15_yr)
    table = constrained.realizations
    arrival = table["arrival_yr.line.10"]
    assert np.array_equal(table["kept"], arrival <= 15.0)
    assert 0 < constrained.kept == table["kept"].sum() < len(table) == 40
    assert table.drop(columns="kept").equals(everything.realizations.drop(columns="kept"))
    kept_fast = table.loc[table["kept"], "velocity_m_per_yr"]
    assert kept_fast.min() > table["velocity_m_per_yr"].min()  # the slow ones are ruled out
    probability = constrained.dataset["exceedance_probability"]
    assert np.all(probability >= everything.dataset["exceedance_probability"] - 1e-12)
    assert (
        constrained.dataset["never_arrived_probability"]
        .sel(receptor="line", threshold_mg_per_l=10.0)
        .item()
        == 0.0
    )


def test_rejecting_every_realization_is_a_clear_error(client, scenario):
    with pytest.raises(EnsembleError, match="none of the 40 realizations is consistent"):
        run_ensemble(scenario, client=client, keep=never)
