"""Steady heads and face velocities match closed-form 1-D solutions and the grid convention."""

import numpy as np
import pytest

from atlas.errors import GridError
from atlas.plume import flow

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
