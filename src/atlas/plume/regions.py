"""Region kernels of :mod:`atlas.plume.scheme`: array updates on a box of cells, and the box.

A region is rows ``[j_lo, j_hi)`` and columns ``[i_lo, i_hi)`` of cells (see
:mod:`atlas.plume.fluxes`); nothing outside it is read or written, except the held cells, which
are written wherever they are. No validation: these are numba kernels on bare arrays.
"""

from __future__ import annotations

from numba import njit

from atlas.plume.fluxes import FloatArray, Held, Region

__all__ = [
    "around",
    "average_update",
    "axpy",
    "copy_region",
    "decay",
    "decay_held",
    "grow_box",
    "restore_held",
]


@njit(cache=True)
def axpy(region: Region, base: FloatArray, dt: float, rate: FloatArray, out: FloatArray) -> None:
    j_lo, j_hi, i_lo, i_hi = region
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            out[j, i] = base[j, i] + dt * rate[j, i]


@njit(cache=True)
def copy_region(region: Region, source: FloatArray, out: FloatArray) -> None:
    j_lo, j_hi, i_lo, i_hi = region
    out[j_lo:j_hi, i_lo:i_hi] = source[j_lo:j_hi, i_lo:i_hi]


@njit(cache=True)
def average_update(
    region: Region, conc: FloatArray, dt: float, first: FloatArray, second: FloatArray
) -> None:
    j_lo, j_hi, i_lo, i_hi = region
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            conc[j, i] += 0.5 * dt * (first[j, i] + second[j, i])


@njit(cache=True)
def decay(region: Region, conc: FloatArray, factor: float) -> float:
    j_lo, j_hi, i_lo, i_hi = region
    total = 0.0
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            total += conc[j, i]
            conc[j, i] *= factor
    return total * (1.0 - factor)


@njit(cache=True)
def grow_box(conc: FloatArray, floor: float, region: Region, box: Region) -> Region:
    """``box`` grown to hold every cell of ``region`` whose concentration exceeds ``floor``."""
    j_lo, j_hi, i_lo, i_hi = box
    for j in range(region[0], region[1]):
        for i in range(region[2], region[3]):
            if abs(conc[j, i]) > floor:
                j_lo, j_hi = min(j_lo, j), max(j_hi, j + 1)
                i_lo, i_hi = min(i_lo, i), max(i_hi, i + 1)
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
