"""Region kernels of :mod:`atlas.plume.scheme`: array updates on a box of cells, and the box.

A region is rows ``[j_lo, j_hi)`` and columns ``[i_lo, i_hi)`` of cells (see
:mod:`atlas.plume.fluxes`); nothing outside it is read or written, except the held cells, which
are written wherever they are. No validation: these are numba kernels on bare arrays, on one
thread (a pass of a few nanoseconds per cell: on a busy machine waking the other threads for
it cost more than it saved), except the copy, the box and the range of regions of at least
:data:`PARALLEL_CELLS` cells, whose rows go over numba's threads as the
stages' do (at 2048^2 on 2 threads: 7.0 -> 3.2 ms, 3.2 -> 1.6 ms, 2.1 -> 1.0 ms a pass, the
stages' memory-bound pace); every sum is taken row by row in a fixed order.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from atlas.plume.fluxes import FloatArray, Held, Region

__all__ = [
    "PARALLEL_CELLS",
    "ROUND_OFF",
    "around",
    "clip_round_off",
    "copy_region",
    "decay",
    "decay_held",
    "grow_box",
    "range_values",
    "restore_held",
    "row_range",
    "threaded",
    "value_range",
    "within",
]

PARALLEL_CELLS = 1 << 18
"""Regions with fewer cells (512^2) run on the calling thread alone. A stage of a smaller region
takes a few milliseconds or less, and on a machine shared with other work the threads of a
parallel stage wait for each other: the Baotou scenario (52,800 cells, regions above 32,768
cells) took 35-59 s on 2 threads against 6-8 s on one, at a load average of 6-7 on 2 cores."""

ROUND_OFF = 8.0 * np.finfo(np.float64).eps
"""Relative size of an excursion beyond the bounds that is round-off, not a failure."""


@njit(cache=True)
def threaded(region: Region) -> bool:
    """Whether the region is large enough for its rows to go over threads."""
    return max(region[1] - region[0], 0) * max(region[3] - region[2], 0) >= PARALLEL_CELLS


@njit(cache=True, inline="always")
def _copy_row(source: FloatArray, out: FloatArray) -> None:
    """Copy a row's slice (a loop: a slice assignment compiles numba's shape checks and their
    messages, seconds of a cold compile)."""
    for i in range(out.shape[0]):
        out[i] = source[i]


@njit(cache=True, parallel=True)
def _copy_rows_parallel(region: Region, source: FloatArray, out: FloatArray) -> None:
    """:func:`copy_region` with the rows over numba's threads."""
    j_lo, j_hi, i_lo, i_hi = region
    for j in prange(j_lo, j_hi):
        _copy_row(source[j, i_lo:i_hi], out[j, i_lo:i_hi])


@njit(cache=True)
def copy_region(region: Region, source: FloatArray, out: FloatArray) -> None:
    """Copy ``source`` into ``out`` in ``region``."""
    j_lo, j_hi, i_lo, i_hi = region
    if threaded(region):
        _copy_rows_parallel(region, source, out)
        return
    for j in range(j_lo, j_hi):
        _copy_row(source[j, i_lo:i_hi], out[j, i_lo:i_hi])


@njit(cache=True)
def decay(region: Region, conc: FloatArray, factor: float) -> float:
    """Multiply ``conc`` by ``factor`` in ``region``; returns the concentration sum removed
    (summed row by row in a fixed order: the same whatever the number of threads)."""
    j_lo, j_hi, i_lo, i_hi = region
    totals = np.zeros(conc.shape[0])
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            totals[j] += conc[j, i]
            conc[j, i] *= factor
    total = 0.0
    for j in range(j_lo, j_hi):
        total += totals[j]
    return total * (1.0 - factor)


@njit(cache=True, inline="always")
def _row_extent(values: FloatArray, floor: float) -> tuple[int, int]:
    """First and last index of a row's slice whose magnitude exceeds ``floor`` (-1 if none):
    smallest and largest index of such a value, reductions of integers, so a vector loop (with a
    branch per value it took 5 times as long)."""
    n = values.shape[0]
    first, last = n, -1
    for i in range(n):
        above = abs(values[i]) > floor
        first = min(first, i if above else n)
        last = max(last, i if above else -1)
    return first, last


@njit(cache=True, parallel=True)
def _extents_parallel(
    conc: FloatArray,
    floor: float,
    region: Region,
    firsts: NDArray[np.int64],
    lasts: NDArray[np.int64],
) -> None:
    """The rows of :func:`grow_box` over numba's threads. The arrays are separate arguments: a
    store in the loop into an array unpacked from a tuple argument was lost (numba 0.68)."""
    for j in prange(region[0], region[1]):
        first, last = _row_extent(conc[j, region[2] : region[3]], floor)
        firsts[j] = first
        lasts[j] = last


@njit(cache=True)
def grow_box(conc: FloatArray, floor: float, region: Region, box: Region) -> Region:
    """``box`` grown to hold every cell of ``region`` whose concentration exceeds ``floor``."""
    ny = conc.shape[0]
    firsts, lasts = np.empty(ny, dtype=np.int64), np.empty(ny, dtype=np.int64)
    if threaded(region):
        _extents_parallel(conc, floor, region, firsts, lasts)
    else:
        for j in range(region[0], region[1]):
            firsts[j], lasts[j] = _row_extent(conc[j, region[2] : region[3]], floor)
    j_lo, j_hi, i_lo, i_hi = box
    for j in range(region[0], region[1]):
        if lasts[j] >= 0:
            j_lo, j_hi = min(j_lo, j), max(j_hi, j + 1)
            i_lo, i_hi = min(i_lo, region[2] + firsts[j]), max(i_hi, region[2] + lasts[j] + 1)
    return j_lo, j_hi, i_lo, i_hi


@njit(cache=True)
def around(box: Region, margin: int, ny: int, nx: int) -> Region:
    """``box`` widened by ``margin`` cells on every side, within the grid (empty stays empty)."""
    if box[0] >= box[1]:
        return box
    return (
        max(box[0] - margin, 0),
        min(box[1] + margin, ny),
        max(box[2] - margin, 0),
        min(box[3] + margin, nx),
    )


@njit(cache=True)
def restore_held(conc: FloatArray, held: Held) -> float:
    """Write the held values back into ``conc``; returns the mass that took (inflow)."""
    cells_held, values, _ = held
    cells = conc.reshape(-1)
    inflow = 0.0
    for m in range(cells_held.shape[0]):
        inflow += values[m] - cells[cells_held[m]]
        cells[cells_held[m]] = values[m]
    return inflow


@njit(cache=True)
def decay_held(region: Region, conc: FloatArray, factor: float, held: Held) -> tuple[float, float]:
    """Decay ``conc`` by ``factor`` in ``region``, then restore the held cells; returns
    ``(decayed, inflow)``."""
    return decay(region, conc, factor), restore_held(conc, held)


_SIGN_KEPT = np.int64(0x7FFFFFFFFFFFFFFF)
_INF_BITS, _MINUS_INF_BITS = np.array([np.inf, -np.inf]).view(np.int64)


@njit(cache=True, inline="always")
def _ordered(bits: np.int64) -> np.int64:
    """A float64's bits (as int64) made into an int64 that orders as the float does (-0 before
    +0): a negative's bits flipped, but the sign. Its own inverse."""
    return bits ^ ((bits >> 63) & _SIGN_KEPT)


@njit(cache=True, inline="always")
def row_range(values: FloatArray) -> tuple[np.int64, np.int64]:
    """Smallest and largest of ``values`` (a row's slice), as :func:`_ordered` bits: reductions
    of integers, so a vector loop (the floats' own, in order, are not: 3 times as long). Keys
    of rows combine by ``min`` and ``max``; :func:`range_values` gives the floats."""
    ordered = values.view(np.int64)
    low, high = _ordered(_INF_BITS), _ordered(_MINUS_INF_BITS)
    for i in range(ordered.shape[0]):
        key = _ordered(ordered[i])
        low = min(low, key)
        high = max(high, key)
    return low, high


@njit(cache=True)
def range_values(
    lows: NDArray[np.int64], highs: NDArray[np.int64], rows: Region
) -> tuple[float, float]:
    """Smallest and largest value of the rows ``[rows[0], rows[1])`` whose :func:`row_range`
    keys are ``lows`` and ``highs`` (``inf`` and ``-inf`` for none; -0 is below +0; a NaN with
    its sign bit clear is above everything, one with it set below)."""
    low, high = _ordered(_INF_BITS), _ordered(_MINUS_INF_BITS)
    for j in range(rows[0], rows[1]):
        low, high = min(low, lows[j]), max(high, highs[j])
    ends = np.array([_ordered(low), _ordered(high)]).view(np.float64)
    return ends[0], ends[1]


@njit(cache=True)
def within(field_range: tuple[float, float], lowest: float, highest: float) -> bool:
    """Whether every value of a field whose :func:`value_range` is ``field_range`` is in
    ``[lowest, highest]`` (false for a NaN): what the check of :func:`clip_round_off` finds."""
    return lowest <= field_range[0] and field_range[1] <= highest


@njit(cache=True, parallel=True)
def _ranges_parallel(
    region: Region, field: FloatArray, lows: NDArray[np.int64], highs: NDArray[np.int64]
) -> None:
    """The rows of :func:`value_range` over numba's threads."""
    for j in prange(region[0], region[1]):
        low, high = row_range(field[j, region[2] : region[3]])
        lows[j] = low
        highs[j] = high


@njit(cache=True)
def value_range(region: Region, field: FloatArray) -> tuple[float, float]:
    """Smallest and largest value of ``field`` in ``region`` (``inf`` and ``-inf`` for none;
    -0 is below +0; a NaN with its sign bit clear is above everything, one with it set below)."""
    j_lo, j_hi, i_lo, i_hi = region
    ny = field.shape[0]
    lows, highs = np.empty(ny, dtype=np.int64), np.empty(ny, dtype=np.int64)
    if threaded(region):
        _ranges_parallel(region, field, lows, highs)
    else:
        for j in range(j_lo, j_hi):
            lows[j], highs[j] = row_range(field[j, i_lo:i_hi])
    return range_values(lows, highs, region)


@njit(cache=True)
def _row_within(values: FloatArray, low: float, high: float) -> bool:
    """Whether every one of ``values`` is in ``[low, high]`` (false for a NaN; a vector loop)."""
    inside = True
    for i in range(values.shape[0]):
        inside &= low <= values[i] <= high
    return inside


@njit(cache=True)
def clip_round_off(
    region: Region, field: FloatArray, lowest: float, highest: float, negligible: float = 0.0
) -> tuple[bool, float]:
    """Whether ``field`` stays within ``[lowest, highest]`` in ``region`` up to round-off.

    Excursions up to :data:`ROUND_OFF` of the largest bound's magnitude, or up to
    ``negligible`` (a concentration) if that is larger, are clipped to the bounds, in the same
    pass as the check; returns whether the field is accepted and the mass
    the clipping added (summed row by row in a fixed order). A field with a larger excursion is
    left clipped up to it, and the mass returned is what that clipping added. A field within
    the bounds (nearly always) is found so by a vector pass, and left as it is.
    """
    j_lo, j_hi, i_lo, i_hi = region
    inside = True
    for j in range(j_lo, j_hi):
        inside &= _row_within(field[j, i_lo:i_hi], lowest, highest)
    if inside:
        return True, 0.0
    slack = max(ROUND_OFF * max(abs(lowest), abs(highest)), negligible)
    added = np.zeros(field.shape[0])
    accepted = True
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            if not lowest - slack <= field[j, i] <= highest + slack:
                accepted = False
                break
            value = min(max(field[j, i], lowest), highest)
            added[j] += value - field[j, i]
            field[j, i] = value
        if not accepted:
            break
    total = 0.0
    for j in range(j_lo, j_hi):
        total += added[j]
    return accepted, total
