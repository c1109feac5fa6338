"""Steady heads and face velocities match closed-form 1-D solutions and the grid convention."""

import numpy as np
import pytest

from atlas.errors import GridError, ParameterError
from atlas.plume import flow, heads_solver

DAYS = flow.DAYS_PER_YEAR


def test_recharge_between_a_divide_and_a_river_gives_the_parabolic_mound():
    nx, dx, k, b, recharge, river = 50, 200.0, 5.0, 20.0, 0.05, 1000.0
    conductivity = np.full((3, nx), k)
    fixed = np.full((3, nx), np.nan)
    fixed[:, -1] = river  # the river is the last column; the west edge is the divide
    heads = flow.steady_heads(conductivity, b, dx, fixed, recharge)
    x = (np.arange(nx) + 0.5) * dx  # from the divide (the west outer face)
    length = x[-1]
    expected = river + recharge / (2 * k * DAYS * b) * (length**2 - x**2)
    np.testing.assert_allclose(heads, np.broadcast_to(expected, heads.shape), rtol=0, atol=1e-6)


def test_two_fixed_heads_give_a_linear_profile_even_in_layered_ground():
    nx, dx, b = 40, 50.0, 10.0
    k = np.where(np.arange(nx) < 15, 2.0, 30.0)[None, :].repeat(2, axis=0)
    fixed = np.full(k.shape, np.nan)
    fixed[:, 0], fixed[:, -1] = 1010.0, 1000.0
    heads = flow.steady_heads(k, b, dx, fixed)
    # series resistances between cell centres: half a cell in each cell
    resistance = np.concatenate([[0.0], np.cumsum(0.5 * dx / k[0, :-1] + 0.5 * dx / k[0, 1:])])
    expected = 1010.0 - 10.0 * resistance / resistance[-1]
    np.testing.assert_allclose(heads[0], expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(heads[1], expected, rtol=0, atol=1e-6)


def test_heads_use_the_y_up_convention():
    k = np.full((20, 5), 10.0)
    fixed = np.full(k.shape, np.nan)
    fixed[0, :], fixed[-1, :] = 100.0, 120.0  # row 0 is the south edge
    heads = flow.steady_heads(k, 10.0, 100.0, fixed)
    vx, vy = flow.darcy_face_velocities(heads, k, 0.25, 100.0)
    assert (vy[1:-1] < 0).all()  # water flows south, from high to low head
    np.testing.assert_allclose(vx, 0.0, atol=1e-9)


def test_darcy_velocity_is_conductivity_times_gradient_over_porosity():
    k = np.full((4, 30), 4.3)
    x = (np.arange(30) + 0.5) * 100.0
    heads = np.broadcast_to(1050.0 - 0.004 * x, k.shape)
    vx, vy = flow.darcy_face_velocities(heads, k, 0.25, 100.0)
    np.testing.assert_allclose(vx[:, 1:-1], 4.3 * 0.004 / 0.25 * DAYS, rtol=1e-9)
    np.testing.assert_array_equal(vx[:, [0, -1]], 0.0)
    np.testing.assert_array_equal(vy, 0.0)
    assert vx[0, 1] == pytest.approx(25.1, abs=0.1)  # HYDROGEOLOGY.md 1.5: K 4.3 m/d -> ~25 m/yr


def test_darcy_fluxes_balance_the_recharge_in_free_cells():
    rng = np.random.default_rng(1)
    k = np.exp(rng.normal(1.0, 1.0, (12, 15)))
    fixed = np.full(k.shape, np.nan)
    fixed[0, :] = 0.0
    recharge, dx, b, porosity = 0.2, 100.0, 15.0, 0.3
    heads = flow.steady_heads(k, b, dx, fixed, recharge)
    vx, vy = flow.darcy_face_velocities(heads, k, porosity, dx)
    outflow = (np.diff(vx, axis=1) + np.diff(vy, axis=0)) * porosity * b * dx  # m^3/yr per cell
    np.testing.assert_allclose(outflow[1:], recharge * dx**2, rtol=1e-8)


@pytest.mark.parametrize(
    ("direction", "east", "north"),
    [
        (0.0, 0.0, 1.0),
        (90.0, 1.0, 0.0),
        (180.0, 0.0, -1.0),
        (270.0, -1.0, 0.0),
        (45.0, 0.5**0.5, 0.5**0.5),
    ],
)
def test_uniform_velocity_direction_is_the_azimuth_flowed_toward(direction, east, north):
    vx, vy = flow.uniform_face_velocities((3, 4), 30.0, direction)
    assert (vx.shape, vy.shape) == ((3, 5), (4, 4))
    np.testing.assert_allclose(vx, 30.0 * east, atol=1e-12)
    np.testing.assert_allclose(vy, 30.0 * north, atol=1e-12)


def test_cell_velocities_average_opposite_faces():
    vx = np.array([[0.0, 2.0, 4.0]])
    vy = np.array([[1.0, 3.0], [3.0, 5.0]])
    cx, cy = flow.cell_velocities(vx, vy)
    np.testing.assert_array_equal(cx, [[1.0, 3.0]])
    np.testing.assert_array_equal(cy, [[2.0, 4.0]])


def test_no_fixed_head_is_an_error_that_says_what_to_add():
    with pytest.raises(GridError, match="at least one fixed-head cell"):
        flow.steady_heads(np.ones((3, 3)), 10.0, 10.0, np.full((3, 3), np.nan))


def test_bad_conductivity_is_located():
    k = np.ones((3, 4))
    k[2, 1] = np.nan
    with pytest.raises(GridError, match="row 2, column 1"):
        flow.steady_heads(k, 10.0, 10.0, np.zeros((3, 4)))
    with pytest.raises(GridError, match="> 0"):
        flow.steady_heads(-np.ones((3, 4)), 10.0, 10.0, np.zeros((3, 4)))


def test_shape_mismatches_are_errors():
    with pytest.raises(GridError, match="shape"):
        flow.steady_heads(np.ones((3, 4)), 10.0, 10.0, np.zeros((4, 3)))
    with pytest.raises(GridError, match=r"\(ny, nx \+ 1\)"):
        flow.cell_velocities(np.zeros((3, 4)), np.zeros((3, 4)))


def test_hydraulic_gradient_inverts_darcys_law():
    # heads falling 2 m per 500 m eastward through K = 8 m/d: the Darcy velocities give back
    # the gradient 0.004
    x_m = (np.arange(6) + 0.5) * 100.0
    heads = np.tile(100.0 - 0.004 * x_m, (3, 1))
    k = np.full((3, 6), 8.0)
    vx, _ = flow.darcy_face_velocities(heads, k, 0.2, 100.0)
    gradient = flow.hydraulic_gradient(vx[:, 1:-1], 0.2, 8.0)
    np.testing.assert_allclose(gradient, 0.004, rtol=1e-12)


def heterogeneous_aquifer(ny, nx, seed=7):
    """Log-normal K (sigma of ln K 1.5, correlated over a few cells), fixed heads on two edges
    and a river reach inside, uneven recharge."""
    rng = np.random.default_rng(seed)
    log_k = rng.normal(0.0, 1.0, (ny + 4, nx + 4))
    log_k = sum(np.roll(np.roll(log_k, a, 0), b, 1) for a in range(-2, 3) for b in range(-2, 3))
    log_k = log_k[2:-2, 2:-2]
    k = np.exp(1.0 + 1.5 * log_k / log_k.std())
    fixed = np.full((ny, nx), np.nan)
    fixed[:, 0], fixed[:, -1] = 1052.0, 1003.0
    fixed[ny // 3, nx // 2 : nx // 2 + 6] = 1011.0
    recharge = rng.uniform(0.0, 0.1, (ny, nx))
    return k, fixed, recharge


def test_multigrid_heads_equal_the_direct_solve():
    k, fixed, recharge = heterogeneous_aquifer(180, 240)
    direct = flow.steady_heads(k, 20.0, 25.0, fixed, recharge, solver="direct")
    amg = flow.steady_heads(k, 20.0, 25.0, fixed, recharge, solver="amg")
    assert np.abs(amg - direct).max() <= 1e-6
    assert np.array_equal(amg[np.isfinite(fixed)], fixed[np.isfinite(fixed)])
    # the default picks the direct solve on a grid this small
    np.testing.assert_array_equal(flow.steady_heads(k, 20.0, 25.0, fixed, recharge), direct)


def conductance_sum(k_m_per_day, thickness_m):
    """Sum of each cell's face conductances (harmonic-mean transmissivities), m^2/yr."""
    t = k_m_per_day * thickness_m * DAYS
    x_faces = 2 * t[:, :-1] * t[:, 1:] / (t[:, :-1] + t[:, 1:])
    y_faces = 2 * t[:-1] * t[1:] / (t[:-1] + t[1:])
    total = np.zeros_like(t)
    total[:, :-1] += x_faces
    total[:, 1:] += x_faces
    total[:-1] += y_faces
    total[1:] += y_faces
    return total


def test_multigrid_heads_balance_the_recharge():
    k, fixed, recharge = heterogeneous_aquifer(60, 90, seed=2)
    dx, b, porosity = 25.0, 20.0, 0.3
    heads = flow.steady_heads(k, b, dx, fixed, recharge, solver="amg")
    vx, vy = flow.darcy_face_velocities(heads, k, porosity, dx)
    outflow = (np.diff(vx, axis=1) + np.diff(vy, axis=0)) * porosity * b * dx  # m^3/yr per cell
    free = ~np.isfinite(fixed)
    # each cell balances to within what head errors of the solver's tolerance (1e-7 m) in it
    # and its neighbours can unbalance: face conductances (up to ~1e7 m^2/yr) x 2e-7 m
    imbalance = np.abs(outflow - recharge * dx**2)[free]
    allowed = conductance_sum(k, b)[free] * 2 * heads_solver.HEAD_TOLERANCE_M
    assert (imbalance <= allowed).all()
    # and the whole aquifer far closer (7e-9 measured): the cells' errors mostly cancel
    np.testing.assert_allclose(outflow[free].sum(), (recharge[free] * dx**2).sum(), rtol=1e-7)


def recharged_aquifer_with_one_river(ny, nx, seed):
    """The heterogeneous aquifer drained by one river along the west edge: recharge alone drives
    the flow, and round-off keeps even the exact heads' ``|b - A h|`` above 1e-11 ``|b|``."""
    k, fixed, recharge = heterogeneous_aquifer(ny, nx, seed=seed)
    fixed[:] = np.nan
    fixed[:, 0] = 1003.0
    return k, fixed, recharge


@pytest.mark.parametrize(("ny", "nx", "seed"), [(180, 240, 7), (300, 300, 3)])
def test_multigrid_heads_of_a_recharged_aquifer_equal_the_direct_solve(ny, nx, seed):
    # tested, not guaranteed: 1e-6 m (the solver reaches ~1e-9 m on these)
    k, fixed, recharge = recharged_aquifer_with_one_river(ny, nx, seed)
    direct = flow.steady_heads(k, 20.0, 25.0, fixed, recharge, solver="direct")
    amg = flow.steady_heads(k, 20.0, 25.0, fixed, recharge, solver="amg")
    assert np.ptp(direct) > 40.0  # tens of metres of mound over the river
    assert np.abs(amg - direct).max() <= 1e-6
    # all the recharge leaves through the river faces
    dx, b, porosity = 25.0, 20.0, 0.3
    vx, _ = flow.darcy_face_velocities(amg, k, porosity, dx)
    to_river = -vx[:, 1].sum() * porosity * b * dx
    np.testing.assert_allclose(to_river, recharge[:, 1:].sum() * dx**2, rtol=1e-9)


def test_auto_solver_uses_multigrid_above_the_direct_limit(monkeypatch):
    k, fixed, recharge = recharged_aquifer_with_one_river(90, 120, seed=5)
    direct = flow.steady_heads(k, 20.0, 25.0, fixed, recharge, solver="direct")
    monkeypatch.setattr(heads_solver, "DIRECT_MAX_CELLS", 1000)
    auto = flow.steady_heads(k, 20.0, 25.0, fixed, recharge)
    assert not np.array_equal(auto, direct)  # not the direct solve (AMG is not bit-exact)
    assert np.abs(auto - direct).max() <= 1e-6


def test_unknown_solver_is_a_parameter_error():
    k, fixed, _ = heterogeneous_aquifer(5, 6)
    with pytest.raises(ParameterError, match="solver"):
        flow.steady_heads(k, 20.0, 25.0, fixed, solver="cholesky")


def test_a_fixed_head_cell_at_the_edge_reads_the_velocity_of_the_water_through_it():
    """River along the east edge: water crosses the last column and leaves across the edge."""
    nx, dx, k, porosity = 30, 100.0, 4.3, 0.25
    conductivity = np.full((4, nx), k)
    fixed = np.full(conductivity.shape, np.nan)
    fixed[:, 0], fixed[:, -1] = 1012.0, 1000.0
    heads = flow.steady_heads(conductivity, 10.0, dx, fixed)
    vx_face, vy_face = flow.darcy_face_velocities(heads, conductivity, porosity, dx)
    vx, vy = flow.cell_velocities(vx_face, vy_face, fixed_head_m=fixed)
    expected = k * DAYS * 12.0 / ((nx - 1) * dx) / porosity  # uniform gradient between centres
    np.testing.assert_allclose(vx, expected, rtol=1e-9)  # the two fixed columns included
    np.testing.assert_allclose(vy, 0.0, atol=1e-9)
    # from the faces alone, the outflowing river column is known; the inflow column is not
    vx, _ = flow.cell_velocities(vx_face, vy_face)
    np.testing.assert_allclose(vx[:, 1:], expected, rtol=1e-9)
    np.testing.assert_allclose(vx[:, 0], expected / 2, rtol=1e-9)


def test_a_river_inside_the_grid_still_reads_the_mean_of_its_faces():
    conductivity = np.full((3, 21), 4.3)
    fixed = np.full(conductivity.shape, np.nan)
    fixed[:, 10] = 1000.0  # a river in the middle; divides at both edges
    heads = flow.steady_heads(conductivity, 10.0, 100.0, fixed, 0.1)
    faces = flow.darcy_face_velocities(heads, conductivity, 0.25, 100.0)
    vx, _ = flow.cell_velocities(*faces, fixed_head_m=fixed)
    np.testing.assert_allclose(vx[:, 10], 0.0, atol=1e-9)  # water enters from both sides
    assert (vx[:, :10] > 0).all()
    assert (vx[:, 11:] < 0).all()
    # recharged cells at the divides read half their inner face (a linear rise from 0)
    np.testing.assert_allclose(vx[:, 0], faces[0][:, 1] / 2, rtol=1e-12)
