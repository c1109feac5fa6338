"""The diagonal part of the advective fluxes of :mod:`atlas.plume.fluxes`: its speeds, and the
advective row that carries it.

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

Speeds are computed once per run from the face velocities, with the cells where a half-path
starts (numba kernels on bare arrays). A stage then computes, row by row, the value each such
cell carries along each diagonal line it starts (one value serves up to four faces: two
half-paths on each of two faces), keeping three rows of them, and the face fluxes from those
and the values along the axes (:func:`skewed_row`).

Cost of one advective stage on one thread (bench/results/2026-11-diagonals.txt): 1.0 ms with
the diagonals against 0.84 ms along the axes alone (main before the diagonals: 0.87 ms) on 240 x
220 cells of a random field in uniform flow at 200 degrees; 0.51 ms against 0.27 ms on the
Baotou scenario's field and flow. Three choices keep it there: the values along a diagonal line
are computed once per cell, for a whole row at a time (:func:`diagonal_values`, vectorized away
from the edge), not once per face that uses them; each row of faces is one kernel taking the
flow's arrays, as a small inlined function per face taking the flow tuple made numba count
references to every array at every face (the rows of 240 x 220 cells took 8.8 ms instead of
1.9 ms in a trial); and rows whose faces carry no diagonal part take the kernel along the axes
alone.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from atlas.plume.fluxes import (
    FloatArray,
    Flow,
    Region,
    edge_outflow,
    face_open,
    upwind_face_value,
    x_face_value,
    y_face_value,
)

__all__ = [
    "diagonal_starts",
    "diagonal_values",
    "half_paths",
    "skewed_row",
    "skewed_south",
]


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
def half_paths(vx: FloatArray, vy: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Speeds (m/yr) of the diagonal half-paths of every face.

    Parameters
    ----------
    vx, vy : float64 arrays (ny, nx + 1) and (ny + 1, nx)
        Seepage velocities on the x- and y-faces, m/yr.

    Returns
    -------
    x_paths, y_paths : float64 arrays (ny, nx + 1, 4) and (ny + 1, nx, 4)
        For each face (last axis): the speeds of the upwind cell's own half-path and of the
        corner cell's half-path on side +1 of the other axis, then the same on side -1. The
        own half-path goes from the upwind cell across this face and on across the other
        axis; the corner cell's comes from the cell beside the upwind cell (on the side the
        water comes from) into the upwind cell and across this face. A half-path that leaves
        or enters the grid keeps this face's half part.
    """
    ny, nx = vy.shape[0] - 1, vx.shape[1] - 1
    x_paths = np.zeros((ny, nx + 1, 4))
    y_paths = np.zeros((ny + 1, nx, 4))
    for j in range(ny):
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
                x_paths[j, i, k], x_paths[j, i, k + 1] = own, corner
    for j in range(ny + 1):
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
                y_paths[j, i, k], y_paths[j, i, k + 1] = own, corner
    return x_paths, y_paths


@njit(cache=True, inline="always")
def _line(dj: int, di: int) -> int:
    """Index (0..3) of the diagonal direction ``(dj, di)``, steps of +-1 cell."""
    return (0 if dj > 0 else 2) + (0 if di > 0 else 1)


@njit(cache=True)
def diagonal_starts(
    vx: FloatArray, vy: FloatArray, x_paths: FloatArray, y_paths: FloatArray
) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
    """Which diagonal lines carry water out of each cell, and which rows have any.

    Returns
    -------
    lines : uint8 array (ny, nx)
        Bit ``_line(dj, di)`` is set when a half-path of :func:`half_paths` with a speed starts
        at the cell toward ``(j + dj, i + di)``.
    rows : bool array (ny + 1,)
        Whether any half-path has a speed on the x-faces of row ``j`` or the y-faces ``j``:
        where neither holds, the fluxes are those along the axes alone.
    """
    ny, nx = vy.shape[0] - 1, vx.shape[1] - 1
    lines = np.zeros((ny, nx), dtype=np.uint8)
    for j in range(ny):
        for i in range(nx + 1):
            u = vx[j, i]
            di, up = (1, i - 1) if u > 0.0 else (-1, i)
            for k, (start, side) in enumerate(((j, 1), (j - 1, 1), (j, -1), (j + 1, -1))):
                if x_paths[j, i, k] > 0.0 and 0 <= start < ny:
                    lines[start, up] |= 1 << _line(side, di)
    for j in range(ny + 1):
        for i in range(nx):
            u = vy[j, i]
            dj, up = (1, j - 1) if u > 0.0 else (-1, j)
            for k, (start, side) in enumerate(((i, 1), (i - 1, 1), (i, -1), (i + 1, -1))):
                if y_paths[j, i, k] > 0.0 and 0 <= start < nx:
                    lines[up, start] |= 1 << _line(dj, side)
    rows = np.zeros(ny + 1, dtype=np.bool_)
    for j in range(ny + 1):
        rows[j] = (j < ny and (x_paths[j] > 0.0).any()) or (y_paths[j] > 0.0).any()
    return lines, rows


@njit(cache=True, inline="always")
def _diagonal_value(
    x: FloatArray, fixed: NDArray[np.bool_], j: int, i: int, dj: int, di: int
) -> float:
    """Value carried from cell ``(j, i)`` (in the grid) toward ``(j + dj, i + di)``,
    reconstructed along that diagonal line (:func:`atlas.plume.fluxes.upwind_face_value`).
    Called with constant offsets, so that the index arithmetic folds."""
    ny, nx = x.shape
    has_downwind = 0 <= j + dj < ny and 0 <= i + di < nx
    has_behind = 0 <= j - dj < ny and 0 <= i - di < nx
    return upwind_face_value(
        x[j - dj, i - di] if has_behind else 0.0,
        x[j, i],
        x[j + dj, i + di] if has_downwind else 0.0,
        has_behind,
        has_downwind,
        fixed[j, i],
    )


@njit(cache=True, inline="always")
def _slot(j: int) -> int:
    """Where the diagonal values of row ``j`` (from -1) go in the three rows of values kept."""
    return (j + 1) % 3


@njit(cache=True, inline="always")
def _inner_line(
    x: FloatArray,
    fixed: NDArray[np.bool_],
    j: int,
    step: tuple[int, int],
    columns: tuple[int, int],
    out: FloatArray,
    c: int,
) -> None:
    """Values carried from cells ``(j, i)``, ``i`` in ``[columns[0], columns[1])``, toward
    ``(j, i) + step`` into ``out[_line(*step), c + i - columns[0]]``, every cell having both
    neighbours along the line in the grid: a loop without branches over a row, which the
    compiler vectorizes. Called with a constant ``step``."""
    dj, di = step
    line = _line(dj, di)
    behind, here, ahead, held = x[j - dj], x[j], x[j + dj], fixed[j]
    shift = c - columns[0]
    for i in range(columns[0], columns[1]):
        out[line, shift + i] = upwind_face_value(
            behind[i - di], here[i], ahead[i + di], True, True, held[i]
        )


@njit(cache=True)
def diagonal_values(
    x: FloatArray,
    fixed: NDArray[np.bool_],
    lines: NDArray[np.uint8],
    j: int,
    region: Region,
    values: FloatArray,
) -> None:
    """Values carried along the diagonal lines that leave cells ``(j, i_lo - 1 + c)`` into
    ``values[_slot(j), line, c]``, where a half-path starts (``lines``); 0 (clean water) outside
    the region, as outside the grid: the region's edge faces are shut, so a half-path starting
    outside it carries nothing into its cells (it would take from a region-edge cell mass that
    never came in). Each value serves up to four faces (two half-paths on each of two faces). Away
    from the model edge a line's values are computed for every cell of the row when one of
    them starts a half-path on it (a loop without branches: cheaper than choosing)."""
    ny, nx = x.shape
    j_lo, j_hi, i_lo, i_hi = region
    out = values[_slot(j)]
    width = out.shape[1]
    if not j_lo <= j < j_hi:
        out[:, :] = 0.0
        return
    for c in (0, width - 1):
        if not i_lo <= i_lo - 1 + c < i_hi:
            for line in range(4):
                out[line, c] = 0.0
    here = lines[j]
    lo, hi = i_lo, i_hi
    inner = (max(lo, 1), min(hi, nx - 1)) if 0 < j < ny - 1 else (hi, hi)
    if inner[0] >= inner[1]:
        inner = (hi, hi)  # every cell is next to the edge
    else:
        bits = 0
        for i in range(lo, hi):
            bits |= here[i]
        c = inner[0] - i_lo + 1
        if bits & 1:
            _inner_line(x, fixed, j, (1, 1), inner, out, c)
        if bits & 2:
            _inner_line(x, fixed, j, (1, -1), inner, out, c)
        if bits & 4:
            _inner_line(x, fixed, j, (-1, 1), inner, out, c)
        if bits & 8:
            _inner_line(x, fixed, j, (-1, -1), inner, out, c)
    _edge_values(x, fixed, here, j, (lo, inner[0]), i_lo, out)
    _edge_values(x, fixed, here, j, (inner[1], hi), i_lo, out)


@njit(cache=True, inline="always")
def _edge_values(
    x: FloatArray,
    fixed: NDArray[np.bool_],
    lines: NDArray[np.uint8],
    j: int,
    columns: tuple[int, int],
    i_lo: int,
    out: FloatArray,
) -> None:
    """:func:`diagonal_values` of the cells ``(j, i)`` of ``columns`` next to the model edge,
    one by one, on the lines where they start a half-path (``lines``: the row's bits)."""
    for i in range(columns[0], columns[1]):
        bits = lines[i]
        c = i - i_lo + 1
        if bits & 1:
            out[0, c] = _diagonal_value(x, fixed, j, i, 1, 1)
        if bits & 2:
            out[1, c] = _diagonal_value(x, fixed, j, i, 1, -1)
        if bits & 4:
            out[2, c] = _diagonal_value(x, fixed, j, i, -1, 1)
        if bits & 8:
            out[3, c] = _diagonal_value(x, fixed, j, i, -1, -1)


@njit(cache=True)
def _x_fluxes(
    x: FloatArray,
    flow: Flow,
    fixed: NDArray[np.bool_],
    j: int,
    region: Region,
    values: FloatArray,
    out: FloatArray,
) -> None:
    """Advective fluxes (concentration m/yr) toward +x across the x-faces ``i_lo .. i_hi`` of
    row ``j`` of the region into ``out`` (zero where the face is shut): each half-path carries
    the value of its diagonal line (``values``: :func:`diagonal_values` of rows ``j - 1``, ``j``
    and ``j + 1``, in their :func:`_slot`), the rest of the face's speed the value along the
    axis."""
    vx, x_paths = flow[0], flow[2]
    nx = x.shape[1]
    i_lo, i_hi = region[2], region[3]
    below, here, above = _slot(j - 1), _slot(j), _slot(j + 1)
    for i in range(i_lo, i_hi + 1):
        u = vx[j, i]
        out[i - i_lo] = 0.0
        if not face_open(i, i_lo, i_hi, nx):
            continue
        if u > 0.0 and i > 0:
            c, line = i - i_lo, 0
        elif u < 0.0 and i < nx:
            c, line = i - i_lo + 1, 1
        else:
            continue
        value, rest = 0.0, abs(u)
        part = x_paths[j, i, 0]
        if part > 0.0:
            value += part * values[here, line, c]
            rest -= part
        part = x_paths[j, i, 1]
        if part > 0.0:
            value += part * values[below, line, c]
            rest -= part
        part = x_paths[j, i, 2]
        if part > 0.0:
            value += part * values[here, line + 2, c]
            rest -= part
        part = x_paths[j, i, 3]
        if part > 0.0:
            value += part * values[above, line + 2, c]
            rest -= part
        if rest > 0.0:
            value += rest * x_face_value(x, fixed, j, i, line == 0)
        out[i - i_lo] = value if line == 0 else -value


@njit(cache=True)
def _y_fluxes(
    x: FloatArray,
    flow: Flow,
    fixed: NDArray[np.bool_],
    j: int,
    region: Region,
    values: FloatArray,
    out: FloatArray,
) -> None:
    """Advective fluxes (concentration m/yr) toward +y across the y-faces ``j`` of the region's
    columns into ``out``, as :func:`_x_fluxes` (``values`` holding rows ``j - 1`` and ``j``)."""
    vy, y_paths = flow[1], flow[3]
    j_lo, j_hi, i_lo, i_hi = region
    ny = x.shape[0]
    shut = not face_open(j, j_lo, j_hi, ny)
    below, above = _slot(j - 1), _slot(j)
    for i in range(i_lo, i_hi):
        u = vy[j, i]
        out[i - i_lo] = 0.0
        if shut:
            continue
        if u > 0.0 and j > 0:
            slot, line = below, 0
        elif u < 0.0 and j < ny:
            slot, line = above, 2
        else:
            continue
        c = i - i_lo + 1
        value, rest = 0.0, abs(u)
        part = y_paths[j, i, 0]
        if part > 0.0:
            value += part * values[slot, line, c]
            rest -= part
        part = y_paths[j, i, 1]
        if part > 0.0:
            value += part * values[slot, line, c - 1]
            rest -= part
        part = y_paths[j, i, 2]
        if part > 0.0:
            value += part * values[slot, line + 1, c]
            rest -= part
        part = y_paths[j, i, 3]
        if part > 0.0:
            value += part * values[slot, line + 1, c + 1]
            rest -= part
        if rest > 0.0:
            value += rest * y_face_value(x, fixed, j, i, line == 0)
        out[i - i_lo] = value if line == 0 else -value


@njit(cache=True)
def skewed_south(
    x: FloatArray,
    region: Region,
    flow: Flow,
    fixed: NDArray[np.bool_],
    j: int,
    values: FloatArray,
    out: FloatArray,
) -> None:
    """Fluxes across the y-faces ``j`` of the region's columns (zero where the face is shut),
    with the diagonals; ``values`` holds the diagonal values of rows ``j - 1`` and ``j``
    (:func:`diagonal_values`)."""
    _y_fluxes(x, flow, fixed, j, region, values, out)


@njit(cache=True)
def skewed_row(
    x: FloatArray,
    j: int,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    fixed: NDArray[np.bool_],
    inv_r_dx: float,
    values: FloatArray,
    faces: FloatArray,
    south: FloatArray,
    north: FloatArray,
    row: FloatArray,
) -> float:
    """:func:`atlas.plume.fluxes.advective_row` with the diagonals. ``values`` holds the
    diagonal values of rows ``j - 1``, ``j`` and ``j + 1`` (:func:`diagonal_values`); ``faces``
    (columns + 1) takes the fluxes across the row's x-faces."""
    i_lo, i_hi = region[2], region[3]
    _y_fluxes(x, flow, fixed, j + 1, region, values, north)
    _x_fluxes(x, flow, fixed, j, region, values, faces)
    outflow = -faces[0] * inv_r_dx if i_lo == 0 else 0.0
    for i in range(i_lo, i_hi):
        c = i - i_lo
        loss = sink[j, i] * x[j, i]
        outflow += loss
        row[c] = (faces[c] - faces[c + 1] + south[c] - north[c]) * inv_r_dx - loss
    return edge_outflow(outflow, j, region, x.shape, faces[i_hi - i_lo], (south, north), inv_r_dx)
