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

A pass goes over the rows three times (the fluxes, the factors, the update), each row's loops
over equal-length slices that compile to vector loops; regions of at least
:data:`atlas.plume.regions.PARALLEL_CELLS` cells go over numba's threads, with the same bits
(each cell sums in the order of the offsets, and the clipped mass is summed row by row).

References
----------
Zalesak, S. T. (1979). Fully multidimensional flux-corrected transport algorithms for fluids.
Journal of Computational Physics 31, 335-362.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from atlas.plume.fluxes import Dispersion, FloatArray, Held, Region
from atlas.plume.regions import copy_region, threaded

__all__ = ["FE_LIMITS_PER_PASS", "correct", "passes", "work_arrays"]

Work = tuple[FloatArray, FloatArray, FloatArray]
"""What :func:`work_arrays` makes: fluxes (K, ny, nx), planes (4, ny, nx), clipped mass (ny)."""

FE_LIMITS_PER_PASS = 1.5
"""Forward-Euler limits of the exchanges one pass may span: its shortest waves then decay by a
factor of at least 0 (``1 - 4/3 x 0.75``)."""


@njit(cache=True)
def work_arrays(dispersion: Dispersion) -> Work:
    """The arrays :func:`correct` works in: a flux per offset and cell, four planes per cell
    (what it may gain and lose, then Zalesak's two factors; the lowest and highest value of it
    and its partners), and the mass clipped in each row; any values."""
    weights = dispersion[1]
    ny, nx = weights.shape[1], weights.shape[2]
    return np.empty(weights.shape), np.empty((4, ny, nx)), np.empty(ny)


@njit(cache=True, inline="always")
def _inside(region: Region, j: int, i: int) -> bool:
    return region[0] <= j < region[1] and region[2] <= i < region[3]


@njit(cache=True, inline="always")
def _carrying(region: Region, dispersion: Dispersion, k: int, j: int) -> tuple[int, int]:
    """The columns ``[lo, hi)`` of row ``j`` whose faces along offset ``k`` may carry a flux:
    all four cells ``c_-1 .. c_2`` in the region, within the offset's span of nonzero weights
    (``lo == hi == region[2]`` when none does). Every other flux of the row is zero."""
    offsets, _, spans = dispersion
    ex, ey = offsets[k, 0], offsets[k, 1]
    if j - ey < region[0] or j + 2 * ey >= region[1]:  # then row j may lie outside the grid
        return region[2], region[2]
    lo = max(region[2] + max(ex, -2 * ex), spans[k, j, 0])
    hi = min(region[3] - max(2 * ex, -ex), spans[k, j, 1])
    return (lo, hi) if lo < hi else (region[2], region[2])


@njit(cache=True, inline="always")
def _zero(values: FloatArray) -> None:
    for i in range(values.shape[0]):
        values[i] = 0.0


@njit(cache=True, inline="always")
def _third_differences(
    flux: FloatArray,
    scale: float,
    w: FloatArray,
    c2: FloatArray,
    c1: FloatArray,
    c0: FloatArray,
    c_1: FloatArray,
) -> None:
    """``flux = scale w (c2 - 3 c1 + 3 c0 - c_1)``, element by element: equal-length slices
    starting at index 0, which compile to a vector loop (indices offset at run time carry
    numba's negative-index wrap, which keeps a loop scalar)."""
    for i in range(flux.shape[0]):
        flux[i] = scale * w[i] * (c2[i] - 3.0 * c1[i] + 3.0 * c0[i] - c_1[i])


@njit(cache=True, inline="always")
def _flux_row(
    before: FloatArray,
    region: Region,
    dispersion: Dispersion,
    scale: float,
    fluxes: FloatArray,
    j: int,
) -> None:
    """Row ``j`` of the unlimited fluxes (concentration per pass) from each cell to its partner
    along each offset, zero outside the columns that may carry one (:func:`_carrying`; held
    cells: :func:`_hold`)."""
    offsets, weights, _ = dispersion
    i_lo, i_hi = region[2], region[3]
    for k in range(offsets.shape[0]):
        ex, ey = offsets[k, 0], offsets[k, 1]
        lo, hi = _carrying(region, dispersion, k, j)
        _zero(fluxes[k, j, i_lo:lo])
        _zero(fluxes[k, j, hi:i_hi])
        if lo < hi:
            _third_differences(
                fluxes[k, j, lo:hi],
                scale,
                weights[k, j, lo:hi],
                before[j + 2 * ey, lo + 2 * ex : hi + 2 * ex],
                before[j + ey, lo + ex : hi + ex],
                before[j, lo:hi],
                before[j - ey, lo - ex : hi - ex],
            )


@njit(cache=True)
def _hold(region: Region, offsets: np.ndarray, held_cells: np.ndarray, fluxes: FloatArray) -> None:
    """No flux on a face where ``c_0`` or ``c_1`` is held."""
    nx = fluxes.shape[2]
    for m in range(held_cells.shape[0]):
        j, i = held_cells[m] // nx, held_cells[m] % nx
        for k in range(offsets.shape[0]):
            ex, ey = offsets[k, 0], offsets[k, 1]
            if _inside(region, j, i):
                fluxes[k, j, i] = 0.0
            if _inside(region, j - ey, i - ex):
                fluxes[k, j - ey, i - ex] = 0.0


@njit(cache=True, inline="always")
def _outgoing(gain: FloatArray, loss: FloatArray, flux: FloatArray) -> None:
    """What cells may gain and lose, plus their own fluxes (equal slices from index 0)."""
    for i in range(flux.shape[0]):
        gain[i] -= min(flux[i], 0.0)
        loss[i] += max(flux[i], 0.0)


@njit(cache=True, inline="always")
def _incoming(gain: FloatArray, loss: FloatArray, flux: FloatArray) -> None:
    """What cells may gain and lose, plus the fluxes into them (equal slices from index 0)."""
    for i in range(flux.shape[0]):
        gain[i] += max(flux[i], 0.0)
        loss[i] -= min(flux[i], 0.0)


@njit(cache=True, inline="always")
def _widen(low: FloatArray, high: FloatArray, partner: FloatArray) -> None:
    """The range of values widened by the partners' (equal slices from index 0; each value
    loaded before either store, which otherwise kept the loop scalar: 2.5 times as long)."""
    for i in range(partner.shape[0]):
        value, lowest, highest = partner[i], low[i], high[i]
        low[i] = min(lowest, value)
        high[i] = max(highest, value)


@njit(cache=True, inline="always")
def _limit_row(
    before: FloatArray,
    region: Region,
    dispersion: Dispersion,
    fluxes: FloatArray,
    planes: FloatArray,
    j: int,
) -> None:
    """Row ``j`` of Zalesak's factors: ``planes[0]`` scales what a cell gains, ``planes[1]``
    what it loses, so that it stays within the range of itself and its partners in ``before``
    (``planes[2]`` and ``planes[3]``). Each cell sums its gains and losses in the order of the
    offsets, its own flux before the one into it; fluxes are read only where they may be
    nonzero (:func:`_carrying`)."""
    offsets = dispersion[0]
    ny, nx = before.shape
    i_lo, i_hi = region[2], region[3]
    gain, loss = planes[0, j, i_lo:i_hi], planes[1, j, i_lo:i_hi]
    low, high, value = planes[2, j, i_lo:i_hi], planes[3, j, i_lo:i_hi], before[j, i_lo:i_hi]
    for i in range(value.shape[0]):
        gain[i], loss[i], low[i], high[i] = 0.0, 0.0, value[i], value[i]
    for k in range(offsets.shape[0]):
        ex, ey = offsets[k, 0], offsets[k, 1]
        lo, hi = _carrying(region, dispersion, k, j)
        _outgoing(gain[lo - i_lo : hi - i_lo], loss[lo - i_lo : hi - i_lo], fluxes[k, j, lo:hi])
        lo, hi = max(i_lo, -ex), min(i_hi, nx - ex)  # partners ahead, where the grid has them
        if j + ey < ny and lo < hi:
            _widen(
                low[lo - i_lo : hi - i_lo],
                high[lo - i_lo : hi - i_lo],
                before[j + ey, lo + ex : hi + ex],
            )
        lo, hi = _carrying(region, dispersion, k, j - ey)  # the faces giving into row j
        if lo < hi:
            _incoming(
                gain[lo + ex - i_lo : hi + ex - i_lo],
                loss[lo + ex - i_lo : hi + ex - i_lo],
                fluxes[k, j - ey, lo:hi],
            )
        lo, hi = max(i_lo, ex), min(i_hi, nx + ex)  # partners behind
        if j - ey >= 0 and lo < hi:
            _widen(
                low[lo - i_lo : hi - i_lo],
                high[lo - i_lo : hi - i_lo],
                before[j - ey, lo - ex : hi - ex],
            )
    for i in range(value.shape[0]):
        gain[i] = min(1.0, (high[i] - value[i]) / gain[i]) if gain[i] > 0.0 else 0.0
        loss[i] = min(1.0, (value[i] - low[i]) / loss[i]) if loss[i] > 0.0 else 0.0


@njit(cache=True, inline="always")
def _limited(
    flux: float, giver_loss: float, taker_gain: float, giver_gain: float, taker_loss: float
) -> float:
    """A flux from a giving cell to a taking one, scaled by the factors of the cell it leaves
    and of the cell it enters: what the giver may lose and the taker gain for a positive flux,
    what the giver may gain and the taker lose for a negative one. A zero flux is zero whatever
    the factors."""
    if flux > 0.0:
        return flux * min(giver_loss, taker_gain)
    if flux < 0.0:
        return flux * min(giver_gain, taker_loss)
    return 0.0


@njit(cache=True, inline="always")
def _exchange(
    value: FloatArray,
    flux: FloatArray,
    giver: tuple[FloatArray, FloatArray],
    taker: tuple[FloatArray, FloatArray],
    sign: float,
) -> None:
    """``value += sign`` times the limited fluxes from the givers to the takers, whose (gain,
    loss) factors are ``giver`` and ``taker``: -1 for cells giving their own fluxes, +1 for
    cells taking the fluxes into them (equal slices from index 0)."""
    giver_gain, giver_loss = giver
    taker_gain, taker_loss = taker
    for i in range(flux.shape[0]):
        limited = _limited(flux[i], giver_loss[i], taker_gain[i], giver_gain[i], taker_loss[i])
        value[i] += sign * limited


@njit(cache=True, inline="always")
def _apply_row(
    before: FloatArray,
    conc: FloatArray,
    region: Region,
    dispersion: Dispersion,
    fluxes: FloatArray,
    factors: FloatArray,
    j: int,
) -> float:
    """Row ``j`` of ``conc`` = ``before`` plus the limited fluxes, each cell summing its own in
    the order of the offsets (its own flux, then the one into it); values that round-off puts
    a few units in the last place below 0 are set to 0, and the mass that adds is returned (as
    a sum of concentrations). Only faces that may carry a flux (:func:`_carrying`) are read."""
    offsets = dispersion[0]
    i_lo, i_hi = region[2], region[3]
    value, source = conc[j, i_lo:i_hi], before[j, i_lo:i_hi]
    for i in range(value.shape[0]):
        value[i] = source[i]
    gains, losses = factors[0], factors[1]
    for k in range(offsets.shape[0]):
        ex, ey = offsets[k, 0], offsets[k, 1]
        lo, hi = _carrying(region, dispersion, k, j)
        if lo < hi:
            _exchange(
                value[lo - i_lo : hi - i_lo],
                fluxes[k, j, lo:hi],
                (gains[j, lo:hi], losses[j, lo:hi]),
                (gains[j + ey, lo + ex : hi + ex], losses[j + ey, lo + ex : hi + ex]),
                -1.0,
            )
        lo, hi = _carrying(region, dispersion, k, j - ey)  # the faces giving into row j
        if lo < hi:
            _exchange(
                value[lo + ex - i_lo : hi + ex - i_lo],
                fluxes[k, j - ey, lo:hi],
                (gains[j - ey, lo:hi], losses[j - ey, lo:hi]),
                (gains[j, lo + ex : hi + ex], losses[j, lo + ex : hi + ex]),
                1.0,
            )
    clipped = 0.0
    for i in range(value.shape[0]):
        if value[i] < 0.0:
            clipped -= value[i]
            value[i] = 0.0
    return clipped


@njit(cache=True)
def _pass(
    before: FloatArray,
    conc: FloatArray,
    region: Region,
    dispersion: Dispersion,
    scale: float,
    held_cells: np.ndarray,
    fluxes: FloatArray,
    planes: FloatArray,
    clipped: FloatArray,
) -> None:
    """One forward-Euler pass, row by row on the calling thread, in the arrays of
    :func:`work_arrays`; each row's clipped mass into ``clipped``."""
    offsets = dispersion[0]
    for j in range(region[0], region[1]):
        _flux_row(before, region, dispersion, scale, fluxes, j)
    _hold(region, offsets, held_cells, fluxes)
    for j in range(region[0], region[1]):
        _limit_row(before, region, dispersion, fluxes, planes, j)
    for j in range(region[0], region[1]):
        clipped[j] = _apply_row(before, conc, region, dispersion, fluxes, planes, j)


@njit(cache=True, parallel=True)
def _pass_parallel(
    before: FloatArray,
    conc: FloatArray,
    region: Region,
    dispersion: Dispersion,
    scale: float,
    held_cells: np.ndarray,
    fluxes: FloatArray,
    planes: FloatArray,
    clipped: FloatArray,
) -> None:
    """:func:`_pass` with the rows over numba's threads (the same bits). The arrays are
    separate arguments: a store in a parallel loop into an array unpacked from a tuple
    argument was lost (numba 0.68, as in :mod:`atlas.plume.regions`)."""
    offsets = dispersion[0]
    for j in prange(region[0], region[1]):
        _flux_row(before, region, dispersion, scale, fluxes, j)
    _hold(region, offsets, held_cells, fluxes)
    for j in prange(region[0], region[1]):
        _limit_row(before, region, dispersion, fluxes, planes, j)
    for j in prange(region[0], region[1]):
        clipped[j] = _apply_row(before, conc, region, dispersion, fluxes, planes, j)


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
    work: Work,
) -> float:
    """Add the limited fourth-order correction of a dispersive step of ``dt`` years to ``conc``
    in ``region`` (see the module notes), in as many passes as ``fe_limits`` (``dt`` in
    forward-Euler limits of the exchanges) needs. ``before`` must equal ``conc`` outside the
    region (the values of partners there bound the limiter) and is scratch inside it; ``work``
    is :func:`work_arrays`; ``held`` is used by its flat indices. Returns the mass that
    round-off clipping added (a sum of concentrations, as inflow)."""
    count = passes(fe_limits)
    if count == 0:
        return 0.0
    scale = dt / count * inv_r_dx2 / 12.0
    fluxes, planes, clipped = work
    total = 0.0
    for _ in range(count):
        copy_region(region, conc, before)
        if threaded(region):
            _pass_parallel(
                before, conc, region, dispersion, scale, held[0], fluxes, planes, clipped
            )
        else:
            _pass(before, conc, region, dispersion, scale, held[0], fluxes, planes, clipped)
        for j in range(region[0], region[1]):
            total += clipped[j]
    return total
