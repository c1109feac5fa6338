"""A worker runs its realizations' kernels on one of numba's threads: the workers are the
parallelism, and two worker processes each starting a thread per core competed for the cores."""

from __future__ import annotations

import sys
from dataclasses import replace

import cloudpickle
import numba
import pytest

from atlas.ensemble import run_ensemble
from atlas.ensemble.engine import run_batch
from atlas.ensemble.sampling import sample
from ensemble_cases import strip_ensemble

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/
pytestmark = pytest.mark.skipif(
    numba.config.NUMBA_NUM_THREADS < 2, reason="numba's thread pool has a single thread here"
)


def on_one_numba_thread(result) -> bool:
    """Kept when the realization's kernels ran on one of numba's threads."""
    return numba.get_num_threads() == 1


def _scenario():
    return strip_ensemble(
        {"realizations": 6, "seed": 5, "velocity_m_per_yr": {"uniform": [20, 40]}}
    )


def test_every_realization_runs_on_one_numba_thread_on_the_workers(client):
    result = run_ensemble(_scenario(), client=client, keep=on_one_numba_thread)
    assert result.kept == 6


def test_a_batch_run_in_process_gives_the_caller_its_threads_back():
    scenario = _scenario()
    uncertainty = scenario.uncertainty
    values = sample(uncertainty, 2, uncertainty.seed)
    seen: list[int] = []

    def keep(result) -> bool:
        seen.append(numba.get_num_threads())
        return True

    before = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        tally = run_batch(replace(scenario, uncertainty=None), uncertainty.priors, values, 0, keep)
        after = numba.get_num_threads()
    finally:
        numba.set_num_threads(before)
    assert seen == [1, 1]
    assert tally.kept == 2
    assert after == 2
