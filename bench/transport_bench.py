"""Benchmark of the atlas transport solver: throughput, memory, and FiPy at equal accuracy.

Usage (``make bench`` runs the first line)::

    .venv/bin/python bench/transport_bench.py
    .venv/bin/python bench/transport_bench.py --sizes 256 512 --fipy-sizes 256 --json out.json

Prints figures and ratios, never pass/fail; writes nothing unless ``--json`` is given. Every
case runs in its own process (see :mod:`worker`), with numba's cache in a temporary directory
so that the compile time can be measured and nothing in the repository changes. See
``bench/README.md`` for how to read the output.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from plume_problem import THROUGHPUT_CELL_M, THROUGHPUT_HORIZON_YR
from worker import WARMUP_CELLS, Task, plume_for, run

Result = dict[str, Any]

SIZES = (256, 512, 1024, 2048)
FIPY_SIZES = (256, 512, 1024)
REPEATS = 3  # every throughput case runs at least this often; the table shows the fastest run
REPEATED_CELLS = 2048 * 2048 * REPEATS  # smaller grids run until their runs cover as many cells
MAX_REPEATS = 30
THREADS = (1, 2)
GROWTH_TARGET = 1.2  # ns/cell-step at the largest grid over the smallest, at most
SPEEDUP_TARGET = 1.7  # 2 threads over 1, at least
FIPY_THROUGHPUT_STEPS = 10
LADDER = (80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384)
FIPY_STEP_COUNTS = (40, 80, 160, 320, 640)
TARGET = 0.01
FIPY_SEARCH_BUDGET_S = 240.0
DISPERSIVITY_M = 50.0


def launch(task: Task, cache_dir: str) -> Result:
    """Run ``task`` in a fresh interpreter (see :mod:`worker`) and return its measurements."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    command = [sys.executable, str(Path(__file__)), "--worker", json.dumps(task)]
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def repeats_for(n: int) -> int:
    """Runs of an atlas throughput case on an ``n x n`` grid: a 256^2 run takes 25 ms, and its
    fastest of 3 varied by 10 % from one bench to the next (and the growth with it), so smaller
    grids run more often, up to :data:`MAX_REPEATS`."""
    return min(MAX_REPEATS, max(REPEATS, REPEATED_CELLS // (n * n)))


def seconds(result: Result) -> float:
    """Fastest wall time of the repeats, in s: on a shared machine the others are slowed by
    other work, never sped up."""
    return min(result["seconds"])


def cell_steps(result: Result) -> int:
    """Cells times steps of one run."""
    return result["cells"] * result["steps"]


def cheapest_frontier(
    sizes: Sequence[int], step_counts: Sequence[int], passes: Callable[[int, int], bool]
) -> None:
    """Search (grid, steps) for the fewest cells x steps whose run ``passes`` the target.

    For each step count, from the fewest, a bisection finds the coarsest grid that passes,
    among the grids no finer than the one that passed with fewer steps (more steps never need
    a finer grid) and whose cells x steps are below the cheapest pass so far (anything else
    cannot be cheaper). Assumes the error falls as the grid and the step are refined.
    """
    best = math.inf
    upper = len(sizes)
    for steps in step_counts:
        lo = 0
        hi = min(upper, sum(1 for n in sizes if n * n * steps < best))
        limit = hi
        while lo < hi:
            mid = (lo + hi) // 2
            if passes(sizes[mid], steps):
                hi = mid
            else:
                lo = mid + 1
        if lo < limit:
            best = sizes[lo] ** 2 * steps
            upper = lo + 1


def row(cells: Sequence[object], widths: Sequence[int]) -> str:
    """One table line, the first column left-aligned and the others right-aligned."""
    first, *rest = (str(c) for c in cells)
    return first.ljust(widths[0]) + "".join(
        c.rjust(w) for c, w in zip(rest, widths[1:], strict=True)
    )


THROUGHPUT_COLUMNS = (
    ("solver", 10),
    ("grid", 11),
    ("threads", 9),
    ("steps", 7),
    ("runs", 6),
    ("seconds", 10),
    ("cell-upd/s", 12),
    ("ns/cell-step", 14),
    ("x smallest", 12),
    ("peak MB", 10),
    ("B/cell", 8),
)
ACCURACY_COLUMNS = (
    ("solver", 16),
    ("grid", 11),
    ("cell m", 8),
    ("steps", 7),
    ("seconds", 10),
    ("cell-upd/s", 12),
    ("peak MB", 10),
    ("max err", 10),
    ("min C/C0", 11),
    ("target", 8),
)


def header(columns: Sequence[tuple[str, int]]) -> str:
    """Column titles and a rule."""
    widths = [w for _, w in columns]
    line = row([title for title, _ in columns], widths)
    return line + "\n" + "-" * len(line)


def throughput_line(result: Result, smallest_ns: float) -> str:
    """A row of the throughput table."""
    time_s = seconds(result)
    ns = time_s / cell_steps(result) * 1e9
    n = round(result["cells"] ** 0.5)
    return row(
        [
            result["task"]["solver"],
            f"{n}x{n}",
            result["task"].get("threads", 1),
            result["steps"],
            len(result["seconds"]),
            f"{time_s:.3f}",
            f"{cell_steps(result) / time_s:.3g}",
            f"{ns:.1f}",
            f"{ns / smallest_ns:.2f}",
            f"{result['peak_mb']:.0f}",
            f"{result['peak_mb'] * 2**20 / result['cells']:.0f}",
        ],
        [w for _, w in THROUGHPUT_COLUMNS],
    )


def accuracy_line(result: Result, label: str) -> str:
    """A row of the equal-accuracy table."""
    n = round(result["cells"] ** 0.5)
    time_s = seconds(result)
    return row(
        [
            label,
            f"{n}x{n}",
            f"{result['cell_size_m']:.2f}",
            result["steps"],
            f"{time_s:.2f}",
            f"{cell_steps(result) / time_s:.3g}",
            f"{result['peak_mb']:.0f}",
            f"{result['error']:.4f}",
            f"{result['min_c_over_c0']:.1e}",
            "met" if result["error"] <= result["task"]["target"] else "missed",
        ],
        [w for _, w in ACCURACY_COLUMNS],
    )


def say(text: str = "") -> None:
    """Print at once (the runs take minutes)."""
    print(text, flush=True)


def package_version(name: str) -> str:
    """The installed version of package ``name``; exits with the fix if it is missing."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        raise SystemExit(
            f"{name} is not installed: the benchmark needs the bench extra "
            "(`make bench` installs it, or `.venv/bin/pip install -e '.[bench]'`)"
        ) from None


def versions() -> str:
    """Interpreter, machine and package versions."""
    packages = ", ".join(
        f"{name} {package_version(name)}" for name in ("numpy", "scipy", "numba", "fipy")
    )
    return (
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{packages}"
    )


def ns_per_cell_step(result: Result) -> float:
    """Wall time per cell and step of the fastest run, in ns."""
    return seconds(result) / cell_steps(result) * 1e9


def summarize_throughput(atlas: Sequence[Result]) -> None:
    """Cost growth from the smallest to the largest grid per thread count, and the speed-up of
    each thread count over one thread per grid, against the issue's targets."""
    by_case = {(r["cells"], r["task"].get("threads", 1)): ns_per_cell_step(r) for r in atlas}
    cells = sorted({c for c, _ in by_case})
    threads = sorted({t for _, t in by_case})
    small, large = cells[0], cells[-1]
    for count in threads:
        if (small, count) in by_case and (large, count) in by_case and small != large:
            growth = by_case[large, count] / by_case[small, count]
            say(
                f"   {count} thread(s): cost per cell-step {round(large**0.5)}^2 / "
                f"{round(small**0.5)}^2 = {growth:.2f} (target <= {GROWTH_TARGET:g}; "
                f"{growth / GROWTH_TARGET:.2f} of it)"
            )
    for count in threads[1:]:
        for c in cells:
            if (c, 1) in by_case and (c, count) in by_case:
                speedup = by_case[c, 1] / by_case[c, count]
                say(
                    f"   {round(c**0.5)}^2: {count} threads {speedup:.2f} x faster than 1 "
                    f"(efficiency {speedup / count:.0%}; target >= {SPEEDUP_TARGET:g} x for 2)"
                )


def throughput(args: argparse.Namespace, cache_dir: str) -> list[Result]:
    """Part 1: time per cell-step and memory of both solvers on a grid-filling plume."""
    say(
        f"\n1. THROUGHPUT AND MEMORY: Gaussian blob filling the grid, {THROUGHPUT_CELL_M:g} m "
        f"cells, {THROUGHPUT_HORIZON_YR:g} yr, flow at 45 degrees, alpha_L = "
        f"{args.dispersivity_m:g} m"
    )
    say(
        "   atlas: explicit, its own stable step; FiPy: implicit, "
        f"{FIPY_THROUGHPUT_STEPS} steps (not equal accuracy: see part 2)"
    )
    say(header(THROUGHPUT_COLUMNS))
    results: list[Result] = []
    for solver, sizes, threads, extra in (
        ("atlas", args.sizes, args.threads, {}),
        ("fipy", args.fipy_sizes, (1,), {"fipy_steps": FIPY_THROUGHPUT_STEPS}),
    ):
        smallest_ns = 0.0
        for n in sizes:
            for count in threads:
                result = launch(
                    {
                        "solver": solver,
                        "problem": "throughput",
                        "n": n,
                        "threads": count,
                        "repeats": repeats_for(n) if solver == "atlas" else REPEATS,
                        "longitudinal_dispersivity_m": args.dispersivity_m,
                        **extra,
                    },
                    cache_dir,
                )
                smallest_ns = smallest_ns or ns_per_cell_step(result)
                say(throughput_line(result, smallest_ns))
                results.append(result)
    summarize_throughput([r for r in results if r["task"]["solver"] == "atlas"])
    skipped = sorted(set(args.sizes) - set(args.fipy_sizes))
    if skipped:
        say(f"   FiPy not run at {', '.join(f'{n}x{n}' for n in skipped)}: time budget")
    return results


def accuracy_run(task: Task, cache_dir: str, label: str) -> Result:
    """Run an accuracy case, print its row, and return it."""
    result = launch(task, cache_dir)
    say(accuracy_line(result, label))
    return result


def equal_accuracy(args: argparse.Namespace, cache_dir: str) -> list[Result]:
    """Part 2: the cheapest run of each solver whose error meets the target."""
    base: Task = {
        "problem": "accuracy",
        "repeats": 1,
        "longitudinal_dispersivity_m": args.dispersivity_m,
        "target": args.target,
    }
    plume = plume_for(base)
    say(
        f"\n2. EQUAL ACCURACY: instantaneous release, exact solution (Bear 1972); start "
        f"{plume.age_yr:g} yr after the release, run {plume.horizon_yr:g} yr; "
        f"{plume.side_m:.0f} m square"
    )
    say(
        f"   v = {plume.aquifer.velocity_m_per_yr:g} m/yr at 45 degrees, alpha_L = "
        f"{args.dispersivity_m:g} m, alpha_T = {args.dispersivity_m / 10:g} m; error = "
        f"max |C - C_exact| / C0 (C0 = initial peak); target {args.target:g}"
    )
    say(header(ACCURACY_COLUMNS))
    atlas: list[Result] = []
    for n in LADDER:  # the explicit step is the solver's own: only the grid is chosen
        atlas.append(accuracy_run({**base, "solver": "atlas", "n": n}, cache_dir, "atlas"))
        if atlas[-1]["error"] <= args.target:
            break
    fipy: list[Result] = []

    def over_budget() -> bool:
        return sum(seconds(r) for r in fipy) > FIPY_SEARCH_BUDGET_S

    def fipy_passes(n: int, steps: int) -> bool:
        if over_budget():
            return False  # not run: counted as missed, and said so below
        task = {**base, "solver": "fipy", "n": n, "fipy_steps": steps}
        fipy.append(accuracy_run(task, cache_dir, "fipy bicgstab"))
        return bool(fipy[-1]["error"] <= args.target)

    cheapest_frontier(LADDER, FIPY_STEP_COUNTS, fipy_passes)
    if over_budget():
        say(f"   FiPy search stopped after {FIPY_SEARCH_BUDGET_S:g} s of runs (time budget)")
    summarize(atlas, fipy, args, cache_dir, base)
    return atlas + fipy


def cheapest(results: Sequence[Result], target: float) -> Result | None:
    """The fastest run that met the target, if any."""
    met = [r for r in results if r["error"] <= target]
    return min(met, key=seconds) if met else None


def summarize(
    atlas: Sequence[Result],
    fipy: Sequence[Result],
    args: argparse.Namespace,
    cache_dir: str,
    base: Task,
) -> None:
    """Print the speed ratios at equal accuracy (and time FiPy's default solver there)."""
    best_atlas = cheapest(atlas, args.target)
    best_fipy = cheapest(fipy, args.target)
    if best_atlas is None:
        say(f"   atlas did not reach {args.target:g} on grids up to {LADDER[-1]}: no ratio")
        return
    if best_fipy is None:
        most = min(fipy, key=lambda r: r["error"])
        say(
            f"   FiPy did not reach the target {args.target:g} within the search budget (best "
            f"error {most['error']:.4f} in {seconds(most):.2f} s): no ratio"
        )
        return
    n = round(best_fipy["cells"] ** 0.5)
    default = accuracy_run(
        {**base, "solver": "fipy-lu", "n": n, "fipy_steps": best_fipy["steps"]},
        cache_dir,
        "fipy default LU",
    )
    for name, other in (("FiPy BiCGSTAB", best_fipy), ("FiPy default (LU)", default)):
        say(
            f"   at equal accuracy (<= {args.target:g}): atlas {seconds(best_atlas):.2f} s, "
            f"{name} {seconds(other):.2f} s -> atlas is "
            f"{seconds(other) / seconds(best_atlas):.1f} x faster"
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run the benchmark (or one worker case)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, metavar="N")
    parser.add_argument("--fipy-sizes", type=int, nargs="*", default=FIPY_SIZES, metavar="N")
    parser.add_argument("--threads", type=int, nargs="+", default=THREADS, metavar="T")
    parser.add_argument("--target", type=float, default=TARGET, help="max error in C/C0")
    parser.add_argument(
        "--dispersivity-m",
        type=float,
        default=DISPERSIVITY_M,
        help="longitudinal dispersivity alpha_L in m (alpha_T = alpha_L / 10)",
    )
    parser.add_argument("--skip-accuracy", action="store_true", help="run part 1 only")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(run(json.loads(args.worker))))
        return

    say(f"atlas transport benchmark -- {versions()}")
    with tempfile.TemporaryDirectory(prefix="atlas-bench-numba-") as cache_dir:
        first = launch(
            {
                "solver": "atlas",
                "problem": "throughput",
                "n": WARMUP_CELLS,
                "repeats": 1,
                "longitudinal_dispersivity_m": args.dispersivity_m,
            },
            cache_dir,
        )
        say(
            f"numba compile of the solver (first call, empty cache): {first['warmup_s']:.1f} s; "
            "excluded from every timing below (each case warms up first)"
        )
        results = throughput(args, cache_dir)
        if not args.skip_accuracy:
            results += equal_accuracy(args, cache_dir)
    if args.json:
        partial = args.json.with_name(args.json.name + ".partial")
        partial.write_text(json.dumps(results, indent=1) + "\n")
        partial.replace(args.json)


if __name__ == "__main__":
    main()
