"""Benchmark of :func:`atlas.plume.steady_heads`: time and peak memory from 256^2 to 4096^2.

Usage::

    .venv/bin/python bench/heads_bench.py
    .venv/bin/python bench/heads_bench.py --sizes 256 512 1024 --direct-up-to 1024

Every case runs in a fresh interpreter (as in ``transport_bench.py``): it builds the aquifer,
warms up on a 40 x 40 grid (numba loads its compiled assembly; with more free cells than the
coarsest multigrid level, so that pyamg is imported too), resets the kernel's peak
resident set, times one solve and reports how much the peak grew. The aquifer is a
log-normal conductivity field (sigma of ln K = 1.5, correlated over about 4 cells), 25 m
cells, fixed heads on the west and east edges and on a river reach inside, uneven recharge.
``amg`` rows use conjugate gradients with a smoothed-aggregation W-cycle, ``direct`` rows
SuperLU (:mod:`atlas.plume.heads_solver`); their largest head difference is printed where both
ran. The load average is printed before and after: on a shared machine the seconds follow it.
Prints figures only; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIZES = (256, 512, 1024, 2048, 4096)
DIRECT_UP_TO = 1024
CELL_M = 25.0
THICKNESS_M = 20.0


def aquifer(n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conductivity (m/day), fixed heads (m, NaN where free), recharge (m/yr); n x n cells."""
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(seed)
    z = gaussian_filter(rng.normal(size=(n, n)), 4.0)
    k = np.exp(1.0 + 1.5 * z / z.std())
    fixed = np.full((n, n), np.nan)
    fixed[:, 0], fixed[:, -1] = 1050.0, 1000.0
    fixed[n // 3, n // 2 : n // 2 + max(5, n // 50)] = 1010.0
    recharge = rng.uniform(0.0, 0.1, (n, n))
    return k, fixed, recharge


def worker(n: int, solver: str, save: str | None) -> dict[str, float | int | str]:
    """One solve in this process: seconds and growth of the peak resident set (MiB)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from worker import peak_rss_mb, reset_peak_rss_mb

    from atlas.plume import steady_heads

    small_k, small_fixed, _ = aquifer(40)
    steady_heads(small_k, THICKNESS_M, CELL_M, small_fixed, solver=solver)
    k, fixed, recharge = aquifer(n)
    baseline = reset_peak_rss_mb()
    start = time.perf_counter()
    heads = steady_heads(k, THICKNESS_M, CELL_M, fixed, recharge, solver=solver)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb() - baseline
    if save:
        np.save(save, heads)
    return {"n": n, "solver": solver, "seconds": seconds, "peak_mb": peak}


def launch(n: int, solver: str, save: str | None) -> dict[str, float | int | str]:
    command = [sys.executable, __file__, "--worker", json.dumps([n, solver, save])]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, float | int | str] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, metavar="N")
    parser.add_argument("--direct-up-to", type=int, default=DIRECT_UP_TO, metavar="N")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*json.loads(args.worker))))
        return
    import os
    import tempfile

    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    header = ("cells", "solver", "seconds", "peak MB", "B/cell", "max |dh| m")
    print("{:>11} {:>7} {:>8} {:>8} {:>7} {:>11}".format(*header))
    with tempfile.TemporaryDirectory() as folder:
        for n in args.sizes:
            saved = {}
            for solver in ("amg", "direct"):
                if solver == "direct" and n > args.direct_up_to:
                    continue
                saved[solver] = str(Path(folder) / f"{solver}_{n}.npy")
                r = launch(n, solver, saved[solver])
                difference = ""
                if solver == "direct":
                    a, d = np.load(saved["amg"]), np.load(saved["direct"])
                    difference = f"{np.abs(a - d).max():.1e}"
                per_cell = float(r["peak_mb"]) * 2**20 / n**2
                print(
                    f"{n:>5} x {n:<5} {solver:>7} {float(r['seconds']):>8.2f} "
                    f"{float(r['peak_mb']):>8.0f} {per_cell:>7.0f} {difference:>11}",
                    flush=True,
                )
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
