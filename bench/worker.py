"""Run one benchmark case in this (fresh) process and measure its time and memory.

:mod:`transport_bench` starts one process per case, so that the peak resident memory of the
process belongs to that case alone. Order of work in the process:

1. build the inputs (the initial concentration field; not timed, not in the memory figure);
2. warm up: solve a :data:`WARMUP_CELLS` x :data:`WARMUP_CELLS` case with the same solver, so
   numba compiles or loads its cache and FiPy imports its solver suite (reported as
   ``warmup_s``, excluded from the timings);
3. collect garbage, reset the kernel's peak resident set (``/proc/self/clear_refs``) and read
   it (the baseline, i.e. the resident set at that moment), solve the case ``repeats`` times
   keeping only the latest result, read the peak again: ``peak_mb`` is the growth of the peak
   resident set, i.e. everything the solver allocated beyond the inputs and the warmed-up
   interpreter (numpy arrays, numba's own allocations and FiPy's sparse matrices alike, which
   tracemalloc would partly miss), and does not depend on the repeat count;
4. compare with the exact solution (accuracy cases only; not timed).

Linux only (``/proc``).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import run_atlas
from plume_problem import AQUIFER, Case, GaussianPlume, Solution, throughput_case

Task = dict[str, Any]
"""``solver`` ("atlas", "fipy" or "fipy-lu"), ``problem`` ("throughput" or "accuracy"),
``n`` (cells per side), ``repeats``, ``threads`` (numba's threads, atlas only; default all),
``fipy_steps`` (FiPy only) and
``longitudinal_dispersivity_m``; the accuracy tasks also carry their error ``target``."""

WARMUP_CELLS = 16
"""Cells per side of the warm-up case."""

_PROC_SELF = Path("/proc/self")


def reset_peak_rss_mb() -> float:
    """Reset the kernel's peak resident set of this process to the current one; that, in MiB.

    Writing ``5`` to ``/proc/self/clear_refs`` resets ``VmHWM`` (Linux >= 4.0).
    """
    (_PROC_SELF / "clear_refs").write_text("5")
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """Peak resident set of this process since the last reset (``VmHWM``), in MiB."""
    for line in (_PROC_SELF / "status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0  # reported in kB
    raise RuntimeError("no VmHWM line in /proc/self/status: the benchmark needs Linux")


def timed(solve: Callable[[Case], Solution], case: Case) -> tuple[Solution, float]:
    """``solve(case)`` and its wall time (``time.perf_counter``), in s."""
    start = time.perf_counter()
    solution = solve(case)
    return solution, time.perf_counter() - start


def _solver(task: Task) -> Callable[[Case], Solution]:
    if task["solver"] == "atlas":
        return run_atlas.solve
    import run_fipy  # only the FiPy processes pay for importing FiPy

    steps = int(task["fipy_steps"])
    default_solver = task["solver"] == "fipy-lu"
    return lambda case: run_fipy.solve(case, steps, default_solver=default_solver)


def plume_for(task: Task) -> GaussianPlume:
    """The accuracy problem with the task's dispersivities (alpha_T = alpha_L / 10)."""
    alpha_l = float(task["longitudinal_dispersivity_m"])
    transport = replace(
        AQUIFER.transport,
        longitudinal_dispersivity_m=alpha_l,
        transverse_dispersivity_m=alpha_l / 10,
    )
    return GaussianPlume(aquifer=replace(AQUIFER, transport=transport))


def run(task: Task) -> dict[str, Any]:
    """Solve the task's case and return its measurements (JSON-ready)."""
    n = int(task["n"])
    plume = plume_for(task)
    accuracy = task["problem"] == "accuracy"
    case = plume.case(n) if accuracy else throughput_case(n, plume.aquifer)
    solve = _solver(task)
    if "threads" in task and task["solver"] == "atlas":
        import numba

        numba.set_num_threads(int(task["threads"]))

    _, warmup_s = timed(solve, throughput_case(WARMUP_CELLS, case.aquifer))

    gc.collect()
    baseline_mb = reset_peak_rss_mb()
    times_s = []
    solution: Solution | None = None
    for _ in range(int(task["repeats"])):
        solution = None  # one result alive at a time: the peak must not grow with repeats
        gc.collect()  # FiPy's variables hold reference cycles: free the previous run's
        solution, elapsed_s = timed(solve, case)
        times_s.append(elapsed_s)
    peak_mb = peak_rss_mb() - baseline_mb
    if solution is None:
        raise ValueError(f"expected repeats >= 1, got {task['repeats']!r}")

    measured: dict[str, Any] = {
        "task": task,
        "cells": case.cells,
        "cell_size_m": case.cell_size_m,
        "steps": solution.n_steps,
        "seconds": times_s,
        "warmup_s": warmup_s,
        "baseline_mb": baseline_mb,
        "peak_mb": peak_mb,
    }
    if accuracy:
        measured["error"] = plume.error(n, solution.concentration_mg_per_l)
        measured["min_c_over_c0"] = float(np.min(solution.concentration_mg_per_l)) / (
            plume.peak_mg_per_l
        )
    return measured
