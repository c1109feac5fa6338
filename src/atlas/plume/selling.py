"""Dispersion as exchanges between pairs of cells: Selling's decomposition of the tensor.

In two dimensions every symmetric positive semi-definite tensor is a non-negative combination
of three rank-one tensors along integer grid offsets (Selling 1874; Fehrenbach and Mirebeau
2014)::

    D = sum_{k=1..3} rho_k e_k e_k^T,   rho_k >= 0,   e_k in Z^2,

read off a D-obtuse superbase ``(v_0, v_1, v_2)`` of Z^2 (``v_0 + v_1 + v_2 = 0`` and
``v_i^T D v_j <= 0`` for ``i != j``) as ``rho_i = -v_j^T D v_k`` and ``e_i = v_i`` turned a
quarter. Then ``div(D grad C)`` is a sum of exchanges between each cell and the cells at
``+-e_k``, each the flux ``rho (C(x + e) - C(x)) / dx^2`` with a non-negative weight, which is

* conservative (every exchange moves mass from one cell to the other, exactly),
* monotone (a forward-Euler stage is a convex combination when ``dt sum(weights) <= R dx^2``,
  so the maximum principle holds with no limiter), and
* second-order consistent, with no clipping of a narrow plume: unlike a limited transverse
  gradient, nothing is switched off at the ridge of a plume that runs oblique to the grid.

Along a grid axis the offsets are the four neighbours (the five-point scheme); oblique,
anisotropic tensors use wider offsets (for alpha_T = alpha_L / 10, up to two cells; for
alpha_L / 100, five), which :func:`dispersion_reach` reports so that the active box grows
enough. An oblique tensor more anisotropic than that, whose stencil would reach farther than
five cells, is regularised: its transverse principal value is raised to alpha_L / 100 of the
longitudinal one (:data:`MIN_PRINCIPAL_RATIO`), so such a plume spreads across the flow as if
alpha_T were alpha_L / 100 (the model's assumptions say so). Tensors along a grid axis, and
tensors with alpha_T >= alpha_L / 100, are decomposed exactly.

The tensor of each cell comes from its cell-centred velocity; the weight of an exchange is the
mean of the two cells' weights for that offset (Selling's weights are continuous in the tensor,
so this is consistent where the flow turns). Exchanges that would cross the model edge are
dropped (no dispersive flux across the edge).

References
----------
Selling, E. (1874). Ueber die binaeren und ternaeren quadratischen Formen. Journal fuer die
reine und angewandte Mathematik 77, 143-229.
Fehrenbach, J. and Mirebeau, J.-M. (2014). Sparse non-negative stencils for anisotropic
diffusion. Journal of Mathematical Imaging and Vision 49, 123-147.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

__all__ = ["MIN_PRINCIPAL_RATIO", "Dispersion", "dispersion_reach", "pair_dispersion", "selling"]

FloatArray = NDArray[np.float64]
Dispersion = tuple[NDArray[np.int64], FloatArray, NDArray[np.int64]]
"""``(offsets, weights, spans)``: offsets ``(K, 2)`` as ``(dx, dy)`` in cells (``dy > 0``, or
``dy == 0`` and ``dx > 0``), weights ``(K, ny, nx)`` in m^2/yr of the exchange between cell
``(j, i)`` and cell ``(j + dy, i + dx)`` (zero where that cell is outside the grid), and spans
``(K, ny, 2)``: the columns ``[first, last + 1)`` of row ``j`` outside which the weights of offset
``k`` are zero (``[0, 0)`` for a row of zeros). A cell exchanges along about three offsets and
most offsets weigh only where the flow turns, so a row kernel that loops over the spans only
does about 40 % of the work of one over every column (Baotou: 8 offsets, 2.6 nonzero pair
weights a cell)."""

MIN_PRINCIPAL_RATIO = 0.01
"""Smallest ratio of the transverse to the longitudinal principal value of a regularised tensor.

A cell's tensor is regularised only where its exact decomposition would reach more than five
cells along an axis (oblique flow with alpha_T + D_m / |v| below about alpha_L / 100): its
transverse principal value is raised to exactly this fraction of the longitudinal one, and the
longitudinal value and the principal directions are left unchanged. Flow along a grid axis, and
any tensor with alpha_T >= alpha_L / 100, is never changed; where the rule applies, the
transverse dispersivity used is alpha_L / 100 (up to 10 times alpha_T at alpha_T = alpha_L /
1000), and it switches on at the angle where the exact stencil would outgrow five cells."""

_NEGLIGIBLE_TRACE_M2_PER_YR = 1e-280
"""A tensor of smaller trace counts as none: the tolerance of Selling's algorithm (1e-14 of the
trace) would be subnormal, and the decomposition of a degenerate tensor, regularised in the
few bits left, could reach farther than any table holds (alpha_L = 5e-324 m did: found by the
property tests)."""
_MAX_FLIPS = 256
_REGULARISED_REACH = 5  # the reach of any tensor of principal ratio >= MIN_PRINCIPAL_RATIO
_MAX_REACH = 8  # more than any offset of a tensor regularised as above (five cells)
_TOO_FAR = (
    f"a dispersion tensor's decomposition reaches farther than {_MAX_REACH} cells after "
    "regularisation: report it with the velocities and dispersivities of the run"
)


@njit(cache=True)
def _reach(offsets: NDArray[np.int64]) -> int:
    """Farthest of the three offsets, weighted or not, in cells along a grid axis: a degenerate
    oblique tensor (alpha_T = D_m = 0) drives the superbase far out with all weights zero."""
    farthest = 0
    for k in range(offsets.shape[0]):
        farthest = max(farthest, abs(offsets[k, 0]), abs(offsets[k, 1]))
    return farthest


@njit(cache=True)
def _form(d_xx: float, d_xy: float, d_yy: float, u: tuple[int, int], w: tuple[int, int]) -> float:
    return d_xx * u[0] * w[0] + d_xy * (u[0] * w[1] + u[1] * w[0]) + d_yy * u[1] * w[1]


@njit(cache=True, inline="always")
def _store(
    d_xx: float,
    d_xy: float,
    d_yy: float,
    vectors: tuple[tuple[int, int], tuple[int, int], tuple[int, int]],
    offset: NDArray[np.int64],
    weight: FloatArray,
    m: int,
) -> None:
    """Write the ``m``-th offset (``v_i`` of ``vectors = (v_i, v_j, v_k)`` turned a quarter,
    canonical sign) and its weight ``-v_j^T D v_k`` (at least 0)."""
    v_i, v_j, v_k = vectors
    weight[m] = max(-_form(d_xx, d_xy, d_yy, v_j, v_k), 0.0)
    ex, ey = -v_i[1], v_i[0]
    if ey < 0 or (ey == 0 and ex < 0):
        ex, ey = -ex, -ey
    offset[m, 0], offset[m, 1] = ex, ey


@njit(cache=True)
def _decompose(
    d_xx: float, d_xy: float, d_yy: float, offsets: NDArray[np.int64], weights: FloatArray
) -> None:
    """:func:`selling` into ``offsets`` (3, 2) and ``weights`` (3,), allocating nothing (the
    superbase is three tuples: a list of them cost a heap allocation per cell)."""
    v_0, v_1, v_2 = (1, 0), (0, 1), (-1, -1)
    tolerance = 1e-14 * (abs(d_xx) + abs(d_yy) + abs(d_xy))
    for _ in range(_MAX_FLIPS):  # flip the first obtuse pair found: (0, 1), (0, 2), (1, 2)
        if _form(d_xx, d_xy, d_yy, v_0, v_1) > tolerance:
            v_0, v_2 = (-v_0[0], -v_0[1]), (v_0[0] - v_1[0], v_0[1] - v_1[1])
        elif _form(d_xx, d_xy, d_yy, v_0, v_2) > tolerance:
            v_0, v_1 = (-v_0[0], -v_0[1]), (v_0[0] - v_2[0], v_0[1] - v_2[1])
        elif _form(d_xx, d_xy, d_yy, v_1, v_2) > tolerance:
            v_1, v_0 = (-v_1[0], -v_1[1]), (v_1[0] - v_2[0], v_1[1] - v_2[1])
        else:
            break
    _store(d_xx, d_xy, d_yy, (v_0, v_1, v_2), offsets, weights, 0)
    _store(d_xx, d_xy, d_yy, (v_1, v_2, v_0), offsets, weights, 1)
    _store(d_xx, d_xy, d_yy, (v_2, v_0, v_1), offsets, weights, 2)


@njit(cache=True)
def selling(d_xx: float, d_xy: float, d_yy: float) -> tuple[NDArray[np.int64], FloatArray]:
    """Selling's decomposition of ``[[d_xx, d_xy], [d_xy, d_yy]]`` (positive semi-definite).

    Returns the three offsets ``(3, 2)`` as ``(dx, dy)``, canonical sign, and their weights
    ``(3,)`` (>= 0, same unit as the tensor); ``sum rho e e^T`` equals the tensor.
    """
    offsets = np.empty((3, 2), dtype=np.int64)
    weights = np.empty(3)
    _decompose(d_xx, d_xy, d_yy, offsets, weights)
    return offsets, weights


def _cell_decompositions(
    vx: FloatArray, vy: FloatArray, alpha_l: float, alpha_t: float, diffusion: float
) -> tuple[NDArray[np.int8], FloatArray]:
    """Per-cell offsets ``(ny, nx, 3, 2)`` and weights ``(ny, nx, 3)`` of the tensor
    ``alpha_T |v| I + (alpha_L - alpha_T) v v^T / |v| + D_m I`` (regularised as
    :data:`MIN_PRINCIPAL_RATIO` says). Raises ``ArithmeticError`` if a weighted offset reaches
    farther than ``_MAX_REACH`` cells, which the regularisation rules out (tested over every
    angle): such an offset would not fit its int8 storage nor the table of offsets."""
    ny, nx = vx.shape
    # made by numpy, not in numba: numpy asks the kernel for huge pages for a large array (and
    # numba does not), which saves a page fault per 4 KiB (at 2048^2, this and the pairs'
    # weights took 4.4 ns per cell-step of the bench, now 3.4)
    offsets = np.empty((ny, nx, 3, 2), dtype=np.int8)  # |offset| <= _MAX_REACH
    weights = np.empty((ny, nx, 3))
    _decompose_cells(vx, vy, alpha_l, alpha_t, diffusion, offsets, weights)
    return offsets, weights


@njit(cache=True, parallel=True)
def _decompose_cells(
    vx: FloatArray,
    vy: FloatArray,
    alpha_l: float,
    alpha_t: float,
    diffusion: float,
    offsets: NDArray[np.int8],
    weights: FloatArray,
) -> None:
    """:func:`_cell_decompositions` into ``offsets`` and ``weights``."""
    ny, nx = vx.shape
    too_far = np.zeros(ny, dtype=np.bool_)
    for j in prange(ny):
        cell_offsets = np.empty((3, 2), dtype=np.int64)  # the reach is checked before narrowing
        for i in range(nx):
            u, w = vx[j, i], vy[j, i]
            speed = np.hypot(u, w)
            d_xx = alpha_t * speed + diffusion
            d_yy = d_xx
            d_xy = 0.0
            along_x, along_y = 1.0, 0.0
            if speed > 0.0:
                excess = (alpha_l - alpha_t) * speed
                along_x, along_y = u / speed, w / speed  # unit vector: no overflow at 1e-320
                d_xx += excess * along_x * along_x
                d_yy += excess * along_y * along_y
                d_xy = excess * along_x * along_y
            if d_xx + d_yy < _NEGLIGIBLE_TRACE_M2_PER_YR:
                d_xx = d_yy = d_xy = 0.0
            cell_weights = weights[j, i]
            _decompose(d_xx, d_xy, d_yy, cell_offsets, cell_weights)
            if _reach(cell_offsets) > _REGULARISED_REACH:
                # only oblique, strongly anisotropic tensors get here (speed > 0, d_xy != 0):
                # raise the smaller principal value to exactly MIN_PRINCIPAL_RATIO of the
                # larger, along its own direction (across the flow when alpha_L >= alpha_T)
                minor_x, minor_y = (-along_y, along_x) if alpha_l >= alpha_t else (along_x, along_y)
                mean = 0.5 * (d_xx + d_yy)
                half_gap = np.hypot(0.5 * (d_xx - d_yy), d_xy)
                lift = MIN_PRINCIPAL_RATIO * (mean + half_gap) - (mean - half_gap)
                if lift > 0.0:
                    d_xx += lift * minor_x * minor_x
                    d_yy += lift * minor_y * minor_y
                    d_xy += lift * minor_x * minor_y
                    _decompose(d_xx, d_xy, d_yy, cell_offsets, cell_weights)
            for m in range(3):
                if cell_weights[m] > 0.0:
                    farthest = max(abs(cell_offsets[m, 0]), abs(cell_offsets[m, 1]))
                    too_far[j] |= farthest > _MAX_REACH
            offsets[j, i] = cell_offsets
    if too_far.any():
        raise ArithmeticError(_TOO_FAR)


def pair_dispersion(
    vx_face: FloatArray,
    vy_face: FloatArray,
    longitudinal_dispersivity_m: float,
    transverse_dispersivity_m: float,
    molecular_diffusion_m2_per_yr: float,
) -> Dispersion:
    """Exchange weights (m^2/yr) of the dispersion tensor of every cell; see the module notes.

    The cell velocity is the mean of the cell's opposite faces (m/yr).
    """
    vx = np.ascontiguousarray(0.5 * (vx_face[:, :-1] + vx_face[:, 1:]))
    vy = np.ascontiguousarray(0.5 * (vy_face[:-1, :] + vy_face[1:, :]))
    cell_offsets, cell_weights = _cell_decompositions(
        vx,
        vy,
        float(longitudinal_dispersivity_m),
        float(transverse_dispersivity_m),
        float(molecular_diffusion_m2_per_yr),
    )
    return _pairs(cell_offsets, cell_weights)


_CODES = (_MAX_REACH + 1) * (2 * _MAX_REACH + 1)  # offsets of canonical sign within _MAX_REACH


@njit(cache=True, parallel=True)
def _distinct_offsets(
    cell_offsets: NDArray[np.int8], cell_weights: FloatArray
) -> NDArray[np.int64]:
    """The distinct weighted offsets ``(K, 2)`` of the cells' decompositions, in the order they
    first appear (rows, then columns, then the three offsets of a cell)."""
    ny, nx = cell_weights.shape[0], cell_weights.shape[1]
    never = 3 * nx * ny
    first_in_row = np.full((ny, _CODES), never, dtype=np.int64)
    for j in prange(ny):
        for i in range(nx):
            for m in range(3):
                if cell_weights[j, i, m] > 0.0:
                    ex, ey = cell_offsets[j, i, m, 0], cell_offsets[j, i, m, 1]
                    code = ey * (2 * _MAX_REACH + 1) + ex + _MAX_REACH
                    first_in_row[j, code] = min(first_in_row[j, code], 3 * i + m)
    first = np.full(_CODES, never, dtype=np.int64)
    for j in range(ny):
        for code in range(_CODES):
            if first[code] == never and first_in_row[j, code] < never:
                first[code] = 3 * nx * j + first_in_row[j, code]
    codes = np.argsort(first)[: np.sum(first < never)]  # the positions are distinct
    found = np.empty((codes.shape[0], 2), dtype=np.int64)
    for k in range(codes.shape[0]):
        found[k, 0] = codes[k] % (2 * _MAX_REACH + 1) - _MAX_REACH
        found[k, 1] = codes[k] // (2 * _MAX_REACH + 1)
    return found


@njit(cache=True, inline="always")
def _cell_weight(
    cell_offsets: NDArray[np.int8], cell_weights: FloatArray, j: int, i: int, ex: int, ey: int
) -> float:
    """The weight of cell ``(j, i)``'s decomposition along offset ``(ex, ey)`` (0 if none)."""
    weight = 0.0
    for m in range(3):
        same = cell_offsets[j, i, m, 0] == ex and cell_offsets[j, i, m, 1] == ey
        if same and cell_weights[j, i, m] > 0.0:
            weight += cell_weights[j, i, m]
    return weight


def _pairs(cell_offsets: NDArray[np.int8], cell_weights: FloatArray) -> Dispersion:
    """Distinct offsets of the cells' decompositions, the pair weights of each (the mean of the
    two cells' weights for that offset; zero where the pair leaves the grid) and their spans
    (see :data:`Dispersion`); the weights made by numpy (huge pages: see
    :func:`_cell_decompositions`)."""
    ny, nx = cell_weights.shape[0], cell_weights.shape[1]
    found = _distinct_offsets(cell_offsets, cell_weights)
    weights = np.zeros((found.shape[0], ny, nx))
    spans = np.zeros((found.shape[0], ny, 2), dtype=np.int64)
    _pair_weights(cell_offsets, cell_weights, found, weights, spans)
    return found, weights, spans


@njit(cache=True, parallel=True)
def _pair_weights(
    cell_offsets: NDArray[np.int8],
    cell_weights: FloatArray,
    found: NDArray[np.int64],
    weights: FloatArray,
    spans: NDArray[np.int64],
) -> None:
    """:func:`_pairs`' weights and spans of the offsets ``found`` into ``weights`` and ``spans``
    (zeros)."""
    ny, nx = cell_weights.shape[0], cell_weights.shape[1]
    for k in range(found.shape[0]):
        ex, ey = found[k, 0], found[k, 1]
        for j in prange(ny - ey):
            first, end = nx, 0
            for i in range(max(0, -ex), min(nx, nx - ex)):
                here = _cell_weight(cell_offsets, cell_weights, j, i, ex, ey)
                there = _cell_weight(cell_offsets, cell_weights, j + ey, i + ex, ex, ey)
                weights[k, j, i] = 0.5 * (here + there)
                if weights[k, j, i] > 0.0:
                    first, end = min(first, i), i + 1
            if first < end:
                spans[k, j, 0], spans[k, j, 1] = first, end


@njit(cache=True)
def dispersion_reach(dispersion: Dispersion) -> int:
    """Farthest exchange, in cells along a grid axis (at least 1): how far one dispersive stage
    can move solute."""
    offsets = dispersion[0]
    farthest = 1
    for k in range(offsets.shape[0]):
        farthest = max(farthest, abs(offsets[k, 0]), abs(offsets[k, 1]))
    return farthest
