"""Speeds of the diagonal half-paths of :mod:`atlas.plume.diagonals`, computed once per run.

Water that enters a cell across one axis and leaves it across the other turns the cell's
corner: it goes along a diagonal line of cells. Such a diagonal link, from a cell to the cell
diagonally downstream, is carried half along each of its two paths of two faces (through one or
the other cell beside both). A half-path gets one speed on both faces it crosses, the smaller of
the two faces' diagonal parts, halved, so that the cell in between passes on exactly what it
receives; its diagonal part is 0 where the two faces' flows do not turn the same way.

A face's diagonal part on each side (water entering its upwind cell across the other axis from
below, moving +, or from above, moving -) is the inflow across the other axis, shared among the
faces by which the cell's water leaves along this axis (in proportion to their speeds), and at
most the face's own speed; when water enters from both sides, the face's part is shared between
them in proportion to their inflows. In uniform flow every half-path's speed is half of
``min(|vx|, |vy|)`` and the advection is split along an axis and a diagonal of the lattice.

Speeds are computed from the face velocities, with the cells where a half-path starts (numba
kernels on bare arrays).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from atlas.plume.fluxes import FloatArray

__all__ = ["diagonal_starts", "half_paths", "line_index"]


@njit(cache=True, inline="always")
def _side_parts(speed: float, lower: float, upper: float, outflow: float) -> tuple[float, float]:
    """Diagonal parts (m/yr) of a flux of ``speed`` out of a cell whose outflow along the flux's
    axis is ``outflow``, from the water entering it across the other axis: from below at
    ``lower`` (moving +) and from above at ``-upper`` (moving -)."""
    plus, minus = max(lower, 0.0), max(-upper, 0.0)
    total = plus + minus
    if total <= 0.0:
        return 0.0, 0.0
    scale = speed * min(1.0, total / outflow) / total
    return scale * plus, scale * minus


@njit(cache=True)
def _x_parts(vx: FloatArray, vy: FloatArray, j: int, i: int) -> tuple[int, float, float]:
    """Direction along x (0 without flux) and the diagonal parts, sides +y and -y, of x-face
    ``i`` of row ``j``."""
    nx = vx.shape[1] - 1
    u = vx[j, i]
    if u > 0.0 and i > 0:
        up, di = i - 1, 1
    elif u < 0.0 and i < nx:
        up, di = i, -1
    else:
        return 0, 0.0, 0.0
    outflow = max(vx[j, up + 1], 0.0) - min(vx[j, up], 0.0)
    plus, minus = _side_parts(abs(u), vy[j, up], vy[j + 1, up], outflow)
    return di, plus, minus


@njit(cache=True)
def _y_parts(vx: FloatArray, vy: FloatArray, j: int, i: int) -> tuple[int, float, float]:
    """Direction along y (0 without flux) and the diagonal parts, sides +x and -x, of y-face
    ``j`` of column ``i``."""
    ny = vy.shape[0] - 1
    u = vy[j, i]
    if u > 0.0 and j > 0:
        up, dj = j - 1, 1
    elif u < 0.0 and j < ny:
        up, dj = j, -1
    else:
        return 0, 0.0, 0.0
    outflow = max(vy[up + 1, i], 0.0) - min(vy[up, i], 0.0)
    plus, minus = _side_parts(abs(u), vx[up, i], vx[up, i + 1], outflow)
    return dj, plus, minus


@njit(cache=True, inline="always")
def _shared(part: float, direction: int, wanted: int, other: tuple[int, float, float]) -> float:
    """Speed of a half-path: half the smaller of this face's ``part`` and the other face's part
    on side ``direction``, 0 unless the other face's flow goes the ``wanted`` way."""
    if other[0] != wanted:
        return 0.0
    return 0.5 * min(part, other[1] if direction == 1 else other[2])


@njit(cache=True)
def _x_face_paths(vx: FloatArray, vy: FloatArray, j: int, x_paths: FloatArray) -> None:
    """The half-path speeds of the x-faces of row ``j`` into ``x_paths`` (:func:`half_paths`)."""
    ny, nx = vy.shape[0] - 1, vx.shape[1] - 1
    for i in range(nx + 1):
        di, plus, minus = _x_parts(vx, vy, j, i)
        if di == 0:
            continue
        up = i - 1 if di == 1 else i
        down = up + di
        for side, part, k in ((1, plus, 0), (-1, minus, 2)):
            if part <= 0.0:
                continue
            face = j + 1 if side == 1 else j  # y-face beyond this face, toward the side
            own = (
                _shared(part, di, side, _y_parts(vx, vy, face, down))
                if 0 <= down < nx
                else 0.5 * part
            )
            face = j if side == 1 else j + 1  # y-face the corner cell's water came across
            corner = (
                _shared(part, di, side, _y_parts(vx, vy, face, up))
                if 0 <= j - side < ny
                else 0.5 * part
            )
            x_paths[k, j, i], x_paths[k + 1, j, i] = own, corner


@njit(cache=True)
def _y_face_paths(vx: FloatArray, vy: FloatArray, j: int, y_paths: FloatArray) -> None:
    """The half-path speeds of the y-faces ``j`` into ``y_paths`` (see :func:`half_paths`)."""
    ny, nx = vy.shape[0] - 1, vx.shape[1] - 1
    for i in range(nx):
        dj, plus, minus = _y_parts(vx, vy, j, i)
        if dj == 0:
            continue
        up = j - 1 if dj == 1 else j
        down = up + dj
        for side, part, k in ((1, plus, 0), (-1, minus, 2)):
            if part <= 0.0:
                continue
            face = i + 1 if side == 1 else i
            own = (
                _shared(part, dj, side, _x_parts(vx, vy, down, face))
                if 0 <= down < ny
                else 0.5 * part
            )
            face = i if side == 1 else i + 1
            corner = (
                _shared(part, dj, side, _x_parts(vx, vy, up, face))
                if 0 <= i - side < nx
                else 0.5 * part
            )
            y_paths[k, j, i], y_paths[k + 1, j, i] = own, corner


def half_paths(vx: FloatArray, vy: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Speeds (m/yr) of the diagonal half-paths of every face.

    Parameters
    ----------
    vx, vy : float64 arrays (ny, nx + 1) and (ny + 1, nx)
        Seepage velocities on the x- and y-faces, m/yr.

    Returns
    -------
    x_paths, y_paths : float64 arrays (4, ny, nx + 1) and (4, ny + 1, nx)
        Four planes of the faces (so that a row of faces reads each as a plain slice): the speeds of
        the upwind cell's own half-path and of the corner cell's half-path on side +1 of the other
        axis, then the same on side -1. The own half-path goes from the upwind cell across this face
        and on across the other axis; the corner cell's comes from the cell beside the upwind cell
        (on the side the water comes from) into the upwind cell and across this face. A half-path
        that leaves or enters the grid keeps this face's half part.
    """
    ny, nx = vy.shape[0] - 1, vx.shape[1] - 1
    # made by numpy, not in numba: numpy asks the kernel for huge pages for a large array (and
    # numba does not), which saves a page fault per 4 KiB (at 2048^2, this took 2.7 ns per
    # cell-step of the bench, now 1.3)
    x_paths, y_paths = np.zeros((4, ny, nx + 1)), np.zeros((4, ny + 1, nx))
    _fill_half_paths(vx, vy, x_paths, y_paths)
    return x_paths, y_paths


@njit(cache=True, parallel=True)
def _fill_half_paths(
    vx: FloatArray, vy: FloatArray, x_paths: FloatArray, y_paths: FloatArray
) -> None:
    """:func:`half_paths` into ``x_paths`` and ``y_paths`` (zeros)."""
    ny = vy.shape[0] - 1
    # a row of faces writes only its own speeds: over the threads (numba's parallel loops count
    # without a sign, and an unsigned row number would mix with signed ones as a float)
    for j in prange(ny):
        _x_face_paths(vx, vy, np.int64(j), x_paths)  # type: ignore[arg-type]
    for j in prange(ny + 1):
        _y_face_paths(vx, vy, np.int64(j), y_paths)  # type: ignore[arg-type]


@njit(cache=True, inline="always")
def line_index(dj: int, di: int) -> int:
    """Index (0..3) of the diagonal direction ``(dj, di)``, steps of +-1 cell."""
    return (0 if dj > 0 else 2) + (0 if di > 0 else 1)


@njit(cache=True)
def _row_starts(
    vx: FloatArray, vy: FloatArray, x_paths: FloatArray, y_paths: FloatArray, r: int,
    lines: NDArray[np.uint8],
) -> None:  # fmt: skip
    """The bits of :func:`diagonal_starts` of the cells of row ``r``, into ``lines`` (its row)."""
    ny, nx = vy.shape[0] - 1, vx.shape[1] - 1
    # plane k of the x-faces of row j holds half-paths starting in rows j, j - 1, j and j + 1
    for k, (j, side) in enumerate(((r, 1), (r + 1, 1), (r, -1), (r - 1, -1))):
        if 0 <= j < ny:
            for i in range(nx + 1):
                if x_paths[k, j, i] > 0.0:
                    di, up = (1, i - 1) if vx[j, i] > 0.0 else (-1, i)
                    lines[up] |= 1 << line_index(side, di)
    # the y-faces whose upwind cell is in row r: face r + 1 moving +y, face r moving -y
    for j in (r, r + 1):
        for i in range(nx):
            dj, up = (1, j - 1) if vy[j, i] > 0.0 else (-1, j)
            if up != r:
                continue
            for k, (start, side) in enumerate(((i, 1), (i - 1, 1), (i, -1), (i + 1, -1))):
                if y_paths[k, j, i] > 0.0 and 0 <= start < nx:
                    lines[start] |= 1 << line_index(dj, side)


@njit(cache=True)
def _row_pairs(x_paths: FloatArray, y_paths: FloatArray, j: int) -> int:
    """The bits of the ``rows`` of :func:`diagonal_starts` of row ``j``."""
    bits = 0
    for pair in range(2):
        planes = slice(2 * pair, 2 * pair + 2)
        if j < x_paths.shape[1] and (x_paths[planes, j] > 0.0).any():
            bits |= 1 << pair
        if (y_paths[planes, j] > 0.0).any():
            bits |= 4 << pair
    return bits


@njit(cache=True, parallel=True)
def diagonal_starts(
    vx: FloatArray, vy: FloatArray, x_paths: FloatArray, y_paths: FloatArray
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Which diagonal lines carry water out of each cell, and which rows have any.

    Returns
    -------
    lines : uint8 array (ny, nx)
        Bit ``line_index(dj, di)`` is set when a half-path of :func:`half_paths` with a speed starts
        at the cell toward ``(j + dj, i + di)``.
    rows : uint8 array (ny + 1,)
        Which pairs of half-path planes have a speed on the x-faces of row ``j`` (bit 0: planes
        0 and 1, the half-paths that turn toward +y; bit 1: planes 2 and 3, toward -y) and on
        the y-faces ``j`` (bits 2 and 3: toward +x and -x). A pair without speed in a row is
        not read there; a row without any takes the fluxes along the axes alone.
    """
    ny, nx = vy.shape[0] - 1, vx.shape[1] - 1
    lines = np.zeros((ny, nx), dtype=np.uint8)
    rows = np.zeros(ny + 1, dtype=np.uint8)
    for j in prange(ny + 1):  # each row gathers what starts in it: over the threads
        if j < ny:
            _row_starts(vx, vy, x_paths, y_paths, np.int64(j), lines[j])  # type: ignore[arg-type]
        rows[j] = _row_pairs(x_paths, y_paths, np.int64(j))  # type: ignore[arg-type]
    return lines, rows
