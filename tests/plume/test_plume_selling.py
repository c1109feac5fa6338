"""Selling's decomposition of the dispersion tensor, and where it is regularised.

The tensor of a cell is ``alpha_T |v| I + (alpha_L - alpha_T) v v^T / |v| + D_m I``; its
decomposition must give it back exactly, except for oblique tensors whose stencil would reach
farther than five cells, whose smaller principal value is raised to exactly
``MIN_PRINCIPAL_RATIO`` of the larger.
"""

import math

import numpy as np
import pytest

from atlas.plume import analytic, flow
from atlas.plume import selling as selling_module
from atlas.plume.fluxes import dispersive_weight, dispersive_weights
from atlas.plume.selling import (
    MIN_PRINCIPAL_RATIO,
    _cell_decompositions,
    _decompose_cells,
    pair_dispersion,
    selling,
)
from atlas.plume.transport import TransportParameters, simulate


def rebuilt(offsets, weights):
    """``sum rho e e^T`` of a decomposition."""
    return sum(w * np.outer(e, e) for e, w in zip(offsets, weights, strict=True))


def cell_tensor(vx, vy, alpha_l, alpha_t, diffusion=0.0):
    """The tensor the scheme uses for one cell of velocity (vx, vy), and its farthest offset."""
    offsets, weights = _cell_decompositions(
        np.array([[vx]]), np.array([[vy]]), alpha_l, alpha_t, diffusion
    )
    used = weights[0, 0] > 0
    reach = int(np.abs(offsets[0, 0][used]).max()) if used.any() else 0
    return rebuilt(offsets[0, 0].astype(float), weights[0, 0]), reach


def test_selling_gives_back_random_tensors_with_non_negative_weights():
    rng = np.random.default_rng(4)
    for _ in range(3000):
        angle = rng.uniform(0.0, math.pi)
        largest = 10 ** rng.uniform(-3.0, 4.0)
        smallest = largest / 10 ** rng.uniform(0.0, 2.0)
        turn = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        tensor = turn @ np.diag([largest, smallest]) @ turn.T
        offsets, weights = selling(tensor[0, 0], tensor[0, 1], tensor[1, 1])
        assert weights.min() >= 0.0
        np.testing.assert_allclose(rebuilt(offsets, weights), tensor, rtol=0, atol=1e-13 * largest)
        assert np.abs(offsets[weights > 0]).max() <= 5


@pytest.mark.parametrize("direction_deg", [0.0, 90.0, 180.0, 270.0, -90.0, 450.0])
def test_flow_along_an_axis_keeps_the_tensor_as_given(direction_deg):
    # sin(180 deg) = 1.2e-16 once made the flow 'oblique' and alpha_T ten times too large
    v, alpha_l, alpha_t = 30.0, 100.0, 0.1
    vx, vy = flow.uniform_face_velocities((1, 1), v, direction_deg)
    assert 0.0 in (vx[0, 0], vy[0, 0])
    tensor, reach = cell_tensor(vx[0, 0], vy[0, 0], alpha_l, alpha_t)
    along_x = vx[0, 0] != 0.0
    expected = np.diag([alpha_l * v, alpha_t * v] if along_x else [alpha_t * v, alpha_l * v])
    np.testing.assert_allclose(tensor, expected, rtol=1e-14, atol=0)
    assert reach == 1


@pytest.mark.parametrize("alpha_t", [0.0, 0.001, 0.01])
def test_oblique_regularisation_is_exactly_the_stated_ratio_and_only_where_needed(alpha_t):
    v, alpha_l, diffusion = 25.0, 10.0, 0.0
    regularised = 0
    for angle_deg in np.linspace(0.05, 89.95, 400):
        heading = math.radians(angle_deg)
        along = np.array([math.cos(heading), math.sin(heading)])
        across = np.array([-along[1], along[0]])
        exact = alpha_t * v * np.eye(2) + (alpha_l - alpha_t) * v * np.outer(along, along)
        tensor, reach = cell_tensor(v * along[0], v * along[1], alpha_l, alpha_t, diffusion)
        assert reach <= 5
        # the longitudinal value and the principal directions are never changed
        assert along @ tensor @ along == pytest.approx(alpha_l * v, rel=1e-12)
        assert across @ tensor @ along == pytest.approx(0.0, abs=1e-12 * alpha_l * v)
        transverse = across @ tensor @ across
        if transverse == pytest.approx(alpha_t * v, rel=1e-9, abs=1e-12 * alpha_l * v):
            np.testing.assert_allclose(tensor, exact, rtol=0, atol=1e-12 * alpha_l * v)
        else:
            regularised += 1
            assert transverse == pytest.approx(MIN_PRINCIPAL_RATIO * alpha_l * v, rel=1e-12)
            # only where the exact tensor's decomposition would outgrow five cells
            exact_offsets, _ = selling(exact[0, 0], exact[0, 1], exact[1, 1])
            assert np.abs(exact_offsets).max() > 5
    assert regularised > 100  # the rule is exercised


def test_a_decomposition_reaching_beyond_its_storage_is_an_error(monkeypatch):
    # the regularisation keeps every weighted offset within five cells; with it switched off
    # (the pure-Python function, so that the module's constant can be patched) an oblique
    # tensor with alpha_T = alpha_L / 10^6 would reach farther than its int8 storage holds
    heading = math.radians(37.0)
    v, alpha_l, alpha_t = 25.0, 10.0, 1e-5
    along = np.array([math.cos(heading), math.sin(heading)])
    exact = alpha_t * v * np.eye(2) + (alpha_l - alpha_t) * v * np.outer(along, along)
    offsets, weights = selling(exact[0, 0], exact[0, 1], exact[1, 1])
    assert np.abs(offsets[weights > 0]).max() > 8
    monkeypatch.setattr(selling_module, "_REGULARISED_REACH", 10**6)
    with pytest.raises(ArithmeticError, match="farther than 8 cells"):
        _decompose_cells.py_func(
            np.array([[v * along[0]]]), np.array([[v * along[1]]]), alpha_l, alpha_t, 0.0,
            np.empty((1, 1, 3, 2), np.int8), np.empty((1, 1, 3)),
        )  # fmt: skip


def test_a_tensor_of_subnormal_size_counts_as_none():
    """alpha_L = 5e-324 m with alpha_T = 0 (found by the property tests): Selling's tolerance
    underflows and the regularised decomposition reached beyond its storage, an error; such a
    tensor now has no exchanges, while one a little larger keeps its own."""
    vx = np.array([[0.0, 29.01699525, 60.97540395, 0.0], [0.0, -28.85330755, 1343.12359339, 0.0]])
    vy = np.array([[0.0, 0.0, 0.0], [-28.9351514, -31.87656484, 61.0572478], [0.0, 0.0, 0.0]])
    offsets = pair_dispersion(vx, vy, 5e-324, 0.0, 0.0)[0]
    assert offsets.shape[0] == 0
    for direction_deg in np.linspace(0.0, 180.0, 37):
        along = (math.cos(math.radians(direction_deg)), math.sin(math.radians(direction_deg)))
        assert cell_tensor(25.0 * along[0], 25.0 * along[1], 5e-324, 0.0)[1] == 0
        tensor, _ = cell_tensor(25.0 * along[0], 25.0 * along[1], 1e-270, 1e-272)
        assert np.trace(tensor) == pytest.approx(25.0 * (1e-270 + 1e-272), rel=1e-9)
        # the degenerate tensor (alpha_T = 0) just above the limit: regularised, not an error
        tensor, reach = cell_tensor(25.0 * along[0], 25.0 * along[1], 4e-281, 0.0)
        assert reach <= 5
        assert 1e-279 * (1 - 1e-9) <= np.trace(tensor) <= 1e-279 * (1 + 1.01 * MIN_PRINCIPAL_RATIO)


def test_tensors_above_the_ratio_are_never_changed():
    v, alpha_l, alpha_t = 20.0, 100.0, 1.0  # alpha_T = alpha_L / 100: nothing to regularise
    for angle_deg in np.linspace(0.0, 180.0, 361):
        heading = math.radians(angle_deg)
        along = np.array([math.cos(heading), math.sin(heading)])
        exact = alpha_t * v * np.eye(2) + (alpha_l - alpha_t) * v * np.outer(along, along)
        tensor, _ = cell_tensor(v * along[0], v * along[1], alpha_l, alpha_t)
        np.testing.assert_allclose(tensor, exact, rtol=0, atol=1e-12 * alpha_l * v)


AQUIFER = {"effective_porosity": 0.25, "thickness_m": 10.0}


@pytest.mark.parametrize("direction_deg", [0.0, 90.0, 180.0, 270.0])
def test_axis_plume_with_alpha_t_a_thousandth_of_alpha_l_keeps_its_transverse_spread(
    direction_deg,
):
    v, alpha_l, alpha_t, dx = 20.0, 10.0, 0.01, 2.0
    start_age, run_yr = 50.0, 25.0
    end_age = start_age + run_yr
    sigma_l, sigma_t = (math.sqrt(2 * a * v * end_age) for a in (alpha_l, alpha_t))
    n_along = int((v * run_yr + 10 * sigma_l) / dx)
    n_across = 2 * int(5 * sigma_t / dx) + 1
    along_x = direction_deg in (90.0, 270.0)
    shape = (n_across, n_along) if along_x else (n_along, n_across)
    y, x = np.indices(shape) * dx + dx / 2
    east, north = x - shape[1] * dx / 2, y - shape[0] * dx / 2
    sign = 1.0 if direction_deg in (0.0, 90.0) else -1.0
    along = sign * (east if along_x else north) + v * run_yr / 2 + v * start_age
    across = north if along_x else east
    keywords = {
        "velocity_m_per_yr": v,
        "longitudinal_dispersion_m2_per_yr": v * alpha_l,
        "transverse_dispersion_m2_per_yr": v * alpha_t,
        **AQUIFER,
    }

    def exact(age):  # released upstream, out of the grid, start_age years before the run
        return analytic.instantaneous_point_2d(along, across, age, 1000.0, **keywords)

    vx, vy = flow.uniform_face_velocities(shape, v, direction_deg)
    result = simulate(
        cell_size_m=dx,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=TransportParameters(
            longitudinal_dispersivity_m=alpha_l, transverse_dispersivity_m=alpha_t, **AQUIFER
        ),
        output_times_yr=[run_yr],
        initial_mg_per_l=exact(start_age),
    )
    simulated, expected = result.concentration_mg_per_l[-1], exact(end_age)

    def across_variance(c):
        return float((c * across**2).sum() / c.sum())

    # the conservative three-point exchange adds 2 D_T t to the discrete variance (the old
    # regularisation added ten times as much)
    added = across_variance(simulated) - across_variance(exact(start_age))
    assert added == pytest.approx(2 * v * alpha_t * run_yr, rel=1e-3)
    assert np.abs(simulated - expected).max() <= 0.01 * expected.max()
    assert np.abs(result.mass_balance_error_kg).max() <= 1e-12 * result.initial_mass_kg


def _turning_field(n=41, seed=3):
    """Face velocities of a field whose direction and speed vary from cell to cell (m/yr), with
    some still cells: many offsets, each weighing over part of a row only."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0.0, 2.0 * math.pi, (n + 1, n + 1))
    speed = rng.lognormal(3.0, 1.0, (n + 1, n + 1)) * (rng.random((n + 1, n + 1)) > 0.1)
    return (speed * np.cos(angle))[:n, :], (speed * np.sin(angle))[:, :n]


@pytest.mark.parametrize("alpha_t", [10.0, 1.0, 0.0])
def test_spans_hold_every_nonzero_pair_weight_and_end_on_one(alpha_t):
    offsets, weights, spans = pair_dispersion(*_turning_field(), 100.0, alpha_t, 0.0)
    assert offsets.shape[0] > 3  # the field turns: more than one superbase
    partial = 0
    for k in range(offsets.shape[0]):
        for j in range(weights.shape[1]):
            nonzero = np.flatnonzero(weights[k, j])
            expected = (nonzero[0], nonzero[-1] + 1) if nonzero.size else (0, 0)
            assert tuple(spans[k, j]) == expected
            partial += nonzero.size > 0 and expected != (0, weights.shape[2])
    assert partial > 0  # some spans are shorter than the row


def test_dispersive_weights_are_the_sums_of_each_cells_exchanges():
    offsets, weights, spans = pair_dispersion(*_turning_field(), 50.0, 5.0, 1.0)
    ny, nx = weights.shape[1:]
    expected = weights.sum(axis=0)
    for k, (ex, ey) in enumerate(offsets):  # the exchange with (j - ey, i - ex), held there
        expected[ey:, max(ex, 0) : nx + min(ex, 0)] += weights[
            k, : ny - ey, max(-ex, 0) : nx - max(ex, 0)
        ]
    row = np.empty(nx)
    for j in range(ny):
        dispersive_weights((offsets, weights, spans), j, (0, nx), row)
        np.testing.assert_allclose(row, expected[j], rtol=1e-14, atol=0)
        assert dispersive_weight((offsets, weights, spans), j, nx // 2) == row[nx // 2]
