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
enough. More anisotropic oblique tensors are regularised (:data:`MIN_PRINCIPAL_RATIO`).

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
from numba import njit
from numpy.typing import NDArray

__all__ = ["MIN_PRINCIPAL_RATIO", "Dispersion", "dispersion_reach", "pair_dispersion", "selling"]

FloatArray = NDArray[np.float64]
Dispersion = tuple[NDArray[np.int64], FloatArray]
"""``(offsets, weights)``: offsets ``(K, 2)`` as ``(dx, dy)`` in cells (``dy > 0``, or ``dy == 0``
and ``dx > 0``), weights ``(K, ny, nx)`` in m^2/yr of the exchange between cell ``(j, i)`` and
cell ``(j + dy, i + dx)`` (zero where that cell is outside the grid)."""

MIN_PRINCIPAL_RATIO = 0.01
"""An oblique tensor's smaller principal value is raised to at least this fraction of the larger
(only where ``D_xy != 0``): it bounds the exchanges to five cells along an axis. At alpha_T = 0
this adds a transverse dispersivity of at most alpha_L / 100; at alpha_T >= alpha_L / 100 it
changes nothing."""

_MAX_FLIPS = 256


@njit(cache=True)
def _form(d_xx: float, d_xy: float, d_yy: float, u: tuple[int, int], w: tuple[int, int]) -> float:
    return d_xx * u[0] * w[0] + d_xy * (u[0] * w[1] + u[1] * w[0]) + d_yy * u[1] * w[1]


@njit(cache=True)
def selling(d_xx: float, d_xy: float, d_yy: float) -> tuple[NDArray[np.int64], FloatArray]:
    """Selling's decomposition of ``[[d_xx, d_xy], [d_xy, d_yy]]`` (positive semi-definite).

    Returns the three offsets ``(3, 2)`` as ``(dx, dy)``, canonical sign, and their weights
    ``(3,)`` (>= 0, same unit as the tensor); ``sum rho e e^T`` equals the tensor.
    """
    v = [(1, 0), (0, 1), (-1, -1)]
    scale = abs(d_xx) + abs(d_yy) + abs(d_xy)
    for _ in range(_MAX_FLIPS):
        flipped = False
        for i, j, k in ((0, 1, 2), (0, 2, 1), (1, 2, 0)):
            if _form(d_xx, d_xy, d_yy, v[i], v[j]) > 1e-14 * scale:
                vi, vj = v[i], v[j]
                v[i] = (-vi[0], -vi[1])
                v[k] = (vi[0] - vj[0], vi[1] - vj[1])
                flipped = True
                break
        if not flipped:
            break
    offsets = np.empty((3, 2), dtype=np.int64)
    weights = np.empty(3)
    for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
        weights[i] = max(-_form(d_xx, d_xy, d_yy, v[j], v[k]), 0.0)
        ex, ey = -v[i][1], v[i][0]
        if ey < 0 or (ey == 0 and ex < 0):
            ex, ey = -ex, -ey
        offsets[i, 0], offsets[i, 1] = ex, ey
    return offsets, weights


@njit(cache=True)
def _cell_decompositions(
    vx: FloatArray, vy: FloatArray, alpha_l: float, alpha_t: float, diffusion: float
) -> tuple[NDArray[np.int64], FloatArray]:
    """Per-cell offsets ``(ny, nx, 3, 2)`` and weights ``(ny, nx, 3)`` of the tensor
    ``alpha_T |v| I + (alpha_L - alpha_T) v v^T / |v| + D_m I`` (regularised as
    :data:`MIN_PRINCIPAL_RATIO` says)."""
    ny, nx = vx.shape
    offsets = np.empty((ny, nx, 3, 2), dtype=np.int64)
    weights = np.empty((ny, nx, 3))
    for j in range(ny):
        for i in range(nx):
            u, w = vx[j, i], vy[j, i]
            speed = np.hypot(u, w)
            d_xx = alpha_t * speed + diffusion
            d_yy = d_xx
            d_xy = 0.0
            if speed > 0.0:
                excess = (alpha_l - alpha_t) / speed
                d_xx += excess * u * u
                d_yy += excess * w * w
                d_xy = excess * u * w
            if d_xy != 0.0:
                mean = 0.5 * (d_xx + d_yy)
                half_gap = np.hypot(0.5 * (d_xx - d_yy), d_xy)
                smallest, largest = mean - half_gap, mean + half_gap
                lift = MIN_PRINCIPAL_RATIO * largest - smallest
                if lift > 0.0:
                    d_xx += lift
                    d_yy += lift
            offsets[j, i], weights[j, i] = selling(d_xx, d_xy, d_yy)
    return offsets, weights


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
    used = cell_weights > 0.0
    if not used.any():
        return np.zeros((0, 2), dtype=np.int64), np.zeros((0, *vx.shape))
    offsets = np.unique(cell_offsets[used], axis=0)
    weights = np.zeros((offsets.shape[0], *vx.shape))
    ny, nx = vx.shape
    for k, (ex, ey) in enumerate(offsets):
        on_cell = np.where(
            used & (cell_offsets[..., 0] == ex) & (cell_offsets[..., 1] == ey), cell_weights, 0.0
        ).sum(axis=-1)
        # the pair (j, i) -- (j + ey, i + ex): mean of the two cells' weights, inside the grid
        j_end, i_lo, i_hi = ny - ey, max(0, -ex), min(nx, nx - ex)
        if j_end <= 0 or i_lo >= i_hi:
            continue
        weights[k, :j_end, i_lo:i_hi] = 0.5 * (
            on_cell[:j_end, i_lo:i_hi] + on_cell[ey:, i_lo + ex : i_hi + ex]
        )
    return np.ascontiguousarray(offsets, dtype=np.int64), weights


@njit(cache=True)
def dispersion_reach(dispersion: Dispersion) -> int:
    """Farthest exchange, in cells along a grid axis (at least 1): how far one dispersive stage
    can move solute."""
    offsets = dispersion[0]
    farthest = 1
    for k in range(offsets.shape[0]):
        farthest = max(farthest, abs(offsets[k, 0]), abs(offsets[k, 1]))
    return farthest
