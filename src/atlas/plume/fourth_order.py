"""Fourth-order dispersion: the leading error of the exchanges between cells, taken back where
the bounds allow it.

The exchanges of :mod:`atlas.plume.selling` approximate, along each offset ``e`` (in cells) with
pair weight ``w``, the term ``w (e . grad)^2 C`` with the error ``w dx^2 / 12 (e . grad)^4 C``:
they spread a plume with the right variance but make it peakier than a Gaussian (its fourth
cumulant grows as fast as its variance, in cells). A plume one or two cells wide is then too
high on its centre line: 11 % two cells from the well of MT3DMS problem 3 against the
cell-averaged analytic solution (``bench/near_source_bench.py``).

Next to each dispersive step (:func:`atlas.plume.scheme.advance`, with ``fourth_order``),
:func:`correct` adds the fluxes that cancel that term (the five-point operator along each offset
minus the three-point one), as forward-Euler passes, limited as in flux-corrected transport
(Zalesak 1979): each flux is scaled so that no cell leaves the range of its own value and its
exchange partners' values before the pass. Mass stays exact (each flux is added to one cell and
taken from the other) and bounds are kept. Where the limiter is not active and the weights are
uniform, the dispersion is fourth order in space; where they vary it takes back the same
term with the face's weight, and within one exchange of the region's edge, of the grid's edge
and of a held cell it stays second order.

The flux from cell ``c_0`` to its partner ``c_1`` along ``e``, with ``c_-1`` and ``c_2`` the
next cells along that line, is ``w / (12 R dx^2) (c_2 - 3 c_1 + 3 c_0 - c_-1)`` (concentration
per year). Faces whose four cells are not all inside the region computed, or where ``c_0`` or
``c_1`` is held, carry none (a held cell may be ``c_-1`` or ``c_2``). A forward-Euler pass of
``dt_p`` years decays the shortest waves by ``1 - 4/3 sum(w) dt_p / (R dx^2)`` (summed over a
cell's offsets), so a pass spans at most :data:`FE_LIMITS_PER_PASS` forward-Euler limits of the
exchanges (``2 sum(w) dt_p / (R dx^2)``), where no wave changes sign. Each pass moves solute by
at most one exchange, so :func:`atlas.plume.scheme.advance` widens the region it computes by
:func:`passes` exchanges.

References
----------
Zalesak, S. T. (1979). Fully multidimensional flux-corrected transport algorithms for fluids.
Journal of Computational Physics 31, 335-362.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from atlas.plume.fluxes import Dispersion, FloatArray, Held, Region
from atlas.plume.regions import copy_region

__all__ = ["FE_LIMITS_PER_PASS", "correct", "passes", "work_arrays"]

FE_LIMITS_PER_PASS = 1.5
"""Forward-Euler limits of the exchanges one pass may span: its shortest waves then decay by a
factor of at least 0 (``1 - 4/3 x 0.75``)."""


@njit(cache=True)
def work_arrays(dispersion: Dispersion) -> tuple[FloatArray, FloatArray]:
    """The arrays :func:`correct` works in: a flux per offset and cell, and the two limiting
    factors per cell (any values)."""
    weights = dispersion[1]
    return np.empty(weights.shape), np.empty((2, weights.shape[1], weights.shape[2]))


@njit(cache=True, inline="always")
def _inside(region: Region, j: int, i: int) -> bool:
    return region[0] <= j < region[1] and region[2] <= i < region[3]


@njit(cache=True)
def _fluxes(
    before: FloatArray,
    region: Region,
    dispersion: Dispersion,
    scale: float,
    held_mask: np.ndarray,
    fluxes: FloatArray,
) -> None:
    """The unlimited flux (concentration per pass) from each cell of the region to its partner
    along each offset, into ``fluxes``."""
    offsets, weights, _ = dispersion
    for k in range(offsets.shape[0]):
        ex, ey = offsets[k, 0], offsets[k, 1]
        for j in range(region[0], region[1]):
            for i in range(region[2], region[3]):
                w = weights[k, j, i]
                if (
                    w == 0.0
                    or not _inside(region, j - ey, i - ex)
                    or not _inside(region, j + 2 * ey, i + 2 * ex)
                    or held_mask[j, i]
                    or held_mask[j + ey, i + ex]
                ):
                    fluxes[k, j, i] = 0.0
                    continue
                third = (
                    before[j + 2 * ey, i + 2 * ex]
                    - 3.0 * before[j + ey, i + ex]
                    + 3.0 * before[j, i]
                    - before[j - ey, i - ex]
                )
                fluxes[k, j, i] = scale * w * third


@njit(cache=True)
def _limits(
    before: FloatArray,
    region: Region,
    offsets: np.ndarray,
    fluxes: FloatArray,
    factors: FloatArray,
) -> None:
    """Zalesak's factors: ``factors[0]`` scales what a cell gains, ``factors[1]`` what it loses,
    so that it stays within the range of itself and its partners in ``before``."""
    ny, nx = before.shape
    for j in range(region[0], region[1]):
        for i in range(region[2], region[3]):
            value = before[j, i]
            low, high = value, value
            gain, loss = 0.0, 0.0
            for k in range(offsets.shape[0]):
                ex, ey = offsets[k, 0], offsets[k, 1]
                out = fluxes[k, j, i]
                gain -= min(out, 0.0)
                loss += max(out, 0.0)
                if 0 <= j + ey < ny and 0 <= i + ex < nx:
                    partner = before[j + ey, i + ex]
                    low, high = min(low, partner), max(high, partner)
                if _inside(region, j - ey, i - ex):
                    into = fluxes[k, j - ey, i - ex]
                    gain += max(into, 0.0)
                    loss -= min(into, 0.0)
                if 0 <= j - ey < ny and 0 <= i - ex < nx:
                    partner = before[j - ey, i - ex]
                    low, high = min(low, partner), max(high, partner)
            factors[0, j, i] = min(1.0, (high - value) / gain) if gain > 0.0 else 0.0
            factors[1, j, i] = min(1.0, (value - low) / loss) if loss > 0.0 else 0.0


@njit(cache=True, inline="always")
def _limited(flux: float, factors: FloatArray, j: int, i: int, jp: int, ip: int) -> float:
    """The flux from ``(j, i)`` to ``(jp, ip)``, scaled by the factors of the giving and the
    receiving cell. A zero flux reads no factor: its partner may lie outside the region (or
    the grid), where none was set."""
    if flux == 0.0:
        return 0.0
    if flux > 0.0:
        return flux * min(factors[1, j, i], factors[0, jp, ip])
    return flux * min(factors[0, j, i], factors[1, jp, ip])


@njit(cache=True)
def _apply(
    before: FloatArray,
    conc: FloatArray,
    region: Region,
    offsets: np.ndarray,
    fluxes: FloatArray,
    factors: FloatArray,
) -> float:
    """``conc`` = ``before`` plus the limited fluxes, each cell summing its own in the order of
    the offsets; values that round-off puts a few units in the last place below 0 are set to 0,
    and the mass that adds is returned (as a sum of concentrations)."""
    clipped = 0.0
    for j in range(region[0], region[1]):
        for i in range(region[2], region[3]):
            value = before[j, i]
            for k in range(offsets.shape[0]):
                ex, ey = offsets[k, 0], offsets[k, 1]
                value -= _limited(fluxes[k, j, i], factors, j, i, j + ey, i + ex)
                if _inside(region, j - ey, i - ex):
                    value += _limited(fluxes[k, j - ey, i - ex], factors, j - ey, i - ex, j, i)
            if value < 0.0:
                clipped -= value
                value = 0.0
            conc[j, i] = value
    return clipped


@njit(cache=True)
def passes(fe_limits: float) -> int:
    """Forward-Euler passes of a step spanning ``fe_limits`` forward-Euler limits of the
    exchanges (none without dispersion): each pass moves solute by at most one exchange."""
    if fe_limits <= 0.0:
        return 0
    return max(1, math.ceil(fe_limits / FE_LIMITS_PER_PASS))


@njit(cache=True)
def correct(
    conc: FloatArray,
    before: FloatArray,
    region: Region,
    dt: float,
    fe_limits: float,
    dispersion: Dispersion,
    inv_r_dx2: float,
    held: Held,
    work: tuple[FloatArray, FloatArray],
) -> float:
    """Add the limited fourth-order correction of a dispersive step of ``dt`` years to ``conc``
    in ``region`` (see the module notes), in as many passes as ``fe_limits`` (``dt`` in
    forward-Euler limits of the exchanges) needs. ``before`` is scratch in the region; ``work``
    is :func:`work_arrays`. Returns the mass that round-off clipping added (a sum of
    concentrations, as inflow)."""
    count = passes(fe_limits)
    if count == 0:
        return 0.0
    scale = dt / count * inv_r_dx2 / 12.0
    fluxes, factors = work
    offsets = dispersion[0]
    clipped = 0.0
    for _ in range(count):
        copy_region(region, conc, before)
        _fluxes(before, region, dispersion, scale, held[2], fluxes)
        _limits(before, region, offsets, fluxes, factors)
        clipped += _apply(before, conc, region, offsets, fluxes, factors)
    return clipped
