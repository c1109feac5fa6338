"""AMG for the heads system: its stopping rule, prolongator and cycle, and its corner cases."""

import numpy as np
import pytest
from scipy import sparse

from aquifer_cases import amg_heads, heterogeneous_aquifer
from atlas.errors import SolverError
from atlas.plume import flow, heads_solver, multigrid


def test_the_iteration_limit_is_a_solver_error(monkeypatch):
    monkeypatch.setattr(multigrid, "MAX_ITERATIONS", 2)
    with pytest.raises(SolverError, match=r"after 2 iterations.*solver='direct'"):
        amg_heads(*heterogeneous_aquifer(60, 80, seed=1))


def test_equal_fixed_heads_without_recharge_give_them_everywhere():
    k, fixed, _ = heterogeneous_aquifer(40, 50, seed=3)
    fixed[np.isfinite(fixed)] = 1003.0
    np.testing.assert_array_equal(amg_heads(k, fixed, 0.0), 1003.0)


def test_cells_with_only_fixed_neighbours_are_solved_without_coarse_levels():
    # a checkerboard of fixed heads leaves 800 free cells coupled to none: nothing to aggregate
    k, _, recharge = heterogeneous_aquifer(40, 40, seed=5)
    rows, cols = np.indices(k.shape)
    fixed = np.where((rows + cols) % 2 == 0, 1000.0 + 0.01 * cols, np.nan)
    direct = flow.steady_heads(k, 20.0, 25.0, fixed, recharge, solver="direct")
    np.testing.assert_allclose(amg_heads(k, fixed, recharge), direct, rtol=0, atol=1e-9)


@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.8])
def test_the_remaining_error_of_geometric_steps_is_the_sum_still_to_come(ratio):
    steps = 3.0 * ratio ** np.arange(400)
    for k in range(1, 10):
        estimate = multigrid.remaining_error_m(steps[k], steps[k - 1])
        still_to_come = steps[k + 1 :].sum()
        assert estimate >= still_to_come * (1 - 1e-12)
        assert estimate == pytest.approx(max(steps[k], still_to_come), rel=1e-6)


def test_steps_that_do_not_shrink_leave_an_unbounded_error():
    assert multigrid.remaining_error_m(1e-9, 1e-9) == np.inf
    assert multigrid.remaining_error_m(2e-9, 1e-9) == np.inf
    assert multigrid.remaining_error_m(1e-9, np.inf) == 1e-9  # the first step


def system(ny, nx, seed):
    k, fixed, recharge = heterogeneous_aquifer(ny, nx, seed)
    fixed[10:16, 10:16] = np.where(np.indices((6, 6)).sum(axis=0) % 2 == 0, 1005.0, np.nan)
    transmissivity = k * 20.0 * flow.DAYS_PER_YEAR
    _, indptr, indices, data, rhs = heads_solver.assemble(
        transmissivity, fixed, recharge, 25.0, np.empty(0, dtype=np.int32)
    )
    return sparse.csr_matrix((data, indices, indptr)), rhs


def test_the_prolongator_is_pyamgs_smoothed_aggregation_prolongator():
    from pyamg import aggregation

    matrix, _ = system(50, 60, seed=6)  # with free cells boxed in by fixed ones (left out)
    aggregates, _ = aggregation.standard_aggregation(matrix)
    assert (np.diff(aggregates.indptr) == 0).any()
    candidates = np.random.default_rng(0).uniform(0.5, 2.0, matrix.shape[0])
    aggregate, share, coarse = multigrid._tentative_prolongation(aggregates, candidates)
    ours = multigrid._smoothed_prolongation(matrix, aggregate, share, coarse.shape[0])
    tentative, expected_coarse = aggregation.fit_candidates(aggregates, candidates[:, None])
    expected = aggregation.jacobi_prolongation_smoother(
        matrix, tentative.tocsr(), matrix, expected_coarse, omega=4 / 3, weighting="local"
    )
    np.testing.assert_allclose(coarse, expected_coarse.ravel(), rtol=1e-14)
    np.testing.assert_allclose(ours.toarray(), expected.toarray(), rtol=0, atol=1e-14)
    assert ours.nnz == expected.nnz


def test_the_w_cycle_is_symmetric_and_positive_definite_as_conjugate_gradients_need():
    matrix, _ = system(60, 70, seed=8)
    levels, coarsest = multigrid._hierarchy(matrix)
    assert len(levels) >= 2  # a real multilevel cycle, not only the coarsest solve
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=(2, matrix.shape[0]))
    mu = multigrid._w_cycle(levels, coarsest, u)
    mv = multigrid._w_cycle(levels, coarsest, v)
    assert u @ mv == pytest.approx(v @ mu, rel=1e-12)
    assert u @ mu > 0
    assert v @ mv > 0
