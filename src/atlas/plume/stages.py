"""One stage of either split operator of :mod:`atlas.plume.scheme`, row by row on numba's threads.

A stage computes the rate ``L(x)`` of a row (:mod:`atlas.plume.fluxes`), adds the row's
mass-rate sources, zeroes the rate of its held cells, and at once writes the row of the stage
(:data:`Combination`): one pass over the arrays, with the rate kept in a row buffer that stays
in cache, instead of a pass for the rate and another for the update. Rows go over numba's
threads in blocks of :data:`BLOCK_ROWS` (fixed, whatever the number of threads), and every sum
(held inflow, outflow) is kept per row and added south to north, so the result is the same, bit
for bit, on any number of threads. Numba kernels on bare arrays, with no validation.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from atlas.plume.diagonals import diagonal_values, skewed_row, skewed_south
from atlas.plume.fluxes import (
    Dispersion,
    FloatArray,
    Flow,
    Held,
    Rates,
    Region,
    advective_row,
    dispersive_row,
    dispersive_weight,
    south_fluxes,
)
from atlas.plume.jit import row_kernel

__all__ = [
    "BLOCK_ROWS",
    "PARALLEL_CELLS",
    "RATE_ONLY",
    "Combination",
    "StageArrays",
    "advective_rate",
    "advective_stage",
    "dispersive_rate",
    "dispersive_stage",
    "share_sources",
]

Combination = tuple[float, float, float, float, float]
"""``(mu, nu, rest, mu_dt, gamma_dt)``: a stage writes ``out = mu x + nu before + rest first +
mu_dt L(x) + gamma_dt first_rate`` in every cell of its region, ``L`` the operator's rate."""
StageArrays = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]
"""``(first, before, first_rate, rate, out)`` of a stage (see :data:`Combination`)."""

BLOCK_ROWS = 8
"""Rows per parallel task. Fixed, so that no number depends on how many threads share them."""

PARALLEL_CELLS = 1 << 18
"""Regions with fewer cells (512^2) run on the calling thread alone. A stage of a smaller region
takes a few milliseconds or less, and on a machine shared with other work the threads of a
parallel stage wait for each other: the Baotou scenario (52,800 cells, regions above 32,768
cells) took 35-59 s on 2 threads against 6-8 s on one, at a load average of 6-7 on 2 cores."""

RATE_ONLY: Combination = (0.0, 0.0, 0.0, 0.0, 0.0)
"""The combination of a stage that only stores the rate."""

_SHARE_FLOOR = 1e-9  # fraction of a source's concentration scale below which coefficients decide


@njit(cache=True)
def _source_rows(sources: Rates, ny: int, nx: int) -> NDArray[np.bool_]:
    """Which rows hold a mass-rate source cell."""
    rows = np.zeros(ny, dtype=np.bool_)
    for m in range(sources[0].shape[0]):
        rows[sources[0][m] // nx] = True
    return rows


@njit(cache=True, inline="always")
def _any(flags: NDArray[np.bool_]) -> bool:
    """Whether any of ``flags`` is set (a vector loop)."""
    found = False
    for i in range(flags.shape[0]):
        found |= flags[i]
    return found


@njit(cache=True, inline="always")
def _combine_row(
    combination: Combination,
    x: FloatArray,
    before: FloatArray,
    first: FloatArray,
    first_rate: FloatArray,
    rate: FloatArray,
    out: FloatArray,
) -> None:
    """Write the stage (see :data:`Combination`) into ``out``, all one row's slices of equal
    length: a loop that compiles to vector code (a slice assignment would compile numba's shape
    checks, and indices offset at run time its negative-index wrap)."""
    mu, nu, rest, mu_dt, gamma_dt = combination
    for i in range(out.shape[0]):
        out[i] = (
            mu * x[i]
            + nu * before[i]
            + rest * first[i]
            + mu_dt * rate[i]
            + gamma_dt * first_rate[i]
        )


@row_kernel
def _finish_row(
    x: FloatArray,
    j: int,
    region: Region,
    fixed: NDArray[np.bool_],
    sources: Rates,
    has_source: bool,
    combination: Combination,
    arrays: StageArrays,
    store_rate: bool,
    combine: bool,
    row: FloatArray,
) -> float:
    """Add the row's sources to its rate ``row``, zero the rate of its held cells, store the
    rate and write the stage (see :data:`Combination`); returns the row's held inflow."""
    nx = x.shape[1]
    i_lo, i_hi = region[2], region[3]
    if has_source:
        cells, rates = sources
        for m in range(cells.shape[0]):
            i = cells[m] - j * nx
            if i_lo <= i < i_hi:
                row[i - i_lo] += rates[m]
    held_inflow = 0.0
    if _any(fixed[j, i_lo:i_hi]):
        for i in range(i_lo, i_hi):
            if fixed[j, i]:
                held_inflow -= row[i - i_lo]
                row[i - i_lo] = 0.0
    first, before, first_rate, rate, out = arrays
    if store_rate:
        rate_row = rate[j, i_lo:i_hi]
        for i in range(i_hi - i_lo):  # a loop: a slice assignment compiles its shape checks
            rate_row[i] = row[i]
    if combine:
        columns = slice(i_lo, i_hi)
        _combine_row(
            combination, x[j, columns], before[j, columns], first[j, columns],
            first_rate[j, columns], row, out[j, columns],
        )  # fmt: skip
    return held_inflow


@njit(cache=True)
def _run_time(store_rate: bool, combine: bool) -> tuple[bool, bool]:
    """The flags of a stage as run-time values. Callers pass them as constants, which numba
    types as literals: passed on as such, every row kernel (and the parallel loops) would be
    compiled once per combination of flags (a third of the cold compile time)."""
    return bool(store_rate), bool(combine)


@njit(cache=True)
def _blocks(region: Region) -> int:
    """Number of blocks of :data:`BLOCK_ROWS` rows of the region (the last may be shorter)."""
    return max(0, -(-(region[1] - region[0]) // BLOCK_ROWS)) if region[2] < region[3] else 0


@njit(cache=True)
def _cells(region: Region) -> int:
    """Number of cells of the region."""
    return max(region[1] - region[0], 0) * max(region[3] - region[2], 0)


@njit(cache=True)
def _ordered_sum(per_row: FloatArray, region: Region) -> float:
    """Sum of the region's rows of ``per_row``, south to north: the same whatever the threads."""
    total = 0.0
    for j in range(region[0], region[1]):
        total += per_row[j]
    return total


@njit(cache=True)
def _advective_block(
    rows: tuple[int, int],
    x: FloatArray,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    sources: Rates,
    combination: Combination,
    arrays: StageArrays,
    flags: tuple[bool, bool, bool],
    per_row: tuple[NDArray[np.bool_], NDArray[np.bool_], FloatArray, FloatArray],
) -> None:
    """Rows ``[rows[0], rows[1])`` of :func:`advective_stage`; ``flags`` is (store rate,
    combine, skew), ``per_row`` (held mask, rows with a source, outflow, held inflow), the last
    two written row by row. A row takes the diagonals (:func:`atlas.plume.diagonals.skewed_row`)
    when ``skew`` and a half-path on its faces has a speed, else the axes alone (the same
    numbers there, at less cost)."""
    fixed, has_source, outflow, held_inflow = per_row
    store_rate, combine, skew = flags
    lo, hi = rows
    i_lo, i_hi = region[2], region[3]
    skewed = flow[5]
    south = np.empty(i_hi - i_lo)
    north = np.empty(i_hi - i_lo)
    row = np.empty(i_hi - i_lo)
    faces = np.empty(i_hi - i_lo + 1)
    values = np.zeros((3, 4, i_hi - i_lo + 2 if skew else 0))  # diagonal values of three rows
    ready = lo - 3  # the last row of diagonal values in ``values``
    if skew and skewed[lo]:
        for j in range(lo - 1, lo + 1):
            diagonal_values(x, fixed, flow[4], j, region, values)
        ready = lo
        skewed_south(x, region, flow, fixed, lo, values, south)
    else:
        south_fluxes(x, region, flow[1], fixed, lo, south)
    for j in range(lo, hi):
        if skew and (skewed[j] or skewed[j + 1]):
            for k in range(max(ready + 1, j - 1), j + 2):
                diagonal_values(x, fixed, flow[4], k, region, values)
            ready = j + 1
            outflow[j] = skewed_row(
                x, j, region, flow, sink, fixed, inv_r_dx, values, faces, south, north, row
            )
        else:
            outflow[j] = advective_row(
                x, j, region, flow[:2], sink, fixed, inv_r_dx, south, north, row
            )
        held_inflow[j] = _finish_row(
            x, j, region, fixed, sources, has_source[j], combination, arrays, store_rate,
            combine, row,
        )  # fmt: skip
        south, north = north, south


@njit(cache=True, parallel=True)
def _advective_blocks(
    blocks: int,
    x: FloatArray,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    sources: Rates,
    combination: Combination,
    arrays: StageArrays,
    store_rate: bool,
    combine: bool,
    skew: bool,
    per_row: tuple[NDArray[np.bool_], NDArray[np.bool_], FloatArray, FloatArray],
) -> None:
    """Every block of :func:`advective_stage`, over numba's threads (numba's parallel loops take
    no nested tuples, hence the loose arguments)."""
    mu, nu, rest, mu_dt, gamma_dt = combination
    first, before, first_rate, rate, out = arrays
    fixed, has_source, outflow, held_inflow = per_row
    for block in prange(blocks):
        lo = region[0] + block * BLOCK_ROWS
        _advective_block(
            (lo, min(lo + BLOCK_ROWS, region[1])), x, region, flow, sink, inv_r_dx, sources,
            (mu, nu, rest, mu_dt, gamma_dt), (first, before, first_rate, rate, out),
            (store_rate, combine, skew), (fixed, has_source, outflow, held_inflow),
        )  # fmt: skip


@njit(cache=True)
def advective_stage(
    x: FloatArray,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    held: Held,
    sources: Rates,
    combination: Combination,
    arrays: StageArrays,
    store_rate: bool,
    combine: bool,
    skew: bool,
) -> tuple[float, float]:
    """One stage with the advective, sink and source rate ``L(x)`` of the cells of ``region``.

    The rate is computed row by row and used at once: ``out`` is written (when ``combine``) as
    :data:`Combination` says, and the rate is kept in ``rate`` only when ``store_rate``. Rows
    go in blocks of :data:`BLOCK_ROWS` over numba's threads (regions of at least
    :data:`PARALLEL_CELLS` cells; smaller ones are one block on the calling thread); each
    cell's numbers are the same whatever the number of threads. With ``skew`` the fluxes carry
    the diagonals (:mod:`atlas.plume.diagonals`), without it they go along the axes alone (the
    redo of :mod:`atlas.plume.scheme`). ``x`` must not be ``out`` (``before`` and ``first``
    may). Returns ``(outflow, held inflow)``: the rates (concentration sums per yr) at which
    solute leaves across the edge and at sinks, and enters to keep the held cells fixed; the
    mass-rate ``sources`` (cells of ``region``) are added to the rate, their inflow is not
    returned.
    """
    ny, nx = x.shape
    per_row = (held[2], _source_rows(sources, ny, nx), np.zeros(ny), np.zeros(ny))
    blocks = _blocks(region)
    flags = (*_run_time(store_rate, combine), bool(skew))
    if _cells(region) >= PARALLEL_CELLS:
        _advective_blocks(
            blocks, x, region, flow, sink, inv_r_dx, sources, combination, arrays,
            flags[0], flags[1], flags[2], per_row,
        )  # fmt: skip
    elif blocks > 0:  # one block: the rows at the blocks' edges are not computed twice
        _advective_block(
            region[:2], x, region, flow, sink, inv_r_dx, sources, combination, arrays, flags,
            per_row,
        )  # fmt: skip
    return _ordered_sum(per_row[2], region), _ordered_sum(per_row[3], region)


@njit(cache=True)
def _dispersive_block(
    lo: int,
    x: FloatArray,
    region: Region,
    dispersion: Dispersion,
    inv_r_dx2: float,
    sources: Rates,
    combination: Combination,
    arrays: StageArrays,
    flags: tuple[bool, bool],
    per_row: tuple[NDArray[np.bool_], NDArray[np.bool_], FloatArray],
) -> None:
    """The rows of the block of :func:`dispersive_stage` that starts at row ``lo``, as
    :func:`_advective_block`; ``per_row`` is (held mask, rows with a source, held inflow)."""
    fixed, has_source, held_inflow = per_row
    store_rate, combine = flags
    j_hi, i_lo, i_hi = region[1:]
    row = np.empty(i_hi - i_lo)
    for j in range(lo, min(lo + BLOCK_ROWS, j_hi)):
        dispersive_row(x, j, region, dispersion, inv_r_dx2, row)
        held_inflow[j] = _finish_row(
            x, j, region, fixed, sources, has_source[j], combination, arrays, store_rate,
            combine, row,
        )  # fmt: skip


@njit(cache=True, parallel=True)
def _dispersive_blocks(
    blocks: int,
    x: FloatArray,
    region: Region,
    dispersion: Dispersion,
    inv_r_dx2: float,
    sources: Rates,
    combination: Combination,
    arrays: StageArrays,
    store_rate: bool,
    combine: bool,
    per_row: tuple[NDArray[np.bool_], NDArray[np.bool_], FloatArray],
) -> None:
    """Every block of :func:`dispersive_stage`, over numba's threads (loose arguments, as in
    :func:`_advective_blocks`)."""
    mu, nu, rest, mu_dt, gamma_dt = combination
    first, before, first_rate, rate, out = arrays
    fixed, has_source, held_inflow = per_row
    offsets, weights, spans = dispersion
    cells, rates = sources
    for block in prange(blocks):
        _dispersive_block(
            region[0] + block * BLOCK_ROWS, x, region, (offsets, weights, spans), inv_r_dx2,
            (cells, rates), (mu, nu, rest, mu_dt, gamma_dt), (first, before, first_rate, rate, out),
            (store_rate, combine), (fixed, has_source, held_inflow),
        )  # fmt: skip


@njit(cache=True)
def dispersive_stage(
    x: FloatArray,
    region: Region,
    dispersion: Dispersion,
    inv_r_dx2: float,
    held: Held,
    sources: Rates,
    combination: Combination,
    arrays: StageArrays,
    store_rate: bool,
    combine: bool,
) -> float:
    """One stage with the dispersive and source rate ``L(x)`` of the cells of ``region``, as
    :func:`advective_stage` does; only exchanges between two cells of ``region`` count, and none
    crosses the model edge. Returns the held inflow (concentration sum per yr)."""
    ny, nx = x.shape
    per_row = (held[2], _source_rows(sources, ny, nx), np.zeros(ny))
    blocks = _blocks(region)
    flags = _run_time(store_rate, combine)
    if _cells(region) >= PARALLEL_CELLS:
        _dispersive_blocks(
            blocks, x, region, dispersion, inv_r_dx2, sources, combination, arrays, flags[0],
            flags[1], per_row,
        )  # fmt: skip
    else:
        for block in range(blocks):
            _dispersive_block(
                region[0] + block * BLOCK_ROWS, x, region, dispersion, inv_r_dx2, sources,
                combination, arrays, flags, per_row,
            )  # fmt: skip
    return _ordered_sum(per_row[2], region)


@njit(cache=True)
def advective_rate(
    conc: FloatArray,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    held: Held,
    sources: Rates,
    rate: FloatArray,
) -> tuple[float, float]:
    """Advective, sink and source rate (concentration/yr) of the cells of ``region``, into
    ``rate``; returns ``(outflow, held inflow)`` as :func:`advective_stage` does."""
    arrays = (conc, conc, rate, rate, rate)
    return advective_stage(
        conc, region, flow, sink, inv_r_dx, held, sources, RATE_ONLY, arrays, True, False, True
    )


@njit(cache=True)
def dispersive_rate(
    conc: FloatArray,
    region: Region,
    dispersion: Dispersion,
    inv_r_dx2: float,
    held: Held,
    sources: Rates,
    rate: FloatArray,
) -> float:
    """Dispersive and source rate (concentration/yr) of the cells of ``region``, into ``rate``;
    returns the held inflow as :func:`dispersive_stage` does."""
    arrays = (conc, conc, rate, rate, rate)
    return dispersive_stage(
        conc, region, dispersion, inv_r_dx2, held, sources, RATE_ONLY, arrays, True, False
    )


@njit(cache=True)
def share_sources(
    conc: FloatArray,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    dispersion: Dispersion,
    inv_r_dx2: float,
    held: Held,
    sources: Rates,
    scratch: tuple[FloatArray, FloatArray],
) -> tuple[Rates, Rates]:
    """Split each mass-rate source between the advective and the dispersive step.

    A source cell's rate is shared in proportion to the rates at which advection (with sinks)
    and dispersion remove solute from it in ``conc``: at a steady state each split operator then
    balances its share exactly, so the split steps keep that steady state whatever their order
    and length. Where neither removes solute yet (a fresh source), the shares follow the two
    operators' coefficients on the cell itself: the outflow speeds over ``R dx`` against the
    summed exchange weights over ``R dx^2``. The two are blended continuously: the coefficients
    times :data:`_SHARE_FLOOR` of the source's own concentration scale are added to the rates,
    so that a rate of round-off size cannot swing the share (which would break symmetries
    such as turning the whole problem by 90 degrees). ``region`` must hold every source cell with
    a margin of one cell; ``scratch`` is overwritten there (and at the held cells).

    Returns
    -------
    advective, dispersive : tuple (flat indices int64, rates float64)
        The two shares, concentration/yr; they add up to ``sources`` cell by cell.
    """
    cells, rates = sources
    to_advection = np.empty_like(rates)
    if cells.shape[0] == 0:
        return sources, (cells, to_advection)
    vx, vy = flow[0], flow[1]
    nx = conc.shape[1]
    no_sources = (cells[:0], rates[:0])
    advective_rate(conc, region, flow, sink, inv_r_dx, held, no_sources, scratch[0])
    dispersive_rate(conc, region, dispersion, inv_r_dx2, held, no_sources, scratch[1])
    for m in range(cells.shape[0]):
        j, i = cells[m] // nx, cells[m] % nx
        own_advection = (
            max(-vx[j, i], 0.0) + max(vx[j, i + 1], 0.0) + max(-vy[j, i], 0.0)
        ) * inv_r_dx + (max(vy[j + 1, i], 0.0) * inv_r_dx + sink[j, i])
        own_dispersion = dispersive_weight(dispersion, j, i) * inv_r_dx2
        own = own_advection + own_dispersion
        # a concentration far below the source's own scale (rate / coefficient): below it the
        # coefficients decide, so the share never jumps on round-off-sized rates
        floor = _SHARE_FLOOR * abs(rates[m]) / own if own > 0.0 else 0.0
        by_advection = max(-scratch[0][j, i], 0.0) + own_advection * floor
        by_dispersion = max(-scratch[1][j, i], 0.0) + own_dispersion * floor
        total = by_advection + by_dispersion
        share = by_advection / total if total > 0.0 else 1.0
        to_advection[m] = rates[m] * share
    return (cells, to_advection), (cells, rates - to_advection)
