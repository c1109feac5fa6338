"""Conservative face fluxes of :mod:`atlas.plume.scheme`: the advective and dispersive rates.

Numba kernels on bare arrays, with no validation. Each computes the time derivative, in
concentration per year, of the cells of one row of a region (rows ``[j_lo, j_hi)``, columns
``[i_lo, i_hi)``), gathering each cell's rate from its own faces and exchanges: a face flux or an
exchange is the same number in both cells it joins, so mass stays exact, and no row writes into
another (the rows go over threads in :mod:`atlas.plume.stages`, which also adds the sources and
holds the fixed cells). Faces between the region and the rest of the grid carry no flux.

* advection: a face flux carries the water that crosses the face along the grid axis, and the
  water that turns the cell's corner along the cells' diagonals: on each side of the other axis,
  the upwind cell's own half-path (from it across this face, then across the other axis) and the
  corner cell's (from the cell beside it, into it and across this face), at the speeds of
  :func:`atlas.plume.half_paths.half_paths`, which give a half-path one speed on both faces it
  crosses; the rest of the face's speed goes along the axis. In uniform flow this is advection
  split along the lattice directions that bracket the flow (an axis and a diagonal), so a plume
  oblique to the grid is not spread across the flow by the splitting: a point release at 30-60
  degrees is within 0.004 of its peak (was 0.015 split along the axes alone), and MT3DMS problem
  4 (flow along the diagonal) within 0.21 (was 0.53; 0.082 once the well's inflow enters with
  the variance of cell means, :func:`atlas.plume.sources.with_cell_moments`; tests). In any flow
  a cell at the minimum does not fall and one at the maximum does not rise (tested on Darcy
  fields with recharge and a well). Along each line the value carried is Koren's limited
  third-order upwind-biased reconstruction in the upwind cell (the face value downstream of a
  fixed-concentration cell is the mean of the two cells, so that cell acts as a node of known
  concentration, which is second-order accurate at the inlet). This module holds the fluxes
  along the axes alone (:func:`advective_row`: rows where no half-path has a speed, and the
  fallback of :mod:`atlas.plume.scheme`); :func:`atlas.plume.diagonals.skewed_row` adds the
  diagonals, with the same face values along the axes. Where face velocities converge, the
  surplus water leaves with the cell's concentration (sinks); mass-rate sources enter every
  stage of the advective step, in the share set by :func:`atlas.plume.stages.share_sources`
  (computed with the diagonals, also on a step redone without them);
* dispersion: the full tensor as exchanges between pairs of cells with non-negative weights
  (Selling's decomposition, :mod:`atlas.plume.selling`): linear, monotone without a limiter, so
  a narrow plume oblique to the grid is not clipped. The earlier limited transverse gradient
  (Sharma and Hammett 2007) vanished at the ridge of such a plume: at 45 degrees with
  alpha_T = alpha_L / 10 its error was 0.043 of the peak against 0.003 along an axis;
  mass-rate sources enter every stage of the dispersive step, in that share too.

References
----------
Koren, B. (1993). A robust upwind discretization method for advection, diffusion and source
terms. In Vreugdenhil, C. B. and Koren, B. (eds.), Numerical Methods for Advection-Diffusion
Problems, Notes on Numerical Fluid Mechanics 45, Vieweg, 117-138.
Raithby, G. D. (1976). Skew upstream differencing schemes for problems involving fluid flow.
Computer Methods in Applied Mechanics and Engineering 9, 153-164.
Sharma, P. and Hammett, G. W. (2007). Preserving monotonicity in anisotropic diffusion. Journal
of Computational Physics 227, 123-142.
Fehrenbach, J. and Mirebeau, J.-M. (2014). Sparse non-negative stencils for anisotropic
diffusion. Journal of Mathematical Imaging and Vision 49, 123-147.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from atlas.plume.jit import row_kernel
from atlas.plume.selling import Dispersion

__all__ = [
    "Dispersion",
    "Flow",
    "advective_row",
    "dispersive_row",
    "dispersive_weight",
    "dispersive_weights",
    "ring_row",
    "south_fluxes",
]

FloatArray = NDArray[np.float64]
Held = tuple[NDArray[np.int64], FloatArray, NDArray[np.bool_]]
Rates = tuple[NDArray[np.int64], FloatArray]
Region = tuple[int, int, int, int]  # rows [j_lo, j_hi) and columns [i_lo, i_hi) of cells
Flow = tuple[FloatArray, FloatArray, FloatArray, FloatArray, NDArray[np.uint8], NDArray[np.uint8]]
"""``(vx, vy, x_paths, y_paths, lines, rows)``: seepage velocities on the x- and y-faces,
``(ny, nx + 1)`` and ``(ny + 1, nx)``, and the speeds of their diagonal half-paths in four
planes, ``(4, ny, nx + 1)`` and ``(4, ny + 1, nx)`` (:func:`atlas.plume.half_paths.half_paths`),
all m/yr, and where those start (:func:`atlas.plume.half_paths.diagonal_starts`)."""

_SIXTH, _THIRD = 1.0 / 6.0, 1.0 / 3.0  # multiplied, not divided by: a division costs more


@njit(cache=True, inline="always")
def _limited_increment(behind_diff: float, ahead_diff: float) -> float:
    """Koren-limited increment from the upwind cell's value to its downwind face value.

    ``behind_diff`` is the upwind cell minus the cell behind it, ``ahead_diff`` the downwind cell
    minus the upwind cell. The third-order upwind-biased (kappa = 1/3) increment, kept within
    both differences (so the face value lies between the upwind cell and each neighbour's
    reflection), and zero at a local extremum (Koren 1993).
    """
    if behind_diff * ahead_diff <= 0.0:
        return 0.0
    size = min(abs(_SIXTH * behind_diff + _THIRD * ahead_diff), abs(behind_diff), abs(ahead_diff))
    return size if ahead_diff > 0.0 else -size


@njit(cache=True, inline="always")
def upwind_face_value(
    behind: float,
    upwind: float,
    downwind: float,
    has_behind: bool,
    has_downwind: bool,
    upwind_fixed: bool,
) -> float:
    """Concentration carried across a face, reconstructed in the upwind cell.

    Koren-limited third-order upwind-biased reconstruction (:func:`_limited_increment`); first
    order (the cell value) against the model edge; the mean of the two cells when the upwind cell
    is held at a fixed concentration (a node of known value, like a Dirichlet boundary, which
    makes the inlet second-order accurate).
    """
    if not has_downwind:
        return upwind
    if upwind_fixed:
        return 0.5 * (upwind + downwind)
    if not has_behind:
        return upwind
    return upwind + _limited_increment(upwind - behind, downwind - upwind)


@njit(cache=True, inline="always")
def face_open(face: int, lo: int, hi: int, n: int) -> bool:
    """Whether a face (0..n) carries flux in a region of cells [lo, hi) of n along this axis:
    faces inside it do, faces on the model edge do where the region reaches the edge."""
    return lo < face < hi or face == lo == 0 or face == hi == n


@njit(cache=True, inline="always")
def x_face_value(x: FloatArray, fixed: NDArray[np.bool_], j: int, i: int, positive: bool) -> float:
    """Value carried across x-face ``i`` of row ``j`` (:func:`upwind_face_value`) by water
    moving toward +x if ``positive``, else toward -x; the upwind cell must be in the grid."""
    nx = x.shape[1]
    if positive:
        return upwind_face_value(
            x[j, i - 2] if i > 1 else 0.0,
            x[j, i - 1],
            x[j, i] if i < nx else 0.0,
            i > 1,
            i < nx,
            fixed[j, i - 1],
        )
    return upwind_face_value(
        x[j, i + 1] if i < nx - 1 else 0.0,
        x[j, i],
        x[j, i - 1] if i > 0 else 0.0,
        i < nx - 1,
        i > 0,
        fixed[j, i],
    )


@njit(cache=True, inline="always")
def y_face_value(x: FloatArray, fixed: NDArray[np.bool_], j: int, i: int, positive: bool) -> float:
    """Value carried across y-face ``j`` of column ``i`` by water moving toward +y if
    ``positive``, else toward -y; the upwind cell must be in the grid."""
    ny = x.shape[0]
    if positive:
        return upwind_face_value(
            x[j - 2, i] if j > 1 else 0.0,
            x[j - 1, i],
            x[j, i] if j < ny else 0.0,
            j > 1,
            j < ny,
            fixed[j - 1, i],
        )
    return upwind_face_value(
        x[j + 1, i] if j < ny - 1 else 0.0,
        x[j, i],
        x[j - 1, i] if j > 0 else 0.0,
        j < ny - 1,
        j > 0,
        fixed[j, i],
    )


@njit(cache=True, inline="always")
def _x_flux(x: FloatArray, vx: FloatArray, fixed: NDArray[np.bool_], j: int, i: int) -> float:
    """Advective flux (concentration m/yr) toward +x across face ``i`` of row ``j``, along the
    axis."""
    u = vx[j, i]
    if u > 0.0 and i > 0:
        return u * x_face_value(x, fixed, j, i, True)
    if u < 0.0 and i < x.shape[1]:
        return u * x_face_value(x, fixed, j, i, False)
    return 0.0


@njit(cache=True, inline="always")
def _y_flux(x: FloatArray, vy: FloatArray, fixed: NDArray[np.bool_], j: int, i: int) -> float:
    """Advective flux (concentration m/yr) toward +y across face ``j`` of column ``i``, along the
    axis."""
    u = vy[j, i]
    if u > 0.0 and j > 0:
        return u * y_face_value(x, fixed, j, i, True)
    if u < 0.0 and j < x.shape[0]:
        return u * y_face_value(x, fixed, j, i, False)
    return 0.0


@row_kernel
def south_fluxes(
    x: FloatArray, region: Region, vy: FloatArray, fixed: NDArray[np.bool_], j: int, out: FloatArray
) -> None:
    """Fluxes along the axis across the y-faces ``j`` of the region's columns (zero where the
    face is shut)."""
    j_lo, j_hi, i_lo, i_hi = region
    shut = not face_open(j, j_lo, j_hi, x.shape[0])
    for i in range(i_lo, i_hi):
        out[i - i_lo] = 0.0 if shut else _y_flux(x, vy, fixed, j, i)


@row_kernel
def edge_outflow(
    outflow: float,
    j: int,
    region: Region,
    shape: tuple[int, int],
    east: float,
    boundary: tuple[FloatArray, FloatArray],
    inv_r_dx: float,
) -> float:
    """``outflow`` of row ``j`` of the region plus its flux out across the model edge on the
    east, south and north over ``R dx``: ``east`` is the flux across the row's last face,
    ``boundary`` the fluxes across its south and north faces (all toward +)."""
    ny, nx = shape
    if region[3] == nx:
        outflow += east * inv_r_dx
    if j == 0:
        for i in range(boundary[0].shape[0]):
            outflow -= boundary[0][i] * inv_r_dx
    if j == ny - 1:
        for i in range(boundary[1].shape[0]):
            outflow += boundary[1][i] * inv_r_dx
    return outflow


@row_kernel
def advective_row(
    x: FloatArray,
    j: int,
    region: Region,
    velocity: tuple[FloatArray, FloatArray],
    sink: FloatArray,
    fixed: NDArray[np.bool_],
    inv_r_dx: float,
    south: FloatArray,
    north: FloatArray,
    row: FloatArray,
) -> float:
    """Advective and sink rate, along the axes alone, of the region's cells of row ``j`` into
    ``row``, given the fluxes across its south faces in ``south``; those across its north faces
    go to ``north``. Returns the outflow of the row (at sinks and across the model edge)."""
    vx, vy = velocity
    nx = x.shape[1]
    i_lo, i_hi = region[2], region[3]
    south_fluxes(x, region, vy, fixed, j + 1, north)
    west = _x_flux(x, vx, fixed, j, i_lo) if face_open(i_lo, i_lo, i_hi, nx) else 0.0
    outflow = -west * inv_r_dx if i_lo == 0 else 0.0
    for i in range(i_lo, i_hi):
        east = _x_flux(x, vx, fixed, j, i + 1) if face_open(i + 1, i_lo, i_hi, nx) else 0.0
        loss = sink[j, i] * x[j, i]
        outflow += loss
        row[i - i_lo] = (west - east + south[i - i_lo] - north[i - i_lo]) * inv_r_dx - loss
        west = east
    return edge_outflow(outflow, j, region, x.shape, west, (south, north), inv_r_dx)


@njit(cache=True, inline="always")
def _exchange(rate: FloatArray, pair: FloatArray, there: FloatArray, here: FloatArray) -> None:
    """Add the exchanges ``pair (there - here)`` to ``rate``, element by element: equal-length
    slices starting at index 0, which compiles to a vector loop (indices offset at run time
    carry numba's negative-index wrap, which kept the loop scalar and cost 2.5 times as much)."""
    for i in range(rate.shape[0]):
        rate[i] += pair[i] * (there[i] - here[i])


@njit(cache=True, inline="always")
def _exchange_both(
    rate: FloatArray,
    forward: tuple[FloatArray, FloatArray],
    backward: tuple[FloatArray, FloatArray],
    here: FloatArray,
) -> None:
    """:func:`_exchange` of ``forward`` (pair weights, values there), then of ``backward``, in one
    loop: each element gets the same two additions in the same order, with fewer loads."""
    pair_f, there_f = forward
    pair_b, there_b = backward
    for i in range(rate.shape[0]):
        rate[i] += pair_f[i] * (there_f[i] - here[i])
        rate[i] += pair_b[i] * (there_b[i] - here[i])


@njit(cache=True, inline="always")
def ring_row(a: FloatArray, j: int) -> FloatArray:
    """Row ``j`` of ``a``, which holds either every row of the grid or a ring of a power of two
    of them (row ``j`` in row ``j`` modulo its rows: a mask, where a division would cost tens of
    cycles each row): the stages between a chain's first and last (:mod:`atlas.plume.stages`)
    are kept in such rings, which stay in cache."""
    rows = a.shape[0]
    return a[j if j < rows else j & (rows - 1)]


@row_kernel
def dispersive_row(
    x: FloatArray,
    j: int,
    region: Region,
    dispersion: Dispersion,
    inv_r_dx2: float,
    row: FloatArray,
) -> None:
    """Dispersive rate of the region's cells of row ``j`` into ``row``: the exchanges of each
    cell with the cells at ``+-e_k`` inside the region (each exchange is the same number,
    added to one cell and taken from the other, so mass is exact), in the order of the
    offsets, ``+e_k`` before ``-e_k``. Where both partners are in the region and either weighs,
    the two go in one loop; elsewhere each goes alone, over the span of its nonzero weights
    only. ``x`` may be a ring of rows (:func:`ring_row`). A zero exchange between finite values
    changes no bit: it adds +-0 to a sum that starts at +0, so is never -0 (with an infinite or
    NaN value the sum may become NaN where it would have been infinite: the step's bounds check
    fails either way)."""
    offsets, weights, spans = dispersion
    j_lo, j_hi, i_lo, i_hi = region
    here = ring_row(x, j)
    row[:] = 0.0
    for k in range(offsets.shape[0]):
        ex, ey = offsets[k, 0], offsets[k, 1]
        # cells whose partner (j + ey, i + ex), weighed in row j, is in the region, and of
        # those the ones it weighs with: [w_lo, w_hi)
        f_lo, f_hi = max(i_lo, i_lo - ex), min(i_hi, i_hi - ex)
        forward_in = j + ey < j_hi and f_lo < f_hi
        w_lo, w_hi = max(f_lo, spans[k, j, 0]), min(f_hi, spans[k, j, 1])
        if not forward_in or w_lo >= w_hi:
            w_lo, w_hi = i_hi, i_hi
        # cells whose partner (j - ey, i - ex), weighed in row j - ey, is in the region, and of
        # those the ones it weighs with: [v_lo, v_hi)
        b_lo, b_hi = max(i_lo, i_lo + ex), min(i_hi, i_hi + ex)
        backward_in = j - ey >= j_lo and b_lo < b_hi
        v_lo, v_hi = i_hi, i_hi
        if backward_in:
            v_lo = max(b_lo, spans[k, j - ey, 0] + ex)
            v_hi = min(b_hi, spans[k, j - ey, 1] + ex)
            if v_lo >= v_hi:
                v_lo, v_hi = i_hi, i_hi
        # both in one loop: the cells with both partners in the region, where either weighs
        p_lo, p_hi = i_hi, i_hi
        if forward_in and backward_in:
            p_lo = max(f_lo, b_lo, min(w_lo, v_lo))
            p_hi = min(
                f_hi, b_hi, max(w_hi if w_lo < w_hi else i_lo, v_hi if v_lo < v_hi else i_lo)
            )
            if p_lo >= p_hi:
                p_lo, p_hi = i_hi, i_hi
        for lo, hi in ((w_lo, min(w_hi, p_lo)), (max(w_lo, p_hi), w_hi)):
            if lo < hi:
                _exchange(
                    row[lo - i_lo : hi - i_lo],
                    weights[k, j, lo:hi],
                    ring_row(x, j + ey)[lo + ex : hi + ex],
                    here[lo:hi],
                )
        for lo, hi in ((v_lo, min(v_hi, p_lo)), (max(v_lo, p_hi), v_hi)):
            if lo < hi:
                _exchange(
                    row[lo - i_lo : hi - i_lo],
                    weights[k, j - ey, lo - ex : hi - ex],
                    ring_row(x, j - ey)[lo - ex : hi - ex],
                    here[lo:hi],
                )
        if p_lo < p_hi:
            _exchange_both(
                row[p_lo - i_lo : p_hi - i_lo],
                (weights[k, j, p_lo:p_hi], ring_row(x, j + ey)[p_lo + ex : p_hi + ex]),
                (
                    weights[k, j - ey, p_lo - ex : p_hi - ex],
                    ring_row(x, j - ey)[p_lo - ex : p_hi - ex],
                ),
                here[p_lo:p_hi],
            )
    for i in range(i_hi - i_lo):
        row[i] *= inv_r_dx2


@njit(cache=True, inline="always")
def _accumulate(total: FloatArray, values: FloatArray) -> None:
    """``total += values``, element by element (equal-length slices: a vector loop)."""
    for i in range(total.shape[0]):
        total[i] += values[i]


@njit(cache=True)
def dispersive_weights(
    dispersion: Dispersion, j: int, columns: tuple[int, int], out: FloatArray
) -> None:
    """Sum of the exchange weights (m^2/yr) of each cell ``(j, i)``, ``i`` in ``columns``
    ``[i_lo, i_hi)``, into ``out[: i_hi - i_lo]``: the cells' dispersive coefficients."""
    offsets, weights = dispersion[0], dispersion[1]
    ny, nx = weights.shape[1], weights.shape[2]
    i_lo, i_hi = columns
    total = out[: i_hi - i_lo]
    for i in range(total.shape[0]):
        total[i] = 0.0
    for k in range(offsets.shape[0]):
        ex, ey = offsets[k, 0], offsets[k, 1]
        _accumulate(total, weights[k, j, i_lo:i_hi])
        lo, hi = max(i_lo, ex), min(i_hi, nx + ex)  # cells whose partner (j - ey, i - ex) exists
        if 0 <= j - ey < ny and lo < hi:
            _accumulate(total[lo - i_lo : hi - i_lo], weights[k, j - ey, lo - ex : hi - ex])


@njit(cache=True)
def dispersive_weight(dispersion: Dispersion, j: int, i: int) -> float:
    """Sum of the exchange weights (m^2/yr) of cell ``(j, i)``: its dispersive coefficient."""
    total = np.empty(1)
    dispersive_weights(dispersion, j, (i, i + 1), total)
    return total[0]
