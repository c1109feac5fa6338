"""Run one benchmark case in this (fresh) process and measure its time and memory.

:mod:`transport_bench` starts one process per case, so that the peak resident memory of the
process belongs to that case alone. Order of work in the process:

1. build the inputs (the initial concentration field; not timed, not in the memory figure);
2. warm up: solve a 16 x 16 case with the same solver, so numba compiles or loads its cache
   and FiPy imports its solver suite (reported as ``warmup_s``, excluded from the timings);
3. read ``ru_maxrss`` (the baseline), solve the case ``repeats`` times, read ``ru_maxrss``
   again: ``peak_mb`` is the growth of the peak resident set, i.e. everything the solver
   allocated beyond the inputs and the warmed-up interpreter (numpy arrays, numba's own
   allocations and FiPy's sparse matrices alike, which tracemalloc would partly miss);
4. compare with the exact solution (accuracy cases only; not timed).
"""

from __future__ import annotations

import gc
import resource
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import run_atlas
from plume_problem import AQUIFER, Case, GaussianPlume, throughput_case

Task = dict[str, Any]
"""``solver`` ("atlas", "fipy" or "fipy-lu"), ``problem`` ("throughput" or "accuracy"),
``n`` (cells per side), ``repeats``, ``fipy_steps`` (FiPy only) and
``longitudinal_dispersivity_m``."""

_WARMUP_CELLS = 16


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _solver(task: Task) -> Callable[[Case], run_atlas.Solution]:
    if task["solver"] == "atlas":
        return run_atlas.solve
    import run_fipy  # only the FiPy processes pay for importing FiPy

    steps = int(task["fipy_steps"])
    default_solver = task["solver"] == "fipy-lu"
    return lambda case: run_fipy.solve(case, steps, default_solver=default_solver)


def plume_for(task: Task) -> GaussianPlume:
    """The accuracy problem with the task's dispersivities (alpha_T = alpha_L / 10)."""
    alpha_l = float(task["longitudinal_dispersivity_m"])
    aquifer = replace(
        AQUIFER, longitudinal_dispersivity_m=alpha_l, transverse_dispersivity_m=alpha_l / 10
    )
    return GaussianPlume(aquifer=aquifer)


def run(task: Task) -> dict[str, Any]:
    """Solve the task's case and return its measurements (JSON-ready)."""
    n = int(task["n"])
    plume = plume_for(task)
    accuracy = task["problem"] == "accuracy"
    case = plume.case(n) if accuracy else throughput_case(n, plume.aquifer)
    solve = _solver(task)

    start = time.perf_counter()
    solve(throughput_case(_WARMUP_CELLS, case.aquifer))
    warmup_s = time.perf_counter() - start

    baseline_mb = _peak_rss_mb()
    solutions = []
    for _ in range(int(task["repeats"])):
        solutions.append(solve(case))
        gc.collect()  # FiPy's variables hold reference cycles: free them before the next run
    peak_mb = _peak_rss_mb() - baseline_mb

    last = solutions[-1]
    measured: dict[str, Any] = {
        "task": task,
        "cells": case.cells,
        "cell_size_m": case.cell_size_m,
        "steps": last.n_steps,
        "seconds": [s.seconds for s in solutions],
        "warmup_s": warmup_s,
        "baseline_mb": baseline_mb,
        "peak_mb": peak_mb,
        "active_fraction": run_atlas.active_fraction(case),
    }
    if accuracy:
        measured["error"] = plume.error(n, last.concentration_mg_per_l)
        measured["min_c_over_c0"] = float(np.min(last.concentration_mg_per_l)) / (
            plume.peak_mg_per_l
        )
    return measured
