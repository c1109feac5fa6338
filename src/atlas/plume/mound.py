"""The steady mound under recharge in an infinite aquifer of uniform transmissivity.

A point recharge ``Q`` (m³/yr) in a confined aquifer of transmissivity ``T`` (m²/yr) raises the
steady head by ``Q / (2 pi T) ln(R / r)`` (Thiem), ``R`` an arbitrary reference radius: in two
dimensions the steady mound of an infinite aquifer grows without bound with the distance to
its reference, so its heights are defined only up to a constant while its gradients (and so
its seepage velocities ``-T grad h / (b n)``) are not. The mound of a recharge raster is the
superposition of its cells (a convolution, done by FFT), each cell's kernel being the Thiem
head averaged over a square cell (exact for recharge uniform within each cell): no grid edge
holds or bounds it.

:func:`infinite_aquifer_mound_m` gives heights relative to an arbitrary reference (1 m from
each recharged point); :func:`edge_referenced` states them relative to their mean over the
grid's outer ring of cells. Heights depend on the reference (a mound seen from a boundary
10 km away is higher than from one 5 km away, by ``Q / (2 pi T) ln 2``), velocities do not.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.signal import fftconvolve

__all__ = ["edge_referenced", "infinite_aquifer_mound_m", "mean_log_distance"]


def _log_integral(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """An antiderivative ``F`` of ``ln sqrt(x² + y²)`` in ``x`` and ``y`` (``d²F/dx dy``)."""
    r2 = x * x + y * y
    with np.errstate(divide="ignore", invalid="ignore"):
        log_term = np.where(r2 > 0, x * y * (np.log(r2) - 3.0), 0.0)
        x_term = np.where(x != 0, x * x * np.arctan(y / np.where(x != 0, x, 1.0)), 0.0)
        y_term = np.where(y != 0, y * y * np.arctan(x / np.where(y != 0, y, 1.0)), 0.0)
    return 0.5 * (log_term + x_term + y_term)


def mean_log_distance(dx_m: NDArray[np.float64], dy_m: NDArray[np.float64], cell_size_m: float):
    """Mean of ``ln r`` (r in m) over a square cell of side ``cell_size_m`` centred at
    ``(dx_m, dy_m)`` from the point of interest."""
    h = cell_size_m / 2.0
    total = (
        _log_integral(dx_m + h, dy_m + h)
        - _log_integral(dx_m - h, dy_m + h)
        - _log_integral(dx_m + h, dy_m - h)
        + _log_integral(dx_m - h, dy_m - h)
    )
    return total / cell_size_m**2


def infinite_aquifer_mound_m(
    recharge_m_per_yr: NDArray[np.float64], transmissivity_m2_per_yr: float, cell_size_m: float
) -> NDArray[np.float64]:
    """Steady head rise under a recharge raster in an infinite aquifer (module docstring).

    Parameters
    ----------
    recharge_m_per_yr : numpy.ndarray, shape (ny, nx)
        Recharge rate of each cell, m/yr (y-up or north-up: the kernel is symmetric).
    transmissivity_m2_per_yr : float
        ``K b``, m²/yr, > 0 and the same everywhere.
    cell_size_m : float
        Side of the square cells, m.

    Returns
    -------
    numpy.ndarray, shape (ny, nx)
        The head rise at the cell centres, m, up to a constant (Thiem's reference radius
        1 m from each point of recharge).
    """
    ny, nx = recharge_m_per_yr.shape
    offsets_y = np.arange(-(ny - 1), ny) * cell_size_m
    offsets_x = np.arange(-(nx - 1), nx) * cell_size_m
    dx, dy = np.meshgrid(offsets_x, offsets_y)
    # head per unit recharge rate of a cell: -A / (2 pi T) x mean of ln r over the cell
    kernel = -(cell_size_m**2) / (2 * np.pi * transmissivity_m2_per_yr)
    kernel = kernel * mean_log_distance(dx, dy, cell_size_m)
    return np.asarray(fftconvolve(recharge_m_per_yr, kernel, mode="same"))


def edge_referenced(mound_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Heights relative to their mean over the outer ring of cells, m."""
    ring = np.ones(mound_m.shape, dtype=bool)
    ring[1:-1, 1:-1] = False
    return mound_m - mound_m[ring].mean()
