"""The linear system of :func:`atlas.plume.flow.steady_heads`, and its two solvers.

The free (not fixed-head) cells, numbered in row-major order, form a symmetric positive
definite five-point system ``A h = b`` (an M-matrix): the diagonal holds the sum of a cell's face
conductances, in m^2/yr, the off-diagonals minus the conductances to free neighbours, and the
right-hand side the recharge plus the conductances to fixed neighbours times their heads. It is
assembled straight into compressed sparse rows by a numba kernel (columns come out sorted, no
intermediate triplets), about 60 bytes per cell.

* ``direct``: SuperLU with minimum-degree ordering on ``A^T + A``; exact to round-off, but the
  fill-in grows like ``n^1.5`` (about a minute and several GB at 2048^2).
* ``amg``: conjugate gradients preconditioned by a smoothed-aggregation algebraic multigrid
  W-cycle built from pyamg's aggregation and Gauss-Seidel kernels (:func:`_hierarchy`), whose
  iteration count barely grows with the grid; time and memory grow like the cell count (about
  300 bytes per cell). It stops when :func:`remaining_error_m`, an estimate of the largest head
  error left from the size and the shrinking of the latest steps, is at most
  :data:`HEAD_TOLERANCE_M` (1e-7 m, a tenth of the 1e-6 m to which the heads must match the
  direct solve). On the aquifers of the tests and of ``bench/heads_bench.py`` (log-normal K
  with sigma ln K 1.5, up to 2048^2 cells) the heads then differ from the direct solve by at
  most 3e-8 m. This is measured, not guaranteed: the estimate assumes steady convergence.
  The result is the same bit for bit in every run: nothing in the set-up is random (see
  :func:`_smoothed_prolongation`), and the dot products run on one BLAS thread.
* ``auto``: direct up to :data:`DIRECT_MAX_CELLS` free cells (it is faster there), AMG above.

References
----------
Vanek, P., Mandel, J. and Brezina, M. (1996). Algebraic multigrid by smoothed aggregation for
second and fourth order elliptic problems. Computing 56, 179-196.
Bell, N., Olson, L. N., Schroder, J. and Southworth, B. (2023). PyAMG: algebraic multigrid
solvers in Python. Journal of Open Source Software 8(87), 5495.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray
from scipy import sparse
from scipy.linalg.blas import daxpy as axpy
from scipy.sparse.linalg import SuperLU, splu, spsolve

from atlas.errors import ParameterError, SolverError

__all__ = [
    "DIRECT_MAX_CELLS",
    "HEAD_TOLERANCE_M",
    "SOLVERS",
    "assemble",
    "remaining_error_m",
    "solve",
]

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.int32] | NDArray[np.int64]

SOLVERS = ("auto", "direct", "amg")
"""Accepted values of the ``solver`` argument of :func:`atlas.plume.flow.steady_heads`."""

DIRECT_MAX_CELLS = 128 * 128
"""``auto`` solves systems of up to this many free cells directly (SuperLU), larger ones by AMG:
in ``bench/heads_bench.py`` both take about 0.05 s at 128^2 cells, the direct solve is faster
below and AMG above (0.09 s against 0.36 s at 256^2)."""

HEAD_TOLERANCE_M = 1e-7
"""Largest head error (m) that the AMG iteration may leave, as :func:`remaining_error_m`
estimates it: a tenth of the 1e-6 m within which the heads must equal the direct solve."""

_AMG_MAX_ITERATIONS = 200
_COARSEST_CELLS = 500
"""Coarsening stops at this many unknowns; SuperLU solves that level."""
_PROLONGATION_DAMPING = 4.0 / 3.0
"""``omega`` of the Jacobi smoothing of the tentative prolongator (pyamg's default)."""


@njit(cache=True)
def _harmonic(a: float, b: float) -> float:
    return 2.0 * a * b / (a + b)


@njit(cache=True)
def assemble(
    transmissivity_m2_per_yr: FloatArray,
    fixed_head_m: FloatArray,
    recharge_m_per_yr: FloatArray,
    cell_size_m: float,
    index_like: IndexArray,
) -> tuple[NDArray[np.int64], IndexArray, IndexArray, FloatArray, FloatArray]:
    """CSR system of the free cells.

    Returns ``(number, indptr, indices, data, rhs)``: ``number`` (ny, nx) is each free cell's
    unknown (-1 where the head is fixed); the rest is the matrix in CSR form (m^2/yr), whose
    index arrays take the integer type of ``index_like`` (int32 halves their memory while it
    holds the count, and pyamg's kernels want it), and the right-hand side (m^3/yr).
    """
    ny, nx = transmissivity_m2_per_yr.shape
    number = np.full((ny, nx), -1, dtype=np.int64)
    n_free = 0
    for j in range(ny):
        for i in range(nx):
            if np.isnan(fixed_head_m[j, i]):
                number[j, i] = n_free
                n_free += 1
    indptr = np.zeros(n_free + 1, dtype=index_like.dtype)
    for j in range(ny):
        for i in range(nx):
            k = number[j, i]
            if k < 0:
                continue
            count = 1
            if j > 0 and number[j - 1, i] >= 0:
                count += 1
            if i > 0 and number[j, i - 1] >= 0:
                count += 1
            if i < nx - 1 and number[j, i + 1] >= 0:
                count += 1
            if j < ny - 1 and number[j + 1, i] >= 0:
                count += 1
            indptr[k + 1] = count
    for k in range(n_free):
        indptr[k + 1] += indptr[k]
    indices = np.empty(indptr[n_free], dtype=index_like.dtype)
    data = np.empty(indptr[n_free])
    rhs = np.empty(n_free)
    area = cell_size_m * cell_size_m
    t = transmissivity_m2_per_yr
    for j in range(ny):
        for i in range(nx):
            k = number[j, i]
            if k < 0:
                continue
            pos = indptr[k]
            diagonal_pos = pos
            diagonal = 0.0
            b = recharge_m_per_yr[j, i] * area
            # neighbours in column order: south, west, (self), east, north
            for dj, di in ((-1, 0), (0, -1), (0, 0), (0, 1), (1, 0)):
                if dj == 0 and di == 0:
                    diagonal_pos = pos
                    indices[pos] = k
                    pos += 1
                    continue
                jj, ii = j + dj, i + di
                if jj < 0 or jj >= ny or ii < 0 or ii >= nx:
                    continue  # no-flow outer face
                c = _harmonic(t[j, i], t[jj, ii])
                diagonal += c
                if number[jj, ii] >= 0:
                    indices[pos] = number[jj, ii]
                    data[pos] = -c
                    pos += 1
                else:
                    b += c * fixed_head_m[jj, ii]
            data[diagonal_pos] = diagonal
            rhs[k] = b
    return number, indptr, indices, data, rhs


def solve(
    transmissivity_m2_per_yr: FloatArray,
    fixed_head_m: FloatArray,
    recharge_m_per_yr: FloatArray,
    cell_size_m: float,
    solver: str = "auto",
) -> FloatArray:
    """Heads (m) of every cell: the fixed ones as given, the free ones from the system.

    Raises
    ------
    atlas.errors.ParameterError
        If ``solver`` is not one of :data:`SOLVERS`.
    atlas.errors.SolverError
        If the AMG iteration does not reach :data:`HEAD_TOLERANCE_M` within 200 iterations.
    """
    if solver not in SOLVERS:
        raise ParameterError(f"solver must be one of {SOLVERS!r}, got {solver!r}")
    # relative to a reference head, the right-hand side and the iterates scale with the head
    # differences, not with the heads: round-off is then relative to metres, not to an altitude
    reference_m = float(np.nanmean(fixed_head_m))
    index_like: IndexArray = (
        np.empty(0, dtype=np.int32)
        if 5 * fixed_head_m.size < np.iinfo(np.int32).max  # at most 5 entries per cell
        else np.empty(0, dtype=np.int64)
    )
    number, indptr, indices, data, rhs = assemble(
        transmissivity_m2_per_yr,
        fixed_head_m - reference_m,
        recharge_m_per_yr,
        cell_size_m,
        index_like,
    )
    n_free = rhs.shape[0]
    heads = np.array(fixed_head_m, dtype=float)
    if n_free == 0:
        return heads
    system = sparse.csr_matrix((data, indices, indptr), shape=(n_free, n_free))
    del data, indices, indptr
    if solver == "direct" or (solver == "auto" and n_free <= DIRECT_MAX_CELLS):
        free_heads = spsolve(system.tocsc(), rhs, permc_spec="MMD_AT_PLUS_A")
    else:
        free_heads = _amg(system, rhs)
    heads[number >= 0] = free_heads + reference_m
    return heads


@dataclass(frozen=True)
class _Level:
    """One level of the multigrid hierarchy: its operator and the transfers to the next level."""

    operator: sparse.csr_matrix
    prolongation: sparse.csr_matrix
    restriction: sparse.csr_matrix


def _amg(system: sparse.csr_matrix, rhs: FloatArray) -> FloatArray:
    """Conjugate gradients preconditioned by a smoothed-aggregation W-cycle (see the module)."""
    from threadpoolctl import threadpool_limits

    # the dot products and the coarsest solve are too short for threaded BLAS (on a busy 2-core
    # machine OpenBLAS threads made the solve 7x slower), and one thread sums in a fixed order
    with threadpool_limits(limits=1, user_api="blas"):
        levels, coarsest = _hierarchy(system)
        return _conjugate_gradients(system, rhs, lambda r: _w_cycle(levels, coarsest, r))


def _hierarchy(system: sparse.csr_matrix) -> tuple[list[_Level], SuperLU]:
    """Levels of a smoothed-aggregation hierarchy, and the factorised coarsest operator.

    pyamg's standard aggregation with every coupling strong (a strength threshold of 0, read
    from the operator's own pattern, which is all the aggregation reads), the constant as the
    near-null-space candidate, and one Jacobi smoothing of the tentative prolongator; every
    matrix kept in CSR (pyamg's own set-up keeps the coarse levels in 1 x 1-block BSR, whose
    products and smoothers run 2-10x slower) and coarsened until at most
    :data:`_COARSEST_CELLS` unknowns remain, which SuperLU factorises.
    """
    from pyamg.aggregation import standard_aggregation

    levels: list[_Level] = []
    operator = system
    candidates = np.ones(operator.shape[0])
    while operator.shape[0] > _COARSEST_CELLS:
        aggregates, _ = standard_aggregation(operator)
        if aggregates.nnz == 0:
            break  # no row is coupled to another: the operator is diagonal
        aggregate, share, candidates = _tentative_prolongation(aggregates, candidates)
        del aggregates
        prolongation = _smoothed_prolongation(operator, aggregate, share, candidates.shape[0])
        del aggregate, share
        restriction = prolongation.T.tocsr()
        levels.append(_Level(operator, prolongation, restriction))
        operator = sparse.csr_matrix(restriction @ (operator @ prolongation))
    return levels, splu(operator.tocsc(), permc_spec="MMD_AT_PLUS_A")


def _tentative_prolongation(
    aggregates: sparse.csr_matrix, candidates: FloatArray
) -> tuple[NDArray[np.int64], FloatArray, FloatArray]:
    """Tentative prolongator ``T`` from one near-null-space vector, and the coarse candidates.

    ``T`` maps each aggregate to its cells' share of the candidate vector, normalised over the
    aggregate, and the coarse candidate is that norm: what pyamg's ``fit_candidates`` computes
    by a QR factorisation per aggregate. ``aggregates`` has one entry in every aggregated row
    and none in a row left out (a cell without free neighbours). Returns ``(aggregate, share,
    coarse candidates)``: each row's aggregate (-1 if left out) and its one entry of ``T``.
    """
    return _tentative_arrays(aggregates.indptr, aggregates.indices, candidates, aggregates.shape[1])


@njit(cache=True)
def _tentative_arrays(
    indptr: IndexArray, indices: IndexArray, candidates: FloatArray, n_coarse: int
) -> tuple[NDArray[np.int64], FloatArray, FloatArray]:
    """The arrays of :func:`_tentative_prolongation`, in two passes over the rows."""
    n = indptr.shape[0] - 1
    aggregate = np.full(n, -1, dtype=np.int64)
    norms = np.zeros(n_coarse)
    for i in range(n):
        if indptr[i + 1] > indptr[i]:
            aggregate[i] = indices[indptr[i]]
            norms[aggregate[i]] += candidates[i] * candidates[i]
    norms = np.sqrt(norms)
    share = np.zeros(n)
    for i in range(n):
        if aggregate[i] >= 0:
            share[i] = candidates[i] / norms[aggregate[i]]
    return aggregate, share, norms


def _smoothed_prolongation(
    operator: sparse.csr_matrix, aggregate: NDArray[np.int64], share: FloatArray, n_coarse: int
) -> sparse.csr_matrix:
    """``P = (I - omega W A) T``: one damped Jacobi step on the tentative prolongator ``T``.

    ``W`` holds the inverse Gershgorin bound of each row, ``1 / sum_j |a_ij|`` (pyamg's
    ``weighting='local'``), and ``omega`` = 4/3: the prolongator of pyamg's
    ``jacobi_prolongation_smoother(A, T, A, B, weighting="local")``, built row by row in one
    pass instead of through a sparse product, a difference and three copies of ``A``. pyamg's
    default weighting divides by the spectral radius of ``D^-1 A`` instead, which it estimates
    by Arnoldi iteration from a random start vector: the hierarchy, and so the heads' last
    bits, then change from run to run. The Gershgorin weights need no estimate; on the
    five-point operator they equal the spectral radius weighting away from the fixed heads
    (``sum_j |a_ij| = 2 a_ii``).
    """
    indptr, indices, data = _smoothed_prolongation_csr(
        operator.indptr, operator.indices, operator.data, aggregate, share, n_coarse,
        _PROLONGATION_DAMPING,
    )  # fmt: skip
    return sparse.csr_matrix((data, indices, indptr), shape=(operator.shape[0], n_coarse))


@njit(cache=True)
def _smoothed_prolongation_csr(
    indptr: IndexArray,
    indices: IndexArray,
    data: FloatArray,
    aggregate: NDArray[np.int64],
    share: FloatArray,
    n_coarse: int,
    damping: float,
) -> tuple[IndexArray, IndexArray, FloatArray]:
    """CSR arrays of :func:`_smoothed_prolongation`: row ``i`` holds, for every aggregate ``c``
    of its neighbours (itself included), ``T_ic - damping / sum_j |a_ij| * sum_j a_ij T_jc``.
    Every row holds its diagonal, so no row sum is zero; columns come in order of appearance."""
    n = indptr.shape[0] - 1
    seen_in_row = np.full(n_coarse, -1, dtype=np.int64)
    slot = np.empty(n_coarse, dtype=np.int64)
    p_indptr = np.zeros(n + 1, dtype=indptr.dtype)
    for i in range(n):
        count = 0
        for k in range(indptr[i], indptr[i + 1]):
            c = aggregate[indices[k]]
            if c >= 0 and seen_in_row[c] != i:
                seen_in_row[c] = i
                count += 1
        p_indptr[i + 1] = p_indptr[i] + count
    p_indices = np.empty(p_indptr[n], dtype=indptr.dtype)
    p_data = np.empty(p_indptr[n])
    seen_in_row[:] = -1
    for i in range(n):
        row_sum = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            row_sum += abs(data[k])
        weight = damping / row_sum
        end = p_indptr[i]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            c = aggregate[j]
            if c < 0:
                continue
            if seen_in_row[c] != i:
                seen_in_row[c] = i
                slot[c] = end
                p_indices[end] = c
                p_data[end] = 0.0
                end += 1
            p_data[slot[c]] -= weight * data[k] * share[j]
        if aggregate[i] >= 0:  # present: the diagonal entry put it there
            p_data[slot[aggregate[i]]] += share[i]
    return p_indptr, p_indices, p_data


def _w_cycle(
    levels: list[_Level], coarsest: SuperLU, rhs: FloatArray, depth: int = 0
) -> FloatArray:
    """Approximate ``A^-1 rhs`` on level ``depth``: a symmetric W-cycle from a zero guess.

    Gauss-Seidel sweeps smooth before the coarse correction and the same sweeps in reverse
    order after it, so that the cycle is a symmetric positive definite operator, as conjugate
    gradients require: one forward sweep before and one backward after on the finest level,
    a forward and a backward sweep before and after on the coarser ones (where they cost less).
    The coarse level is visited twice (a W-cycle). On the aquifer of ``bench/heads_bench.py``
    at 2048^2 cells conjugate gradients then need 17 iterations, in half the time of the 50
    that a V-cycle with one sweep each way needs.
    """
    from pyamg.relaxation.relaxation import gauss_seidel

    if depth == len(levels):
        return np.asarray(coarsest.solve(rhs), dtype=float)
    level = levels[depth]
    before, after = ("forward", "backward") if depth == 0 else ("symmetric", "symmetric")
    heads = np.zeros_like(rhs)
    gauss_seidel(level.operator, heads, rhs, sweep=before)
    residual = level.operator @ heads
    np.subtract(rhs, residual, out=residual)  # in place: no second grid-sized array
    coarse_rhs = level.restriction @ residual
    del residual
    correction = _w_cycle(levels, coarsest, coarse_rhs, depth + 1)
    if depth + 1 < len(levels):  # the coarsest level is solved exactly: once is enough
        coarse_residual = coarse_rhs - levels[depth + 1].operator @ correction
        correction += _w_cycle(levels, coarsest, coarse_residual, depth + 1)
    heads += level.prolongation @ correction
    gauss_seidel(level.operator, heads, rhs, sweep=after)
    return heads


def _conjugate_gradients(
    system: sparse.csr_matrix, rhs: FloatArray, precondition: Callable[[FloatArray], FloatArray]
) -> FloatArray:
    """Preconditioned conjugate gradients from zero heads until :func:`remaining_error_m` of
    the latest step is at most :data:`HEAD_TOLERANCE_M`.

    Raises
    ------
    atlas.errors.SolverError
        If that takes more than :data:`_AMG_MAX_ITERATIONS` iterations.
    """
    heads = np.zeros_like(rhs)
    residual = rhs.copy()
    direction = precondition(residual)
    rz = float(residual @ direction)
    previous_step_m = np.inf
    step_m = np.inf
    for _ in range(_AMG_MAX_ITERATIONS):
        if rz <= 0.0:
            return heads  # the residual is zero: these heads are exact
        product = system @ direction
        alpha = rz / float(direction @ product)
        axpy(direction, heads, a=alpha)  # in place, elementwise: no temporary array
        axpy(product, residual, a=-alpha)
        step_m = abs(alpha) * max(float(direction.max()), -float(direction.min()))
        if remaining_error_m(step_m, previous_step_m) <= HEAD_TOLERANCE_M:
            return heads
        previous_step_m = step_m
        preconditioned = precondition(residual)
        rz_next = float(residual @ preconditioned)
        direction *= rz_next / rz
        direction += preconditioned
        rz = rz_next
    raise SolverError(
        f"steady heads: conjugate gradients with AMG still changed the heads by {step_m:.1e} m "
        f"after {_AMG_MAX_ITERATIONS} iterations (target {HEAD_TOLERANCE_M:.0e} m); use "
        "solver='direct' on grids that fit in memory"
    )


def remaining_error_m(step_m: float, previous_step_m: float) -> float:
    """Estimate (m) of the largest head error left after a conjugate-gradient step.

    The steps of a converging iteration shrink roughly geometrically, by ``q`` = ``step_m /
    previous_step_m`` each, so the steps still to come add up to ``step_m q / (1 - q)``; the
    estimate is that, and at least ``step_m`` (the error the latest step corrected, which the
    next ones rarely undercut), and infinite while the steps do not shrink. Both are the
    largest change of any cell's head (m).
    """
    ratio = step_m / previous_step_m
    if not ratio < 1.0:
        return np.inf
    return step_m * max(1.0, ratio / (1.0 - ratio))
