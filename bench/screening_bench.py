"""Benchmark of ``atlas screen``: the screening of every site (issue 7, item 7, its screening line).

Prints the total time of :func:`atlas.screening.screen_sites` over every located site of the
shipped layers, sites x realizations per second, the peak memory it adds, and a breakdown (the
nearest-water join, the Monte Carlo). Target: all sites at 1,000 realizations in under 60 s on
a 2-core machine. The machine's load average is printed before and after: on a shared machine
the timings are noisy.

    .venv/bin/python bench/screening_bench.py [--root DIR] [--realizations N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy

from atlas.joins import join_nearest
from atlas.load import load_layers
from atlas.screening import (
    reach_probabilities,
    sample_priors,
    screen_sites,
    screening_sites,
    water_features,
)
from atlas.screening_priors import DEFAULT_PRIORS

TARGET_S = 60.0


def _status_kib(key: str) -> int:
    """A ``VmRSS``/``VmHWM`` line of /proc/self/status, in KiB (Linux only)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status")


def _reset_peak() -> int:
    """Collect garbage, reset the kernel's peak-RSS mark; return the resident KiB now."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--realizations", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    print(
        f"atlas screening benchmark -- Python {platform.python_version()} on "
        f"{platform.machine()}, {os.cpu_count()} CPUs; numpy {np.__version__}, "
        f"scipy {scipy.__version__}"
    )
    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")

    start = time.perf_counter()
    layers = load_layers(Path(args.root))
    print(f"load_layers (not in the screening time): {time.perf_counter() - start:.2f} s")
    sites = screening_sites(layers)
    n_sites, n = len(sites), args.realizations

    screen_sites(layers, realizations=8, seed=args.seed)  # warm-up: imports, pyproj caches
    times, peaks = [], []
    for _ in range(args.repeats):
        baseline = _reset_peak()
        start = time.perf_counter()
        layer = screen_sites(layers, realizations=n, seed=args.seed)
        times.append(time.perf_counter() - start)
        peaks.append((_status_kib("VmHWM") - baseline) / 1024)
        del layer

    start = time.perf_counter()
    near = join_nearest(sites, water_features(layers), offsets=True)
    join_s = time.perf_counter() - start
    distance = near["distance_m"].to_numpy(float)
    start = time.perf_counter()
    params = sample_priors(DEFAULT_PRIORS, n, args.seed)
    reach_probabilities(distance, params, DEFAULT_PRIORS.threshold_fraction)
    monte_carlo_s = time.perf_counter() - start
    load_after = os.getloadavg()

    total = statistics.median(times)
    screened = int(np.isfinite(distance).sum())
    print(
        f"sites: {n_sites} ({screened} with a river or lake in the search window); "
        f"realizations per site: {n}; horizons 50/100/500 yr; worst-case and uniform direction"
    )
    print(f"screen_sites total: median {total:.2f} s of {args.repeats} runs {sorted(times)}")
    rate = n_sites * n / total
    print(f"sites x realizations per second: {rate:.3g} (each: 3 horizons x 2 directions)")
    print(f"peak memory added: {max(peaks):.0f} MB (VmHWM over the resident size before the run)")
    print(
        f"breakdown (one run): nearest-water join {join_s:.2f} s, Monte Carlo {monte_carlo_s:.2f} s"
    )
    verdict = "met" if total < TARGET_S else "MISSED"
    print(f"target: all sites x 1,000 realizations < {TARGET_S:.0f} s: {verdict}")
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
