"""Conjugate gradients preconditioned by smoothed-aggregation algebraic multigrid: the ``amg``
solver of :func:`atlas.plume.flow.steady_heads` (see :mod:`atlas.plume.heads_solver`).

The hierarchy is built from pyamg's aggregation kernel (:func:`_hierarchy`), every level kept
in CSR, and the preconditioner is a W-cycle with pyamg's Gauss-Seidel kernels
(:func:`_w_cycle`), whose iteration count barely grows with the grid; time and memory grow like
the cell count (about 300 bytes per cell). The iteration stops when :func:`remaining_error_m`,
an estimate of the largest head error left from the size and the shrinking of the latest
steps, is at most :data:`HEAD_TOLERANCE_M` (1e-7 m, a tenth of the 1e-6 m to which the heads
must match the direct solve). On the aquifers of the tests and of ``bench/heads_bench.py``
(log-normal K with sigma ln K 1.5, up to 2048^2 cells) the heads then differ from the direct
solve by less than 4e-8 m. This is measured, not guaranteed: the estimate assumes steady
convergence. The result is the same bit for bit in every run: nothing in the set-up is random
(see :func:`_smoothed_prolongation`), and the dot products run on one BLAS thread.

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
from scipy.sparse.linalg import SuperLU, splu

from atlas.errors import SolverError

__all__ = ["HEAD_TOLERANCE_M", "MAX_ITERATIONS", "remaining_error_m", "solve"]

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.int32] | NDArray[np.int64]

HEAD_TOLERANCE_M = 1e-7
"""Largest head error (m) that the iteration may leave, as :func:`remaining_error_m`
estimates it: a tenth of the 1e-6 m within which the heads must equal the direct solve."""

MAX_ITERATIONS = 200
"""Conjugate-gradient iterations after which :func:`solve` gives up (17 at 2048^2 cells)."""

_COARSEST_CELLS = 500
"""Coarsening stops at this many unknowns; SuperLU solves that level."""

_PROLONGATION_DAMPING = 4.0 / 3.0
"""``omega`` of the Jacobi smoothing of the tentative prolongator (pyamg's default)."""


@dataclass(frozen=True)
class _Level:
    """One level of the multigrid hierarchy: its operator and the transfers to the next level."""

    operator: sparse.csr_matrix
    prolongation: sparse.csr_matrix
    restriction: sparse.csr_matrix


def solve(system: sparse.csr_matrix, rhs: FloatArray) -> FloatArray:
    """Solution of ``system x = rhs`` (SPD, CSR) by conjugate gradients preconditioned by the
    W-cycle, to the head error :data:`HEAD_TOLERANCE_M` (see the module).

    Raises
    ------
    atlas.errors.SolverError
        If that takes more than :data:`MAX_ITERATIONS` iterations.
    """
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
    gradients require: one forward sweep before and one backward after on the two finest
    levels, a forward and a backward sweep before and after on the coarser ones (where they
    cost little). The coarse level is visited twice (a W-cycle). On the aquifer of
    ``bench/heads_bench.py`` at 2048^2 cells conjugate gradients then need 17 iterations, in
    40 % of the time of the 50 that a V-cycle with one sweep each way needs (and 15 % less
    than with both sweeps on the second level too, which needs as many iterations).
    """
    from pyamg.relaxation.relaxation import gauss_seidel

    if depth == len(levels):
        return np.asarray(coarsest.solve(rhs), dtype=float)
    level = levels[depth]
    before, after = ("forward", "backward") if depth < 2 else ("symmetric", "symmetric")
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
        If that takes more than :data:`MAX_ITERATIONS` iterations.
    """
    heads = np.zeros_like(rhs)
    residual = rhs.copy()
    direction = precondition(residual)
    rz = float(residual @ direction)
    previous_step_m = np.inf
    step_m = np.inf
    for _ in range(MAX_ITERATIONS):
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
        f"after {MAX_ITERATIONS} iterations (target {HEAD_TOLERANCE_M:.0e} m); use "
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
