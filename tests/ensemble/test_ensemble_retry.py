"""A worker killed in the middle of an ensemble: its tasks are run again, the result is
unchanged."""

from __future__ import annotations

import os
import signal

import xarray as xr

from atlas.ensemble import run_ensemble
from ensemble_cases import strip_ensemble


def test_a_killed_worker_changes_nothing(client):
    scenario = strip_ensemble(
        {"realizations": 48, "seed": 9, "velocity_m_per_yr": {"uniform": [20, 40]}}
    )
    reference = run_ensemble(scenario, client=client, analytic=False)
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_one_worker(fraction: float) -> None:
        if not killed:  # at the first batch done: the others are still running or waiting
            assert fraction < 1
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    again = run_ensemble(scenario, client=client, progress=kill_one_worker, analytic=False)
    assert killed
    assert killed[0] not in client.run(os.getpid).values()  # the nanny started another
    xr.testing.assert_identical(again.dataset, reference.dataset)
    assert again.realizations.equals(reference.realizations)
