"""Benchmark of the ensembles: realizations per second, 1 -> 2 worker scaling, client memory.

Usage::

    .venv/bin/python bench/ensemble_bench.py                       # the recorded run
    .venv/bin/python bench/ensemble_bench.py --scaling-realizations 100 --memory-sizes 1000

Parts (each in its own interpreter, so that memory figures start clean):

1. **Numerical path, strong scaling.** The same ensemble (a quasi 1-D strip, 3 x 100 cells of
   10 m, 20 yr, uniform prior on the velocity and a log-uniform one on the dispersivity) on a
   LocalCluster of 1, then 2 worker processes (one thread each). Each cluster is started and
   warmed up (every worker loads numba's compiled code) before the clock starts; the time is
   ``run_ensemble`` from the samples to the EnsembleResult. Efficiency = (rate on 2) / (2 x
   rate on 1). The workers' and the client's CPU seconds during the run are printed too: on a
   shared machine the wall-clock efficiency also measures the other processes' load, while
   the workers' CPU time per realization shows the parallel overhead alone.
2. **Client memory** at N = 1,000 and 10,000 realizations on a small 2-D grid (40 x 40
   cells, 2 output times to 10 yr) with 2 workers: growth of the client process's peak
   resident memory (``VmHWM``, reset after the warm-up by writing 5 to
   ``/proc/self/clear_refs``; Linux) and tracemalloc's peak of Python allocations during
   ``run_ensemble``, beside what gathering every realization's grids would take. Bounded
   memory means these grow with the few numbers per realization (samples, realization table,
   the scheduler's bookkeeping of the tasks), not with the grids.
3. **Analytic path**: realizations per second of the vectorised closed-form arrival time
   (:func:`atlas.ensemble.analytic.strip_arrival_yr`) on one core. Parts 1 and 2 pass
   ``analytic=False``: the strip would otherwise take the closed form (``strip_of``).

Prints figures and the machine's load average; nothing passes or fails. ``--json PATH``
writes every measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

Result = dict[str, Any]


def strip_document(
    cells_x: int, horizon_yr: float, realizations: int, cells_y: int = 3
) -> dict[str, Any]:
    """A strip scenario document, 10 m cells: flow to the east, 100 mg/L held in the 3 south
    cells of the west column (the whole width when ``cells_y`` is 3: quasi 1-D), a receptor
    line across the grid 2/3 of the way; priors on velocity and dispersivity."""
    length_m = 10.0 * cells_x
    height_m = 10.0 * cells_y
    receptor_x = 500_000 + round(length_m * 2 / 3 / 10) * 10 + 5
    top_m = 4_500_000 + height_m
    return {
        "schema_version": 1,
        "name": "bench_strip",
        "crs": "EPSG:32649",
        "grid": {
            "bounds_m": [500_000, 4_500_000, 500_000 + length_m, top_m],
            "cell_size_m": 10,
        },
        "aquifer": {
            "effective_porosity": 0.25,
            "thickness_m": 10.0,
            "longitudinal_dispersivity_m": 10.0,
            "transverse_dispersivity_m": 1.0,
        },
        "flow": {"velocity_m_per_yr": 20.0, "direction_deg": 90.0},
        "source": [
            {
                "name": "strip",
                "geometry": "POLYGON ((500000 4500000, 500010 4500000, 500010 4500030, "
                "500000 4500030, 500000 4500000))",
                "concentration_mg_per_l": 100.0,
            }
        ],
        "receptor": [
            {
                "name": "line",
                "geometry": f"LINESTRING ({receptor_x} 4500000, {receptor_x} {top_m})",
                "thresholds_mg_per_l": [10.0, 50.0],
            }
        ],
        "output": {"times_yr": [horizon_yr / 2, horizon_yr]},
        "uncertainty": {
            "realizations": realizations,
            "seed": 1,
            "velocity_m_per_yr": {"uniform": [20, 40]},
            "longitudinal_dispersivity_m": {"loguniform": [2, 20]},
        },
    }


def _peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def case(task: dict[str, Any]) -> Result:
    """One measurement, in this (fresh) interpreter."""
    from atlas.ensemble import ensemble_client, run_ensemble
    from atlas.scenario import load_scenario

    scenario = load_scenario(
        strip_document(task["cells_x"], task["horizon_yr"], task["n"], task.get("cells_y", 3))
    )
    with ensemble_client(workers=task["workers"]) as client:
        warm_up = 4 * task["workers"]
        run_ensemble(scenario, client=client, realizations=warm_up, analytic=False)
        baseline_kb = _rss_kb()
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        worker_cpu = sum(client.run(_cpu_s).values())
        client_cpu = _cpu_s()
        tracemalloc.start()
        start = time.perf_counter()
        result = run_ensemble(scenario, client=client, analytic=False)  # the numerical path
        seconds = time.perf_counter() - start
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_kb = _peak_kb()
        client_cpu = _cpu_s() - client_cpu
        worker_cpu = sum(client.run(_cpu_s).values()) - worker_cpu
    return {
        **task,
        "seconds": seconds,
        "per_second": task["n"] / seconds,
        "client_peak_growth_mb": (peak_kb - baseline_kb) / 1024,
        "client_traced_peak_mb": traced_peak / 2**20,
        "all_grids_mb": task["n"] * scenario.grid.nx * scenario.grid.ny * 2 * 8 / 2**20,
        "kept": result.kept,
        "worker_cpu_s": worker_cpu,
        "client_cpu_s": client_cpu,
    }


def launch(task: dict[str, Any]) -> Result:
    """Run :func:`case` in a fresh interpreter."""
    command = [sys.executable, str(Path(__file__)), "--case", json.dumps(task)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def analytic(realizations: int) -> Result:
    """Realizations per second of the closed-form strip arrival time, one core."""
    import numpy as np

    from atlas.ensemble.analytic import strip_arrival_yr

    rng = np.random.default_rng(1)
    velocity = rng.uniform(20, 40, realizations)
    dispersivity = 10 ** rng.uniform(np.log10(2), np.log10(20), realizations)
    strip_arrival_yr(500.0, 0.1, velocity[:1000], dispersivity[:1000], horizon_yr=100.0)
    start = time.perf_counter()
    arrival = strip_arrival_yr(500.0, 0.1, velocity, dispersivity, horizon_yr=100.0)
    seconds = time.perf_counter() - start
    return {
        "n": realizations,
        "seconds": seconds,
        "per_second": realizations / seconds,
        "reached": int(np.isfinite(arrival).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--scaling-realizations", type=int, default=200)
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--analytic-realizations", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(case(json.loads(args.case))))
        return
    import dask
    import numpy
    import scipy

    print(
        f"atlas ensemble benchmark -- Python {platform.python_version()} on "
        f"{platform.machine()}, {os.cpu_count()} CPUs; numpy {numpy.__version__}, scipy "
        f"{scipy.__version__}, dask {dask.__version__}"
    )
    print(f"load average at start (1, 5, 15 min): {os.getloadavg()}")
    results: dict[str, Any] = {"load_start": os.getloadavg()}

    print(
        "\n1. NUMERICAL PATH, STRONG SCALING: strip 3 x 100 cells, 20 yr, N =",
        args.scaling_realizations,
    )
    print(f"{'workers':>8} {'seconds':>9} {'real./s':>9} {'worker CPU s':>13} {'client CPU s':>13}")
    scaling = []
    for workers in (1, 2):
        row = launch(
            {"workers": workers, "n": args.scaling_realizations, "cells_x": 100, "horizon_yr": 20}
        )
        scaling.append(row)
        print(
            f"{workers:>8} {row['seconds']:>9.2f} {row['per_second']:>9.1f} "
            f"{row['worker_cpu_s']:>13.2f} {row['client_cpu_s']:>13.2f}"
        )
    efficiency = scaling[1]["per_second"] / (2 * scaling[0]["per_second"])
    print(f"scaling efficiency 1 -> 2 workers: {efficiency:.0%}")
    cpu_ratio = scaling[1]["worker_cpu_s"] / scaling[0]["worker_cpu_s"]
    print(
        f"worker CPU time on 2 workers / on 1: {cpu_ratio:.2f} (1.00: no parallel overhead; "
        "wall-clock efficiency below that is cores taken by other processes)"
    )
    results["scaling"] = scaling
    results["efficiency"] = efficiency

    print("\n2. CLIENT MEMORY: 2-D plume, 40 x 40 cells, 2 output times to 10 yr, 2 workers")
    print(
        f"{'N':>8} {'seconds':>9} {'real./s':>9} {'peak RSS growth MB':>19} {'traced MB':>10} "
        f"{'all grids MB':>13}"
    )
    memory = []
    for n in args.memory_sizes:
        row = launch({"workers": 2, "n": n, "cells_x": 40, "cells_y": 40, "horizon_yr": 10})
        memory.append(row)
        print(
            f"{n:>8} {row['seconds']:>9.2f} {row['per_second']:>9.1f} "
            f"{row['client_peak_growth_mb']:>19.1f} {row['client_traced_peak_mb']:>10.2f} "
            f"{row['all_grids_mb']:>13.0f}"
        )
    print(
        "   all grids MB: what gathering every realization's concentration grids would take; "
        "the client gathers none (LocalCluster: the scheduler runs in the client process)"
    )
    results["memory"] = memory

    try:
        row = analytic(args.analytic_realizations)
    except ImportError:
        print("\n3. ANALYTIC PATH: not built")
    else:
        print(
            f"\n3. ANALYTIC PATH (one core): {row['n']} strip arrival times in "
            f"{row['seconds']:.3f} s = {row['per_second']:.3g} realizations/s"
        )
        results["analytic"] = row
    results["load_end"] = os.getloadavg()
    print(f"\nload average at end (1, 5, 15 min): {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
