"""How the kernels of :mod:`atlas.plume` are compiled and run: numba's on-disk cache, kept per
version of the numerics' source, the row kernels, which count no references, and the number of
threads a caller's kernels run on.

numba checks only the source file of a cached function: a kernel in ``scheme.py`` compiled
before ``fluxes.py`` changed would be reused with the old fluxes inlined, and give old
numbers. So the cache lives in a folder named by the hash of every module of this package:
any change to the numerics compiles afresh. ``NUMBA_CACHE_DIR``, when set, is left alone.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numba

__all__ = ["cache_dir", "numba_threads", "row_kernel", "source_sha256", "use_versioned_cache"]


def source_sha256() -> str:
    """SHA-256 of the source of every module of :mod:`atlas.plume`, as hexadecimal."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/atlas/numba/<hash>`` (``~/.cache`` without XDG_CACHE_HOME)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "atlas" / "numba" / source_sha256()[:16]


def use_versioned_cache() -> None:
    """Point numba's cache at :func:`cache_dir`, unless ``NUMBA_CACHE_DIR`` is set, and start
    numba's threads. Must run before the kernels are defined: importing this module does it,
    and ``atlas.plume`` imports it first.

    Started here because :func:`atlas.plume.stages.advective_rate`, loaded from a cache
    folder filled by many earlier processes and run first in a process, called a null pointer
    (numba 0.68, 2026-11-26); with numba's threads started first it ran. The cause is not
    identified. Numba issues #8578 and #4807 describe a like failure (a cached caller of a
    ``parallel=True`` function loaded without the callee's re-initialisation, which starts the
    threading layer; their workaround is this call), but here two processes on a fresh cache
    folder, and a review, found the threads started by the cached caller itself and no crash,
    so no test reproduces it. Threads started at import also mean a later ``os.fork`` (the
    ``fork`` start method of multiprocessing) is unsafe with the OpenMP layer; nothing forks."""
    if not os.environ.get("NUMBA_CACHE_DIR"):
        numba.config.CACHE_DIR = str(cache_dir())  # type: ignore[attr-defined]
    numba.get_num_threads()  # starts the threads


use_versioned_cache()


@contextmanager
def numba_threads(count: int) -> Iterator[None]:
    """Run the parallel kernels called from this thread on ``count`` of numba's threads (a
    setting of the calling thread), and restore the earlier count afterwards.

    Parameters
    ----------
    count : int
        From 1 to ``numba.config.NUMBA_NUM_THREADS``.
    """
    previous = numba.get_num_threads()
    numba.set_num_threads(count)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


row_kernel = numba.njit(cache=True, _nrt=False)  # type: ignore[call-overload]  # not in the stubs
"""Decorator of a kernel run once per row of a stage: compiled and cached as ``njit`` does, but
without numba's reference counting (its ``_nrt=False`` option). A row kernel takes views of
its arguments' rows, and numba counted each view with an atomic increment and decrement: over a
hundred per row of an advective stage, a fixed 0.4 us per row (one advective stage on Baotou's
box of 232 x 165 cells: 0.36 -> 0.29 ms, the same bytes for finite values). Such a kernel only
borrows its arrays for the call, so it must:

* return no array (numba compiles one that returns an argument or a view of one, and the
  caller then releases a reference it never took); the row kernels return floats or nothing;
* allocate nothing (numba refuses to compile that);
* call only inlined helpers (``inline="always"``) and other row kernels: a plain ``njit``
  helper takes numba's reference counting from whichever caller compiles it first.

The stages' own kernels (:mod:`atlas.plume.stages`) allocate and count as usual."""
