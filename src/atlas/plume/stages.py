"""Chains of stages of either split operator of :mod:`atlas.plume.scheme`, row by row, in one
sweep, on numba's threads.

A stage computes the rate ``L(x)`` of a row (:mod:`atlas.plume.fluxes`), adds the row's
mass-rate sources, zeroes the rate of its held cells, and at once writes the row of the stage
(:data:`Combination`), the rate kept in a row buffer that stays in cache. A chain is the
stages of one Runge-Kutta step (Heun's two for advection, RKL2's ``s`` for dispersion), each
reading the one before; they go down the rows together, each a few rows (the reach of a stage,
its lag) behind the one before, so that the rows a stage reads were written moments earlier
and are still in cache, and the flow or exchange weights of a row are read from memory once
per step, not once per stage. At 2048^2 (arrays far beyond the caches) that took an advective
step from 15 to 11 ns per cell and a 3-stage RKL2 step from 11.6 to 7.6; a step in cache
costs what it did. The first stage's rate, which the later stages read, and the dispersive
stages between the first and the last live only a few rows, so each chunk keeps them in rings
of rows of its own (:func:`_rings`), which stay in cache where grid-sized arrays went to memory
(at 2048^2, 20.0 to 18.3 ns per cell-step); the advective stages read cells beyond the region,
so their stage between stays in a grid-sized array (in rings it cost more than it saved).

Regions of at least :data:`atlas.plume.regions.PARALLEL_CELLS` cells go over numba's threads
in chunks of :func:`chunk_rows` rows (fixed, whatever the number of threads). A chunk's later
stages need rows of the earlier ones beyond its own, so each chunk computes those too (its halo,
at most 1/16 of its work), and the chunks run in two phases, even ones then odd ones, so that no
two chunks run at once write the same row. Every cell's numbers are the same, bit for bit, on
any number of threads and in any chunk, and the same as the stages taken one by one; every sum
(held inflow, outflow) is kept per stage and row and added south to north. Numba kernels on
bare arrays, with no validation.
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
    ring_row,
    south_fluxes,
)
from atlas.plume.jit import row_kernel
from atlas.plume.regions import PARALLEL_CELLS, range_values, row_range
from atlas.plume.selling import dispersion_reach

__all__ = [
    "ADVECTIVE_REACH",
    "CHUNK_ROWS",
    "AdvectiveWork",
    "ChainArrays",
    "Combination",
    "StageArrays",
    "advective_chain",
    "advective_rate",
    "chunk",
    "chunk_rows",
    "dispersive_chain",
    "dispersive_rate",
    "heun",
    "schedule",
    "share_sources",
]

Combination = tuple[float, float, float, float, float]
"""``(mu, nu, rest, mu_dt, gamma_dt)``: a stage writes ``out = mu x + nu before + rest first +
mu_dt L(x) + gamma_dt first_rate`` in every cell of its region, ``L`` the operator's rate."""
StageArrays = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]
"""``(first, before, first_rate, rate, out)`` of a stage (see :data:`Combination`)."""
ChainArrays = tuple[FloatArray, FloatArray, FloatArray, FloatArray]
"""``(rate, pair_0, pair_1, out)`` that a chunk of a chain of ``s`` stages from ``Y_0`` writes:
the first stage's rate ``L(Y_0)`` goes to ``rate``, ``Y_s`` (the last stage) to ``out``, and
``Y_1 .. Y_{s-1}`` alternately to ``pair_0`` and ``pair_1`` (``Y_{k+1}`` overwrites
``Y_{k-1}``). Each holds every row of the grid, or a ring of rows of the chunk's own
(:func:`atlas.plume.fluxes.ring_row`; :func:`_rings`). Outside the region nothing is written."""
AdvectiveWork = tuple[FloatArray, FloatArray, FloatArray]
"""``(pair_0, pair_1, out)`` of an advective chain (:data:`ChainArrays`): grids of rows, for its
stages read the cells beyond the region's edges (as they are in ``Y_0``, which the pair must
hold there). With two stages ``pair_1`` is not used; a halo may leave an earlier stage in the
pair."""

AdvectiveRows = tuple[
    NDArray[np.bool_], NDArray[np.bool_], FloatArray, FloatArray, NDArray[np.int64]
]
"""What an advective chain keeps per row: the held mask, the rows with a source, the outflow
and held inflow (stages, ny), and the range keys of ``Y_0`` and the result (4, ny)."""
DispersiveRows = tuple[NDArray[np.bool_], NDArray[np.bool_], FloatArray, NDArray[np.int64]]
"""What a dispersive chain keeps per row: as :data:`AdvectiveRows`, without the outflow."""

ADVECTIVE_REACH = 2
"""Rows an advective stage reaches: a face value is reconstructed from two cells upwind (and
a diagonal value from the rows beside its own)."""

CHUNK_ROWS = 64
"""Fewest rows of a chunk of a chain on the threads (see :func:`chunk_rows`)."""

_SHARE_FLOOR = 1e-8
"""Fraction of a source cell's concentration scale below which its share follows the operators'
coefficients (:func:`share_sources`). A rate there is a net of fluxes that round to 1e-16 of
the concentrations around the cell; this keeps the share's round-off near 1e-8, and a turned
run within 1e-11 of the turned result. The price: a source whose own plume is far below the
concentrations beside it is shared partly by the coefficients, and its plume changes by up to
1e-3 of its peak beside values 1e6 times its own."""


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
    rate (when ``store_rate``) and write the stage (see :data:`Combination`; when ``combine``);
    returns the row's held inflow. All arrays but ``first`` may be rings of rows
    (:data:`ChainArrays`)."""
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
        rate_row = ring_row(rate, j)[i_lo:i_hi]
        for i in range(i_hi - i_lo):  # a loop: a slice assignment compiles its shape checks
            rate_row[i] = row[i]
    if combine:
        columns = slice(i_lo, i_hi)
        _combine_row(
            combination, ring_row(x, j)[columns], ring_row(before, j)[columns],
            first[j, columns], ring_row(first_rate, j)[columns], row, ring_row(out, j)[columns],
        )  # fmt: skip
    return held_inflow


@njit(cache=True)
def _run_time(combine: bool) -> bool:
    """A flag of a chain as a run-time value. Callers pass it as a constant, which numba types
    as a literal: passed on as such, every row kernel (and the parallel loops) would be
    compiled once per value (a third of the cold compile time)."""
    return bool(combine)


@njit(cache=True)
def _rings(
    stages: int, lag: int, width: int, pairs: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Rings of rows ``width`` cells wide (:func:`atlas.plume.fluxes.ring_row`) for a chunk of a
    chain of ``stages`` stages, each lagging ``lag`` rows behind the one before (module notes):
    one for the first stage's rate, and the pair for the stages between the first and the last
    (:data:`ChainArrays`; empty unless ``pairs``).

    A ring stays in cache, where a grid of rows went to memory: 16 bytes per cell and array at
    2048^2. Row ``j`` of the first rate is read by the last stage ``(stages - 1) lag`` rows
    after the first wrote it, so ``(stages - 1) lag + 1`` rows hold it. Row ``r`` of ``Y_m``,
    written when the first stage is at row ``r + (m - 1) lag``, is read up to ``r + (m + 1)
    lag`` (by stage ``m`` as its ``x``, by stage ``m + 1`` as ``before``); meanwhile the stages
    write rows from ``r - (stages - m) lag`` to ``r + (m + 1) lag`` of the same pair, so
    ``(stages + 1) lag + 1`` rows keep every row apart. Each ring has the least power of two
    rows that is enough."""
    pair_rows = _power_of_two((stages + 1) * lag + 1) if pairs else 0
    return (
        np.empty((_power_of_two((stages - 1) * lag + 1), width)),
        np.empty((pair_rows, width)),
        np.empty((pair_rows, width)),
    )


@njit(cache=True)
def _power_of_two(least: int) -> int:
    """The least power of two at or above ``least``."""
    rows = 1
    while rows < least:
        rows *= 2
    return rows


@njit(cache=True)
def _cells(region: Region) -> int:
    """Number of cells of the region."""
    return max(region[1] - region[0], 0) * max(region[3] - region[2], 0)


@njit(cache=True)
def _ordered_sums(per_row: FloatArray, region: Region) -> FloatArray:
    """Sums of the region's rows of ``per_row`` (stages, ny), stage by stage, south to north:
    the same whatever the threads."""
    totals = np.zeros(per_row.shape[0])
    for k in range(per_row.shape[0]):
        for j in range(region[0], region[1]):
            totals[k] += per_row[k, j]
    return totals


@njit(cache=True)
def heun(dt: float) -> FloatArray:
    """The combinations of Heun's method (two-stage SSP-RK2) with step ``dt``: ``Y_1 = Y_0 +
    dt L(Y_0)``, ``Y_2 = Y_0 + dt/2 (L(Y_1) + L(Y_0))``."""
    return np.array([[1.0, 0.0, 0.0, dt, 0.0], [0.0, 0.0, 1.0, 0.5 * dt, 0.5 * dt]])


@njit(cache=True)
def chunk_rows(stages: int, lag: int) -> int:
    """Rows of a chunk of a chain of ``stages`` stages, each lagging ``lag`` rows: at least
    :data:`CHUNK_ROWS`, and 16 times the widest halo, so that the halos add at most 1/16 to
    the work and those of two chunks run at once never meet."""
    return max(CHUNK_ROWS, 16 * (stages - 1) * lag)


@njit(cache=True)
def chunk(region: Region, rows: int, index: int) -> tuple[int, int]:
    """Rows of chunk ``index`` (from 0) of ``rows`` rows of the region; on the threads, the even
    chunks run together, then the odd ones."""
    lo = region[0] + index * rows
    return lo, min(lo + rows, region[1])


@njit(cache=True)
def schedule(chunk: tuple[int, int], region: Region, stages: int, lag: int) -> NDArray[np.int64]:
    """The rows a chunk of a chain computes, in order: one line ``(stage, row, first row of
    that stage)`` per row of a stage.

    Stage ``k`` (from 0) computes the chunk's rows widened by ``(stages - 1 - k) lag`` rows
    (its halo, which the later stages read), within the region, and runs ``lag`` rows behind
    stage ``k - 1``: when it computes row ``j``, the rows of ``Y_k`` up to ``j + lag`` are
    done, and ``Y_{k-1}`` (which ``Y_{k+1}`` overwrites) is read no more below ``j``.
    """
    halo = (stages - 1) * lag
    first = max(chunk[0] - halo, region[0])
    lines = np.empty((max(0, (chunk[1] + halo - first) * stages), 3), dtype=np.int64)
    n = 0
    for p in range(first, chunk[1] + halo):
        for k in range(stages):
            j = p - k * lag
            lo = max(chunk[0] - halo + k * lag, region[0])
            if lo <= j < min(chunk[1] + halo - k * lag, region[1]):
                lines[n, 0], lines[n, 1], lines[n, 2] = k, j, lo
                n += 1
    return lines[:n]


@njit(cache=True, inline="always")
def _stage(
    combinations: FloatArray, k: int, y0: FloatArray, work: ChainArrays
) -> tuple[Combination, FloatArray, StageArrays]:
    """The combination, ``x`` and arrays of stage ``k`` (from 0) of a chain (see
    :data:`ChainArrays`): it computes the rate of ``x = Y_k`` and writes ``Y_{k+1}``."""
    rate, pair_0, pair_1, out = work
    x = y0 if k == 0 else (pair_0 if k % 2 == 1 else pair_1)
    before = y0 if k < 2 else (pair_0 if k % 2 == 0 else pair_1)
    target = out if k == combinations.shape[0] - 1 else (pair_0 if k % 2 == 0 else pair_1)
    c = combinations[k]
    return (c[0], c[1], c[2], c[3], c[4]), x, (y0, before, rate, rate, target)


@row_kernel
def _advective_row(
    x: FloatArray,
    j: int,
    start: int,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    skew: bool,
    fixed: NDArray[np.bool_],
    scratch: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    ready: int,
) -> tuple[float, int]:
    """Advective and sink rate of row ``j`` of ``x`` into ``scratch[1]``, in a sweep of rows
    that started at ``start``. ``scratch`` is (the fluxes of two rows of faces (2, width), one
    per row parity; the rate; a row of faces; the diagonal values of three rows), and ``ready``
    the last row of diagonal values in it. The row takes the diagonals
    (:func:`atlas.plume.diagonals.skewed_row`) when ``skew`` and a half-path on its faces has a
    speed, else the axes alone (the same numbers there, at less cost). Returns the row's
    outflow and the new ``ready``."""
    fluxes, row, faces, values = scratch
    skewed = flow[5]
    south, north = fluxes[(j - start) % 2], fluxes[(j - start + 1) % 2]
    if j == start:
        if skew and skewed[j]:
            for k in range(j - 1, j + 1):
                diagonal_values(x, fixed, flow[4], k, region, values)
            ready = j
            skewed_south(x, region, flow, fixed, j, values, south)
        else:
            south_fluxes(x, region, flow[1], fixed, j, south)
    if skew and (skewed[j] or skewed[j + 1]):
        for k in range(max(ready + 1, j - 1), j + 2):
            diagonal_values(x, fixed, flow[4], k, region, values)
        outflow = skewed_row(
            x, j, region, flow, sink, fixed, inv_r_dx, values, faces, south, north, row
        )
        return outflow, j + 1
    return advective_row(x, j, region, flow[:2], sink, fixed, inv_r_dx, south, north, row), ready


@njit(cache=True, inline="always")
def _record_ranges(
    k: int,
    stages: int,
    j: int,
    region: Region,
    x: FloatArray,
    out: FloatArray,
    keys: NDArray[np.int64],
) -> None:
    """Keep the :func:`atlas.plume.regions.row_range` of row ``j`` of ``Y_0`` (read by the first
    stage, ``k == 0``) and of the chain's result (written by the last) in ``keys`` (4, ny):
    the bounds of a step and the check of its result come out of the sweep, not two more passes
    over the arrays."""
    if k == 0:
        keys[0, j], keys[1, j] = row_range(x[j, region[2] : region[3]])
    if k == stages - 1:
        keys[2, j], keys[3, j] = row_range(out[j, region[2] : region[3]])


@njit(cache=True)
def _ranges(keys: NDArray[np.int64], region: Region) -> FloatArray:
    """The smallest and largest values of ``Y_0`` and of the result (2, 2) from ``keys``."""
    ranges = np.empty((2, 2))
    for m in range(2):
        ranges[m, 0], ranges[m, 1] = range_values(keys[2 * m], keys[2 * m + 1], region)
    return ranges


@row_kernel
def _advective_sweep(
    lines: NDArray[np.int64],
    y0: FloatArray,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    sources: Rates,
    combinations: FloatArray,
    work: ChainArrays,
    flags: tuple[bool, bool],
    per_row: AdvectiveRows,
    scratch: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    ready: NDArray[np.int64],
) -> None:
    """The rows of :func:`schedule`'s ``lines`` of an :func:`advective_chain`. ``flags`` is
    (combine, skew), ``per_row`` (held mask, rows with a source, outflow and held
    inflow per stage and row); ``scratch`` holds each stage's face fluxes (stages, 2, width)
    and diagonal values (stages, 3, 4, width + 2) (see :func:`_advective_row`), and ``ready``
    the last row of each stage's diagonal values."""
    fixed, has_source, outflow, held_inflow, keys = per_row
    combine, skew = flags
    fluxes, row, faces, values = scratch
    stages = combinations.shape[0]
    for n in range(lines.shape[0]):
        k, j, start = lines[n, 0], lines[n, 1], lines[n, 2]
        combination, x, arrays = _stage(combinations, k, y0, work)
        outflow[k, j], ready[k] = _advective_row(
            x, j, start, region, flow, sink, inv_r_dx, skew, fixed,
            (fluxes[k], row, faces, values[k]), ready[k],
        )  # fmt: skip
        held_inflow[k, j] = _finish_row(
            x, j, region, fixed, sources, has_source[j], combination, arrays,
            k == 0, combine, row,
        )  # fmt: skip
        if combine:
            _record_ranges(k, stages, j, region, x, arrays[4], keys)


@njit(cache=True)
def _advective_chunk(
    chunk: tuple[int, int],
    y0: FloatArray,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    sources: Rates,
    combinations: FloatArray,
    work: AdvectiveWork,
    flags: tuple[bool, bool],
    per_row: AdvectiveRows,
) -> None:
    """The rows of ``chunk`` of :func:`advective_chain`, with their halos, on this thread."""
    stages, width = combinations.shape[0], region[3] - region[2]
    pair_0, pair_1, out = work
    rate = _rings(stages, ADVECTIVE_REACH, y0.shape[1], False)[0] if flags[0] else out
    scratch = (
        np.empty((stages, 2, width)),
        np.empty(width),
        np.empty(width + 1),
        np.zeros((stages, 3, 4, width + 2 if flags[1] else 0)),
    )
    ready = np.full(stages, region[0] - 3)  # no diagonal values yet
    lines = schedule(chunk, region, stages, ADVECTIVE_REACH)
    _advective_sweep(
        lines, y0, region, flow, sink, inv_r_dx, sources, combinations,
        (rate, pair_0, pair_1, out), flags, per_row, scratch, ready,
    )  # fmt: skip


@njit(cache=True, parallel=True)
def _advective_chunks(
    phase: int,
    rows: int,
    y0: FloatArray,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    sources: Rates,
    combinations: FloatArray,
    work: AdvectiveWork,
    flags: tuple[bool, bool],
    per_row: AdvectiveRows,
) -> None:
    """The chunks of ``rows`` rows of :func:`advective_chain` of one parity ``phase`` (even or
    odd), over numba's threads (numba's parallel loops drop stores into arrays unpacked from
    a nested tuple, hence the tuples unpacked here and packed again in the loop)."""
    vx, vy, x_paths, y_paths, lines, skewed = flow
    cells, rates = sources
    pair_0, pair_1, out = work
    combine, skew = flags
    fixed, has_source, outflow, held_inflow, keys = per_row
    chunks = -(-(region[1] - region[0]) // rows)
    for m in prange((chunks - phase + 1) // 2):
        _advective_chunk(
            chunk(region, rows, 2 * m + phase), y0, region,
            (vx, vy, x_paths, y_paths, lines, skewed), sink, inv_r_dx, (cells, rates),
            combinations, (pair_0, pair_1, out), (combine, skew),
            (fixed, has_source, outflow, held_inflow, keys),
        )  # fmt: skip


@njit(cache=True)
def advective_chain(
    y0: FloatArray,
    region: Region,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    held: Held,
    sources: Rates,
    combinations: FloatArray,
    work: AdvectiveWork,
    combine: bool,
    skew: bool,
) -> tuple[FloatArray, FloatArray]:
    """The stages of ``combinations`` (one :data:`Combination` per row) with the advective,
    sink and source rate ``L(x)`` of the cells of ``region``, in one sweep (module notes).

    Stage ``k`` (from 0) writes ``Y_{k+1} = mu Y_k + nu Y_{k-1} + rest Y_0 + mu_dt L(Y_k) +
    gamma_dt L(Y_0)`` where :data:`AdvectiveWork` says, ``Y_0`` being ``y0``; the first rate
    ``L(Y_0)`` stays in a ring of rows of the chain's own. Without ``combine``, a chain of one
    stage writes ``L(Y_0)`` to ``out`` instead. With ``skew`` the fluxes carry the diagonals
    (:mod:`atlas.plume.diagonals`), without it they go along the axes alone (the redo of
    :mod:`atlas.plume.scheme`). Each cell's numbers are the same whatever the number of
    threads, and the same as the stages taken one by one. ``y0`` must not be ``out``.

    Returns
    -------
    sums : float64 array (stages, 2)
        Per stage, the outflow and the held inflow: the rates (concentration sums per yr) at
        which solute leaves across the edge and at sinks, and enters to keep the held cells
        fixed. The mass-rate ``sources`` (cells of ``region``) are added to the rate; their
        inflow is not returned.
    ranges : float64 array (2, 2)
        When ``combine``, the smallest and largest value of ``Y_0`` and of the result in the
        region, as :func:`atlas.plume.regions.value_range` gives them.
    """
    ny, nx = y0.shape
    stages = combinations.shape[0]
    per_row = (
        held[2],
        _source_rows(sources, ny, nx),
        np.zeros((stages, ny)),
        np.zeros((stages, ny)),
        np.zeros((4, ny), dtype=np.int64),
    )
    flags = (_run_time(combine), bool(skew))
    rows = chunk_rows(stages, ADVECTIVE_REACH)
    if _cells(region) >= PARALLEL_CELLS and region[1] - region[0] > rows:
        for phase in range(2):
            _advective_chunks(
                phase, rows, y0, region, flow, sink, inv_r_dx, sources, combinations, work,
                flags, per_row,
            )  # fmt: skip
    elif _cells(region) > 0:
        _advective_chunk(
            region[:2], y0, region, flow, sink, inv_r_dx, sources, combinations, work, flags,
            per_row,
        )  # fmt: skip
    sums = np.empty((stages, 2))
    sums[:, 0] = _ordered_sums(per_row[2], region)
    sums[:, 1] = _ordered_sums(per_row[3], region)
    return sums, _ranges(per_row[4], region)


@row_kernel
def _dispersive_sweep(
    lines: NDArray[np.int64],
    y0: FloatArray,
    region: Region,
    dispersion: Dispersion,
    inv_r_dx2: float,
    sources: Rates,
    combinations: FloatArray,
    work: ChainArrays,
    combine: bool,
    per_row: DispersiveRows,
    row: FloatArray,
) -> None:
    """The rows of :func:`schedule`'s ``lines`` of a :func:`dispersive_chain`, as
    :func:`_advective_sweep`; ``per_row`` is (held mask, rows with a source, held inflow per
    stage and row)."""
    fixed, has_source, held_inflow, keys = per_row
    stages = combinations.shape[0]
    for n in range(lines.shape[0]):
        k, j = lines[n, 0], lines[n, 1]
        combination, x, arrays = _stage(combinations, k, y0, work)
        dispersive_row(x, j, region, dispersion, inv_r_dx2, row)
        held_inflow[k, j] = _finish_row(
            x, j, region, fixed, sources, has_source[j], combination, arrays,
            k == 0, combine, row,
        )  # fmt: skip
        if combine:
            _record_ranges(k, stages, j, region, x, arrays[4], keys)


@njit(cache=True)
def _dispersive_chunk(
    chunk: tuple[int, int],
    y0: FloatArray,
    region: Region,
    dispersion: Dispersion,
    inv_r_dx2: float,
    sources: Rates,
    combinations: FloatArray,
    out: FloatArray,
    combine: bool,
    per_row: DispersiveRows,
) -> None:
    """The rows of ``chunk`` of :func:`dispersive_chain`, with their halos, on this thread."""
    stages, lag = combinations.shape[0], dispersion_reach(dispersion)
    lines = schedule(chunk, region, stages, lag)
    row = np.empty(region[3] - region[2])
    rate, pair_0, pair_1 = _rings(stages, lag, y0.shape[1], True)
    _dispersive_sweep(
        lines, y0, region, dispersion, inv_r_dx2, sources, combinations,
        (rate if combine else out, pair_0, pair_1, out), combine, per_row, row,
    )  # fmt: skip


@njit(cache=True, parallel=True)
def _dispersive_chunks(
    phase: int,
    rows: int,
    y0: FloatArray,
    region: Region,
    dispersion: Dispersion,
    inv_r_dx2: float,
    sources: Rates,
    combinations: FloatArray,
    out: FloatArray,
    combine: bool,
    per_row: DispersiveRows,
) -> None:
    """The chunks of :func:`dispersive_chain` of one ``phase``, as :func:`_advective_chunks`."""
    offsets, weights, spans = dispersion
    cells, rates = sources
    fixed, has_source, held_inflow, keys = per_row
    chunks = -(-(region[1] - region[0]) // rows)
    for m in prange((chunks - phase + 1) // 2):
        _dispersive_chunk(
            chunk(region, rows, 2 * m + phase), y0, region, (offsets, weights, spans), inv_r_dx2,
            (cells, rates), combinations, out, combine,
            (fixed, has_source, held_inflow, keys),
        )  # fmt: skip


@njit(cache=True)
def dispersive_chain(
    y0: FloatArray,
    region: Region,
    dispersion: Dispersion,
    inv_r_dx2: float,
    held: Held,
    sources: Rates,
    combinations: FloatArray,
    out: FloatArray,
    combine: bool,
) -> tuple[FloatArray, FloatArray]:
    """The stages of ``combinations`` with the dispersive and source rate ``L(x)`` of the cells
    of ``region``, as :func:`advective_chain` does, into ``out``; only exchanges between two
    cells of ``region`` count, and none crosses the model edge, so the stages between the
    first and the last are kept in rings of rows of the chain's own (they read no cell beyond
    the region). Returns the held inflow of each stage (concentration sums per yr) and the
    ranges of :func:`advective_chain`."""
    ny, nx = y0.shape
    stages = combinations.shape[0]
    per_row = (
        held[2],
        _source_rows(sources, ny, nx),
        np.zeros((stages, ny)),
        np.zeros((4, ny), dtype=np.int64),
    )
    flag = _run_time(combine)
    rows = chunk_rows(stages, dispersion_reach(dispersion))
    if _cells(region) >= PARALLEL_CELLS and region[1] - region[0] > rows:
        for phase in range(2):
            _dispersive_chunks(
                phase, rows, y0, region, dispersion, inv_r_dx2, sources, combinations, out,
                flag, per_row,
            )  # fmt: skip
    elif _cells(region) > 0:
        _dispersive_chunk(
            region[:2], y0, region, dispersion, inv_r_dx2, sources, combinations, out, flag,
            per_row,
        )  # fmt: skip
    return _ordered_sums(per_row[2], region), _ranges(per_row[3], region)


@njit(cache=True)
def _rate_only() -> FloatArray:
    """The combinations of a chain of one stage that only stores the rate (made at run time: a
    global array would be typed read-only, and every kernel of the chain compiled twice)."""
    return np.zeros((1, 5))


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
    ``rate``; returns ``(outflow, held inflow)`` as :func:`advective_chain` does."""
    sums, _ = advective_chain(
        conc, region, flow, sink, inv_r_dx, held, sources, _rate_only(), (rate, rate, rate),
        False, True,
    )  # fmt: skip
    return sums[0, 0], sums[0, 1]


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
    returns the held inflow as :func:`dispersive_chain` does."""
    return dispersive_chain(
        conc, region, dispersion, inv_r_dx2, held, sources, _rate_only(), rate, False
    )[0][0]


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
    times :data:`_SHARE_FLOOR` of a concentration scale are added to the rates, so that a rate
    of round-off size cannot swing the share (which would break symmetries such as turning the
    whole problem by 90 degrees). The scale is the larger of the source's own (rate over
    coefficient) and the highest concentration in the cell's 3 x 3 block, whose fluxes the
    rates net: where a plume passes a weak source, a net rate near zero is round-off of those
    fluxes. ``region`` must hold every source cell with a margin of one cell; ``scratch`` is
    overwritten there (and at the held cells).

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
    ny, nx = conc.shape
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
        around = conc[max(j - 1, 0) : min(j + 2, ny), max(i - 1, 0) : min(i + 2, nx)].max()
        scale = max(abs(rates[m]) / own, around) if own > 0.0 else 0.0
        floor = _SHARE_FLOOR * scale  # below it the coefficients decide the share
        by_advection = max(-scratch[0][j, i], 0.0) + own_advection * floor
        by_dispersion = max(-scratch[1][j, i], 0.0) + own_dispersion * floor
        total = by_advection + by_dispersion
        share = by_advection / total if total > 0.0 else 1.0
        to_advection[m] = rates[m] * share
    return (cells, to_advection), (cells, rates - to_advection)
