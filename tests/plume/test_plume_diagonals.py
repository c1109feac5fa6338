"""The diagonal part of the advective fluxes (atlas.plume.diagonals, atlas.plume.fluxes): each
half-path has one speed on both faces it crosses, uniform flow splits along an axis and a
diagonal, the advective rate keeps a cell at the minimum from falling and one at the maximum from
rising on Darcy fields, and a converging flow mirrored gives the mirrored plume."""

import math

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from atlas.plume import flow, scheme, stages
from atlas.plume.half_paths import half_paths

NO_RATES = (np.zeros(0, np.int64), np.zeros(0))


def _holds(mask: np.ndarray, value: float):
    return np.flatnonzero(mask), np.full(int(mask.sum()), value), mask


def _darcy(seed: int, n: int = 40, dx: float = 20.0, recharge_m_per_yr: float = 0.0):
    """Seepage on the faces of a lognormal-K aquifer with fixed heads west and east and a well."""
    rng = np.random.default_rng(seed)
    k = np.exp(gaussian_filter(rng.normal(0.0, 1.0, (n, n)), 2) * 3 + 2)
    heads = np.full((n, n), np.nan)
    heads[:, 0], heads[:, -1] = 110.0, 100.0
    heads[n // 2, 3 * n // 4] = 97.0
    h = flow.steady_heads(k, 10.0, dx, heads, recharge_m_per_yr)
    return flow.darcy_face_velocities(h, k, 0.25, dx)


@pytest.mark.parametrize("direction_deg", [20.0, 45.0, 110.0, 200.0, 300.0])
def test_uniform_flow_splits_along_an_axis_and_a_diagonal(direction_deg):
    vx, vy = flow.uniform_face_velocities((12, 14), 30.0, direction_deg)
    x_paths, y_paths = half_paths(vx, vy)
    half = 0.5 * min(abs(vx[0, 0]), abs(vy[0, 0]))
    x_side = 0 if vy[0, 0] > 0 else 2  # the side the water turns toward
    y_side = 0 if vx[0, 0] > 0 else 2
    inner_x = x_paths[:, 1:-1, 1:-1]
    inner_y = y_paths[:, 1:-1, 1:-1]
    np.testing.assert_allclose(inner_x[x_side : x_side + 2], half, rtol=1e-15)
    np.testing.assert_allclose(inner_y[y_side : y_side + 2], half, rtol=1e-15)
    assert not inner_x[2 - x_side : 4 - x_side].any()
    assert not inner_y[2 - y_side : 4 - y_side].any()


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_a_half_path_has_one_speed_on_both_faces_it_crosses(seed):
    vx, vy = _darcy(seed, recharge_m_per_yr=0.05)
    x_paths, y_paths = half_paths(vx, vy)
    ny, nx = vx.shape[0], vy.shape[1]
    checked = 0
    for j in range(1, ny - 1):
        for i in range(1, nx):
            u = vx[j, i]
            if u == 0.0:
                continue
            di = 1 if u > 0 else -1
            down = i if di == 1 else i - 1  # the downwind cell's column
            if not 0 <= down < nx:
                continue
            for k, side in ((0, 1), (2, -1)):
                # the own half-path goes on across the y-face of the downwind cell, on the
                # side the water turns toward; there it is the corner cell's half-path
                y_face = j + 1 if side == 1 else j
                if vy[y_face, down] * side <= 0.0:  # the water there does not go on that way
                    assert x_paths[k, j, i] == 0.0
                    continue
                y_k = (0 if di == 1 else 2) + 1
                assert x_paths[k, j, i] == y_paths[y_k, y_face, down]
                checked += x_paths[k, j, i] > 0
    assert checked > 100


@pytest.mark.parametrize("seed", [3, 4, 5, 6])
def test_advection_never_lowers_the_minimum_nor_raises_the_maximum(seed):
    """A cell at 0 (the minimum) gains or stays, one at the maximum loses or stays."""
    vx, vy = _darcy(seed, recharge_m_per_yr=0.05)
    n = vx.shape[0]
    sink = scheme.sink_rate_per_yr(vx, vy, 1.0, 20.0)
    rng = np.random.default_rng(seed)
    conc = rng.uniform(0.0, 1.0, (n, n))
    conc[rng.uniform(size=(n, n)) < 0.3] = 0.0
    conc[rng.uniform(size=(n, n)) < 0.1] = 1.0
    held = (np.zeros(0, np.int64), np.zeros(0), np.zeros((n, n), bool))
    rate = np.zeros_like(conc)
    stages.advective_rate(
        conc, (0, n, 0, n), scheme.advective_flow(vx, vy), sink, 1 / 20.0, held, NO_RATES, rate
    )
    scale = 1e-12 * np.abs(rate).max()
    assert rate[conc == 0.0].min() >= -scale
    assert rate[conc == 1.0].max() <= scale


def test_converging_flow_mirrored_gives_the_mirrored_plume():
    """Water converging from north and south onto a row, then east along it: the problem
    turned upside down gives the plume turned upside down, to round-off."""
    ny, nx, centre, dx = 41, 80, 20, 10.0
    vx = np.full((ny, nx + 1), 5.0)
    vy = np.zeros((ny + 1, nx))
    vy[: centre + 1], vy[centre + 1 :] = 2.0, -2.0
    vx[centre] = 5.0 + 4.0 * np.arange(nx + 1)
    source = np.zeros((ny, nx), bool)
    source[centre + 1 : centre + 4, 3] = True

    def run(vx, vy, source):
        dispersion = scheme.face_dispersion(vx, vy, 5.0, 0.5, 0.0)
        sink = scheme.sink_rate_per_yr(vx, vy, 1.0, dx)
        dt = 0.9 * scheme.stable_time_step_yr(vx, vy, dispersion, 1.0, dx)
        fe_limits = dt * scheme.dispersive_limit_per_yr(dispersion, 1 / dx**2)
        conc = np.where(source, 1.0, 0.0)
        scheme.advance(
            conc, scheme.work_arrays(conc.shape), 60, dt, 1.0, scheme.advective_flow(vx, vy),
            dispersion, fe_limits, sink, 1 / dx, 1 / dx, _holds(source, 1.0), NO_RATES, 0.0, 0,
            False,
        )  # fmt: skip
        return conc

    plume = run(vx, vy, source)
    mirrored = run(vx[::-1].copy(), -vy[::-1].copy(), source[::-1].copy())
    assert plume[centre].max() > 0.01  # the plume reaches the row the flows converge on
    np.testing.assert_allclose(mirrored[::-1], plume, rtol=0, atol=1e-12 * plume.max())
    assert math.isclose(plume.sum(), mirrored.sum(), rel_tol=1e-12)


@pytest.mark.parametrize(("east", "north"), [(20.0, 8.0), (-20.0, -8.0), (20.0, -8.0)])
def test_rows_without_diagonal_parts_take_the_axis_kernel_with_the_same_numbers(east, north):
    """A stage takes the kernel along the axes alone on rows whose faces carry no diagonal
    part (atlas.plume.stages), and reads only the pairs of half-path planes with a speed in a
    row (atlas.plume.diagonals): forcing the diagonal kernel with every pair on every row gives
    the same numbers, bit for bit, in the whole grid and in a region, whichever way the water
    turns (each pair alone, on the x- and the y-faces)."""
    ny, nx = 30, 26
    vx = np.full((ny, nx + 1), east)
    vy = np.zeros((ny + 1, nx))
    vy[15:] = north  # the water turns north or south from row 15 on: diagonals there only
    advective = scheme.advective_flow(vx, vy)
    assert advective[5].any()
    assert not advective[5].all()
    assert 0 < advective[5].max() < 15  # a pair without speed is left out
    forced = (*advective[:5], np.full_like(advective[5], 15))  # every pair of planes, every row
    rng = np.random.default_rng(2)
    conc = rng.uniform(0.0, 1.0, (ny, nx))
    fixed = np.zeros((ny, nx), bool)
    fixed[20, 7] = True
    held = (np.flatnonzero(fixed), np.array([1.0]), fixed)
    sink = scheme.sink_rate_per_yr(vx, vy, 1.0, 20.0)
    for region in ((0, ny, 0, nx), (3, ny - 2, 2, nx - 4)):
        results = []
        for chosen in (advective, forced):
            rate, out = np.zeros((ny, nx)), np.zeros((ny, nx))
            stages.advective_rate(conc, region, chosen, sink, 0.05, held, NO_RATES, rate)
            combinations = np.array([[0.5, 0.25, 0.25, 0.01, 0.0]])
            sums, _ = stages.advective_chain(
                conc, region, chosen, sink, 0.05, held, NO_RATES, combinations, (out, out, out),
                True, True,
            )  # fmt: skip
            results.append((rate, out, sums))
        np.testing.assert_array_equal(results[0][0], results[1][0])
        np.testing.assert_array_equal(results[0][1], results[1][1])
        np.testing.assert_array_equal(results[0][2], results[1][2])
        assert np.abs(results[0][0]).max() > 0.0


@pytest.mark.parametrize("region", [(4, 12, 0, 12), (0, 12, 6, 12)])
def test_nothing_enters_a_region_along_a_diagonal_from_outside_it(region):
    """Solute just outside the computed region, in flow at 45 degrees toward it: the region's
    edge faces are shut, so no cell of the region gains or loses anything (found in review: a
    half-path starting outside took from a region-edge cell what never came in)."""
    n = 12
    vx, vy = flow.uniform_face_velocities((n, n), 10.0, 45.0)
    x = np.zeros((n, n))
    x[region[0] - 1 if region[0] else 5, region[2] - 1 if region[2] else 5] = 1.0
    held = (np.zeros(0, np.int64), np.zeros(0), np.zeros((n, n), bool))
    rate = np.full((n, n), np.nan)
    stages.advective_rate(
        x, region, scheme.advective_flow(vx, vy), np.zeros((n, n)), 1.0, held, NO_RATES, rate
    )
    j_lo, j_hi, i_lo, i_hi = region
    assert np.all(rate[j_lo:j_hi, i_lo:i_hi] == 0.0)
