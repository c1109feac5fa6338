"""Benchmark of numba's cold compile of the Baotou run, and of its on-disk cache.

Usage::

    .venv/bin/python bench/compile_bench.py

Runs ``atlas plume scenarios/baotou.toml`` (nothing written) in a fresh process with an empty
cache (a temporary ``NUMBA_CACHE_DIR``), then again in a second process on that cache. Prints
the wall time of each run, the kernels that took longest to compile in the first (seconds under
numba's compiler lock, each including the kernels it calls and compiled first) and how many
kernels the second compiled: 0 when everything loads from the cache. One thread, so that the
figures do not depend on the load of the other core. Prints figures only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOWN = 12

CHILD = """
import sys
import time
from pathlib import Path
from numba.core import event
from atlas import run_scenario
from atlas.plume import fluxes, regions, rkl2, scheme, selling, stages
from atlas.scenario import load_scenario
compiled = []


class Count(event.Listener):
    def on_start(self, event):
        compiled.append(event.data["dispatcher"])

    def on_end(self, event):
        pass


event.register("numba:compile", Count())
root = Path(sys.argv[1])
start = time.perf_counter()
run_scenario(load_scenario(root / "scenarios" / "baotou.toml", root=root))
print(f"wall {time.perf_counter() - start:.1f}")
print(f"compiled {len(compiled)}")
for module in (fluxes, regions, rkl2, scheme, selling, stages):
    for name, kernel in vars(module).items():
        if getattr(getattr(kernel, "py_func", None), "__module__", None) != module.__name__:
            continue  # not a kernel, or one imported from another module
        for result in kernel.overloads.values():
            seconds = (result.metadata or {}).get("timers", {}).get("compiler_lock", 0.0)
            print(f"kernel {seconds:.2f} {module.__name__.rsplit('.', 1)[1]}.{name}")
"""


def run_child(cache: str) -> list[str]:
    """Output lines of one Baotou run in a new process on the numba cache ``cache``."""
    environment = {**os.environ, "NUMBA_CACHE_DIR": cache, "NUMBA_NUM_THREADS": "1"}
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT)],  # the root as an argument, never as code
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.splitlines()


def main() -> None:
    """Run twice on one new cache and print what each run compiled."""
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    load_average = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"numba cold compile of the Baotou run, 1 thread; load average at start {load_average}")
    with tempfile.TemporaryDirectory() as cache:
        for label in ("first process, empty cache", "second process, same cache"):
            start = time.perf_counter()
            lines = run_child(cache)
            fields = dict(line.split(" ", 1) for line in lines if not line.startswith("kernel"))
            print(
                f"{label}: {time.perf_counter() - start:.1f} s in all (run {fields['wall']} s), "
                f"{fields['compiled']} kernel compilations"
            )
            kernels = sorted(
                ((float(line.split()[1]), line.split()[2]) for line in lines if "kernel" in line),
                reverse=True,
            )
            for seconds, name in kernels[:SHOWN] if kernels and kernels[0][0] > 0 else []:
                print(f"    {seconds:7.2f} s  {name}")


if __name__ == "__main__":
    main()
