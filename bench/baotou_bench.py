"""Benchmark of the shipped Baotou scenarios end to end: flow, transport and arrivals.

Usage::

    .venv/bin/python bench/baotou_bench.py
    .venv/bin/python bench/baotou_bench.py --repeats 3 --skip-fine
    .venv/bin/python bench/baotou_bench.py --repeats 1 --only "baotou 25 m"

What ``atlas plume scenarios/<name>.toml`` computes, timed in one process: reading the
scenario (layers, rasters), the steady heads, the transport to the horizon and the result
(fields, isochrones, arrivals); nothing is written. The 100 m case runs once untimed first
(numba loads or compiles the kernels, which every case shares; the layers are read into the OS
cache), then every case runs ``--repeats`` times; the table shows the fastest run (on a shared
machine the others are slowed by other work, never sped up), its CPU time (all threads, from
``time.process_time``: on a busy machine it shows the work, not the waiting) and its ratio to
the issue's target. The 25 m case is ``baotou.toml`` with ``grid.cell_size_m = 25`` and nothing
else changed. Prints figures only; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import os
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import llvmlite.binding
import numba

from atlas import run_scenario
from atlas.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
FINE_CELL_M = 25.0
CASES = (  # name, scenario file, cell size override (m) or None, target (s)
    ("baotou 100 m", "baotou.toml", None, 2.0),
    ("baotou_fast_path", "baotou_fast_path.toml", None, 5.0),
    ("baotou 25 m", "baotou.toml", FINE_CELL_M, 120.0),
)


def scenario_loader(file_name: str, cell_size_m: float | None) -> Callable[[], Scenario]:
    """A function that reads the scenario (as the CLI does), with the cell size replaced."""
    path = SCENARIOS / file_name
    if cell_size_m is None:
        return lambda: load_scenario(path, root=ROOT)
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    document["grid"]["cell_size_m"] = cell_size_m

    def load() -> Scenario:
        # a parsed document takes relative raster paths from the current directory
        here = Path.cwd()
        os.chdir(SCENARIOS)
        try:
            return load_scenario(document, root=ROOT)
        finally:
            os.chdir(here)

    return load


def timed_runs(load: Callable[[], Scenario], repeats: int) -> tuple[list[tuple[float, float]], int]:
    """Wall and CPU times (s) of ``repeats`` end-to-end runs, and the number of cells."""
    times = []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = run_scenario(load())
        times.append((time.perf_counter() - start, time.process_time() - cpu_start))
    grid = result.scenario.grid
    return times, grid.nx * grid.ny


def main() -> None:
    """Parse the command line and time each case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=numba.config.NUMBA_NUM_THREADS)
    parser.add_argument("--skip-fine", action="store_true", help="skip the 25 m case")
    parser.add_argument(
        "--only", choices=[case[0] for case in CASES], action="append", help="run only this case"
    )
    args = parser.parse_args()
    cases = [
        case
        for case in CASES
        if (args.only is None or case[0] in args.only)
        and not (args.skip_fine and case[2] is not None)
    ]
    numba.set_num_threads(args.threads)
    load_average = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"Baotou end to end (`atlas plume`, nothing written); {args.threads} numba thread(s), "
        f"{os.cpu_count()} CPUs ({llvmlite.binding.get_host_cpu_name()}); load average at start "
        f"{load_average}",
        flush=True,
    )
    print(
        f"{'case':<18}{'cells':>10}{'runs':>6}{'fastest s':>11}{'its CPU s':>11}"
        f"{'target s':>10}{'/ target':>10}"
    )
    run_scenario(scenario_loader(*CASES[0][1:3])())  # untimed: numba loads or compiles
    for label, file_name, cell_size_m, target_s in cases:
        times, cells = timed_runs(scenario_loader(file_name, cell_size_m), args.repeats)
        fastest, cpu = min(times)
        print(
            f"{label:<18}{cells:>10}{len(times):>6}{fastest:>11.2f}{cpu:>11.2f}{target_s:>10.0f}"
            f"{fastest / target_s:>10.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
