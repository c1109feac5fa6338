"""The diagonal part of the advective fluxes of :mod:`atlas.plume.fluxes`: the advective row
that carries it.

Water that turns a cell's corner goes along a diagonal line of cells, half along each of the two
paths of two faces around the corner, at the speeds of :mod:`atlas.plume.half_paths`.

The speeds are computed once per run; a stage then computes, row by row, the value each such
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
alone. Then loops on slices from index 0 (:func:`_inner_line`, :func:`_inner_fluxes`), which
carry no negative-index wrap and compile to vector code, took the Baotou stage from 0.46 to
0.37 ms (2026-11-baotou.txt, section 8), with the same bytes; row kernels that count no
references (:data:`atlas.plume.jit.row_kernel`) to 0.29 ms, and computing in
:func:`_inner_fluxes` the values of both directions, then choosing one (choosing which array
to load from compiled to gathers, a load per lane, which took most of the loop's time), to
0.19 ms, and reading a row's half-path planes in pairs, leaving out a pair without speed in the
row (:func:`_pairs_fluxes`; Baotou's water never turns north across an x-face), to 0.17 ms,
with the same bytes again (2026-11-baotou.txt, section 11).
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
from atlas.plume.half_paths import line_index
from atlas.plume.jit import row_kernel

__all__ = ["diagonal_values", "skewed_row", "skewed_south"]


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
    ``(j, i) + step`` into ``out[line_index(*step), c + i - columns[0]]``, every cell having both
    neighbours along the line in the grid: a loop without branches over a row, which the
    compiler vectorizes. Called with a constant ``step``."""
    dj, di = step
    lo, hi = columns
    behind, here, ahead = x[j - dj, lo - di : hi - di], x[j, lo:hi], x[j + dj, lo + di : hi + di]
    held, value = fixed[j, lo:hi], out[line_index(dj, di), c : c + hi - lo]
    for k in range(value.shape[0]):  # slices from index 0: no negative-index wrap to check
        value[k] = upwind_face_value(behind[k], here[k], ahead[k], True, True, held[k])


@row_kernel
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
        bits, starts = 0, here[lo:hi]
        for k in range(starts.shape[0]):
            bits |= starts[k]
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


Pair = tuple[FloatArray, FloatArray]


@njit(cache=True, inline="always")
def _inner_fluxes(
    speed: FloatArray,
    parts: tuple[Pair, ...],
    plus: tuple[Pair, ...],
    minus: tuple[Pair, ...],
    line: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    held: tuple[NDArray[np.bool_], NDArray[np.bool_]],
    out: FloatArray,
) -> None:
    """Fluxes toward + across faces of ``speed`` (m/yr) with the half-paths' ``parts`` (pairs of
    their planes, in order: the pairs with speed in the row), as :func:`_x_fluxes`: the diagonal
    values each half-path carries when the water moves + (``plus``) or - (``minus``), paired as
    the planes, the four cells along the axis around each face (two behind it, two ahead) and
    whether the two beside it are held, every cell in the grid. Equal-length slices from index 0,
    no branch the compiler cannot turn into a selection, and a selection of values, not of the
    arrays to load them from: a vector loop without gathers. A half-path without speed adds
    ``0 * value`` and takes nothing from the rest, and ``value`` is never -0, so the numbers are
    those of the branches of :func:`_x_fluxes`, bit for bit, and a pair left out changes no bit
    (for finite values: the ``0 * inf`` it would add is NaN)."""
    far_back, back, ahead, far_ahead = line
    back_held, ahead_held = held
    for k in range(out.shape[0]):
        u = speed[k]
        forward = u > 0.0
        # both directions are computed, then one is chosen: choosing which array to load from
        # compiled to gathers (a load per lane), which took most of the loop's time
        by_plus, by_minus, rest = 0.0, 0.0, abs(u)
        for m in range(len(parts)):
            (p0, p1), (a0, a1), (b0, b1) = parts[m], plus[m], minus[m]
            by_plus = by_plus + p0[k] * a0[k] + p1[k] * a1[k]
            by_minus = by_minus + p0[k] * b0[k] + p1[k] * b1[k]
            rest = rest - p0[k] - p1[k]
        to_plus = upwind_face_value(far_back[k], back[k], ahead[k], True, True, back_held[k])
        to_minus = upwind_face_value(far_ahead[k], ahead[k], back[k], True, True, ahead_held[k])
        value = by_plus if forward else by_minus
        value += rest * (to_plus if forward else to_minus) if rest > 0.0 else 0.0
        out[k] = value if forward else (-value if u < 0.0 else 0.0)


@njit(cache=True, inline="always")
def _pairs_fluxes(
    pairs: int,
    speed: FloatArray,
    parts: tuple[Pair, Pair],
    plus: tuple[Pair, Pair],
    minus: tuple[Pair, Pair],
    line: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    held: tuple[NDArray[np.bool_], NDArray[np.bool_]],
    out: FloatArray,
) -> None:
    """:func:`_inner_fluxes` with the pairs of planes that have a speed in the row (``pairs``: bit
    0 the first pair, bit 1 the second; the second alone when only it has, the first alone when
    neither has): a pair without speed is not read."""
    if pairs == 3:
        _inner_fluxes(speed, parts, plus, minus, line, held, out)
    else:  # one loop for either pair alone: each loop compiled is seconds of a cold compile
        m = 1 if pairs == 2 else 0
        _inner_fluxes(speed, (parts[m],), (plus[m],), (minus[m],), line, held, out)


@njit(cache=True, inline="always")
def _along_half_paths(
    speed: float,
    parts: tuple[float, float, float, float],
    carried: tuple[float, float, float, float],
) -> tuple[float, float]:
    """What a face of ``speed`` (m/yr) carries along its four half-paths, of speeds ``parts``,
    each taking the value ``carried`` of its diagonal line, and the rest of its speed, left for
    the value along the axis (one face at a time: :func:`_inner_fluxes` does a row's)."""
    value, rest = 0.0, abs(speed)
    for k in range(4):
        if parts[k] > 0.0:
            value += parts[k] * carried[k]
            rest -= parts[k]
    return value, rest


@njit(cache=True, inline="always")
def _x_edge_fluxes(
    x: FloatArray,
    flow: Flow,
    fixed: NDArray[np.bool_],
    j: int,
    region: Region,
    values: FloatArray,
    faces: tuple[int, int],
    out: FloatArray,
) -> None:
    """:func:`_x_fluxes` across the x-faces ``i`` in ``faces`` one by one (those next to the
    region's or the model's edge)."""
    vx, x_paths = flow[0], flow[2]
    nx = x.shape[1]
    i_lo, i_hi = region[2], region[3]
    below, here, above = _slot(j - 1), _slot(j), _slot(j + 1)
    for i in range(faces[0], faces[1]):
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
        value, rest = _along_half_paths(
            u,
            (x_paths[0, j, i], x_paths[1, j, i], x_paths[2, j, i], x_paths[3, j, i]),
            (
                values[here, line, c],
                values[below, line, c],
                values[here, line + 2, c],
                values[above, line + 2, c],
            ),
        )
        if rest > 0.0:
            value += rest * x_face_value(x, fixed, j, i, line == 0)
        out[i - i_lo] = value if line == 0 else -value


@njit(cache=True, inline="always")
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
    axis. Faces inside the region with two cells on either side in the grid go in a vector
    loop (:func:`_inner_fluxes`), the others one by one."""
    nx = x.shape[1]
    i_lo, i_hi = region[2], region[3]
    lo, hi = max(i_lo + 1, 2), min(i_hi, nx - 1)  # such faces: [lo, hi)
    if lo >= hi:
        lo, hi = i_lo, i_lo
    _x_edge_fluxes(x, flow, fixed, j, region, values, (i_lo, lo), out)
    _x_edge_fluxes(x, flow, fixed, j, region, values, (hi, i_hi + 1), out)
    if lo < hi:
        here, below, above = values[_slot(j)], values[_slot(j - 1)], values[_slot(j + 1)]
        a, b = lo - i_lo, hi - i_lo  # values of faces [lo, hi) when the water moves +x
        row, held = x[j], fixed[j]
        _pairs_fluxes(
            flow[5][j] & 3,
            flow[0][j, lo:hi],
            (
                (flow[2][0, j, lo:hi], flow[2][1, j, lo:hi]),
                (flow[2][2, j, lo:hi], flow[2][3, j, lo:hi]),
            ),
            ((here[0, a:b], below[0, a:b]), (here[2, a:b], above[2, a:b])),
            (
                (here[1, a + 1 : b + 1], below[1, a + 1 : b + 1]),
                (here[3, a + 1 : b + 1], above[3, a + 1 : b + 1]),
            ),
            (row[lo - 2 : hi - 2], row[lo - 1 : hi - 1], row[lo:hi], row[lo + 1 : hi + 1]),
            (held[lo - 1 : hi - 1], held[lo:hi]),
            out[a:b],
        )


@njit(cache=True, inline="always")
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
    if not shut and 2 <= j <= ny - 2 and i_lo < i_hi:  # every face: a vector loop
        n = i_hi - i_lo
        south, north = values[below], values[above]
        _pairs_fluxes(
            flow[5][j] >> 2,
            vy[j, i_lo:i_hi],
            (
                (y_paths[0, j, i_lo:i_hi], y_paths[1, j, i_lo:i_hi]),
                (y_paths[2, j, i_lo:i_hi], y_paths[3, j, i_lo:i_hi]),
            ),
            ((south[0, 1 : n + 1], south[0, :n]), (south[1, 1 : n + 1], south[1, 2 : n + 2])),
            ((north[2, 1 : n + 1], north[2, :n]), (north[3, 1 : n + 1], north[3, 2 : n + 2])),
            (x[j - 2, i_lo:i_hi], x[j - 1, i_lo:i_hi], x[j, i_lo:i_hi], x[j + 1, i_lo:i_hi]),
            (fixed[j - 1, i_lo:i_hi], fixed[j, i_lo:i_hi]),
            out[:n],
        )
        return
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
        value, rest = _along_half_paths(
            u,
            (y_paths[0, j, i], y_paths[1, j, i], y_paths[2, j, i], y_paths[3, j, i]),
            (
                values[slot, line, c],
                values[slot, line, c - 1],
                values[slot, line + 1, c],
                values[slot, line + 1, c + 1],
            ),
        )
        if rest > 0.0:
            value += rest * y_face_value(x, fixed, j, i, line == 0)
        out[i - i_lo] = value if line == 0 else -value


@row_kernel
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


@row_kernel
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
    sinks, cells = sink[j, i_lo:i_hi], x[j, i_lo:i_hi]
    for c in range(row.shape[0]):  # slices from index 0 and no sum: a vector loop
        loss = sinks[c] * cells[c]
        row[c] = (faces[c] - faces[c + 1] + south[c] - north[c]) * inv_r_dx - loss
    for c in range(row.shape[0]):  # the sum in its order, apart
        outflow += sinks[c] * cells[c]
    return edge_outflow(outflow, j, region, x.shape, faces[i_hi - i_lo], (south, north), inv_r_dx)
