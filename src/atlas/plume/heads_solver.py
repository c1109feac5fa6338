"""The linear system of :func:`atlas.plume.flow.steady_heads`, and its two solvers.

The free (not fixed-head) cells, numbered in row-major order, form a symmetric positive
definite five-point system ``A h = b`` (an M-matrix): the diagonal holds the sum of a cell's face
conductances, in m^2/yr, the off-diagonals minus the conductances to free neighbours, and the
right-hand side the recharge plus the conductances to fixed neighbours times their heads. It is
assembled straight into compressed sparse rows by a numba kernel (columns come out sorted, no
intermediate triplets), about 60 bytes per cell.

* ``direct``: SuperLU with minimum-degree ordering on ``A^T + A``; exact to round-off, but the
  fill-in grows like ``n^1.5`` (about a minute and several GB at 2048^2).
* ``amg``: conjugate gradients preconditioned by smoothed-aggregation algebraic multigrid
  (:mod:`atlas.plume.multigrid`); time and memory grow like the cell count, the heads are
  within 1e-6 m of the direct solve and the same bits in every run.
* ``auto``: direct up to :data:`DIRECT_MAX_CELLS` free cells (it is faster there), AMG above.

"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.linalg import spsolve

from atlas.errors import ParameterError
from atlas.plume import multigrid

__all__ = ["DIRECT_MAX_CELLS", "SOLVERS", "assemble", "solve"]

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.int32] | NDArray[np.int64]

SOLVERS = ("auto", "direct", "amg")
"""Accepted values of the ``solver`` argument of :func:`atlas.plume.flow.steady_heads`."""

DIRECT_MAX_CELLS = 512 * 512
"""``auto`` solves systems of up to this many free cells directly (SuperLU), larger ones by AMG.
AMG is the faster from about 128^2 cells (``bench/heads_bench.py``: 0.09 s against 0.36 s at
256^2, 0.4 s against 1.5 s at 512^2), but the direct solve is exact to round-off, which keeps
the water balance of scenario-sized grids closed to 1e-9 and above (AMG: about 5e-9), and
costs at most a second or two up to this size."""


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
        If the AMG iteration does not converge (:func:`atlas.plume.multigrid.solve`).
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
        free_heads = multigrid.solve(system, rhs)
    heads[number >= 0] = free_heads + reference_m
    return heads
