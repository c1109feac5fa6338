"""The closed-form solutions satisfy their equations, boundary conditions and known limits."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, special

from atlas.errors import AtlasError
from atlas.plume import analytic

PLANE = {
    "velocity_m_per_yr": 20.0,
    "longitudinal_dispersion_m2_per_yr": 200.0,
    "transverse_dispersion_m2_per_yr": 20.0,
    "effective_porosity": 0.25,
    "thickness_m": 10.0,
    "retardation": 1.3,
    "decay_per_yr": 0.003,
}


def pde_residual(profile, x, t, v, d, r, lam, step_x=0.5, step_t=1e-3):
    """R C_t - (D C_xx - v C_x - lambda R C) by central differences."""
    c = lambda xx, tt: profile(xx, tt, v, d, r, lam)  # noqa: E731
    c_t = (c(x, t + step_t) - c(x, t - step_t)) / (2 * step_t)
    c_x = (c(x + step_x, t) - c(x - step_x, t)) / (2 * step_x)
    c_xx = (c(x + step_x, t) - 2 * c(x, t) + c(x - step_x, t)) / step_x**2
    return r * c_t - (d * c_xx - v * c_x - lam * r * c(x, t))


@pytest.mark.parametrize("profile", [analytic.ogata_banks, analytic.ogata_banks_flux])
@pytest.mark.parametrize("decay", [0.0, 1e-4, 0.01])
def test_one_dimensional_solutions_satisfy_the_transport_equation(profile, decay):
    x = np.linspace(20.0, 3000.0, 80)
    residual = pde_residual(profile, x, 70.0, v=20.0, d=200.0, r=1.5, lam=decay)
    assert np.abs(residual).max() < 1e-5  # terms are O(1e-1): R C_t ~ v C / x


@pytest.mark.parametrize("decay", [0.0, 0.01])
def test_first_type_inlet_is_held_at_c0(decay):
    c = analytic.ogata_banks(0.0, np.array([0.1, 10.0, 1000.0]), 20.0, 200.0, 1.2, decay)
    np.testing.assert_allclose(c, 1.0, rtol=1e-14)


@pytest.mark.parametrize("decay", [0.0, 0.01])
def test_third_type_inlet_conserves_the_mass_flux(decay):
    v, d, h = 20.0, 200.0, 1e-4
    t = np.array([1.0, 30.0, 500.0])
    c0 = analytic.ogata_banks_flux(0.0, t, v, d, 1.2, decay)
    c1 = analytic.ogata_banks_flux(h, t, v, d, 1.2, decay)
    total_flux = v * c0 - d * (c1 - c0) / h
    np.testing.assert_allclose(total_flux, v, rtol=1e-3)


@pytest.mark.parametrize("profile", [analytic.ogata_banks, analytic.ogata_banks_flux])
def test_long_time_limit_is_the_steady_decaying_profile(profile):
    v, d, r, lam = 20.0, 200.0, 2.0, 0.01
    x = np.linspace(0.0, 5000.0, 11)
    mu = lam * r
    u = v * np.sqrt(1 + 4 * mu * d / v**2)
    inlet = 1.0 if profile is analytic.ogata_banks else 2 * v / (v + u)
    expected = inlet * np.exp((v - u) * x / (2 * d))
    np.testing.assert_allclose(profile(x, 1e6, v, d, r, lam), expected, rtol=1e-10)


def test_no_overflow_far_downstream_at_tiny_dispersion():
    c = analytic.ogata_banks(np.array([1e4, 1e5]), 600.0, 30.0, 1e-3)
    flux = analytic.ogata_banks_flux(np.array([1e4, 1e5]), 600.0, 30.0, 1e-3, 1.0, 1e-3)
    assert np.isfinite(flux).all()
    np.testing.assert_array_equal(c, [1.0, 0.0])


@given(
    v=st.floats(1.0, 100.0),
    alpha=st.floats(1.0, 200.0),
    r=st.floats(1.0, 10.0),
    lam=st.sampled_from([0.0, 1e-3, 0.05]),
    t=st.floats(0.5, 2000.0),
)
def test_relative_concentration_is_in_unit_interval_and_falls_downstream(v, alpha, r, lam, t):
    x = np.linspace(0.0, 20000.0, 400)
    for profile in (analytic.ogata_banks, analytic.ogata_banks_flux):
        c = profile(x, t, v, alpha * v, r, lam)
        assert ((c >= 0) & (c <= 1)).all()
        assert (np.diff(c) <= 1e-12).all()


def test_instantaneous_point_holds_the_decayed_mass():
    xs, ys = np.meshgrid(np.linspace(-2000, 6000, 801), np.linspace(-2000, 2000, 401))
    c = analytic.instantaneous_point_2d(xs, ys, 100.0, 5.0, **PLANE)
    storage_kg_per_mg_l = 10.0 * 10.0 * 0.25 * 10.0 * 1.3 * 1e-3  # cell area x n b R x kg/g
    np.testing.assert_allclose(c.sum() * storage_kg_per_mg_l, 5.0 * np.exp(-0.3), rtol=1e-9)


def test_instantaneous_point_centre_moves_at_the_retarded_velocity():
    x = np.linspace(0.0, 3000.0, 3001)
    c = analytic.instantaneous_point_2d(x, 0.0, 100.0, 1.0, **PLANE)
    assert x[np.argmax(c)] == pytest.approx(20.0 * 100.0 / 1.3, abs=1.0)


def test_small_block_tends_to_the_point_release():
    x, y = np.meshgrid(np.linspace(500, 2500, 21), np.linspace(-400, 400, 9))
    side = 0.1
    c0 = 1.0 / (side**2 * 0.25 * 10.0 * 1.3 * 1e-3)  # 1 kg in the block
    block = analytic.instantaneous_block_2d(
        x,
        y,
        100.0,
        initial_mg_per_l=c0,
        x_range_m=(-side / 2, side / 2),
        y_range_m=(-side / 2, side / 2),
        **{k: PLANE[k] for k in PLANE if k not in ("effective_porosity", "thickness_m")},
    )
    point = analytic.instantaneous_point_2d(x, y, 100.0, 1.0, **PLANE)
    np.testing.assert_allclose(block, point, rtol=1e-4)


def test_block_at_time_zero_is_the_block():
    x = np.array([-1.0, 0.5, 2.5])
    c = analytic.instantaneous_block_2d(
        x,
        0.0,
        0.0,
        initial_mg_per_l=3.0,
        x_range_m=(0.0, 2.0),
        y_range_m=(-1.0, 1.0),
        velocity_m_per_yr=1.0,
        longitudinal_dispersion_m2_per_yr=1.0,
        transverse_dispersion_m2_per_yr=1.0,
    )
    np.testing.assert_array_equal(c, [0.0, 3.0, 0.0])


@pytest.mark.parametrize(
    ("x", "y", "t"),
    [(100, 0, 10), (1000, 50, 100), (3000, -200, 300), (5, 5, 1), (10000, 0, 600), (-300, 100, 50)],
)
def test_continuous_point_is_the_time_integral_of_the_point_release(x, y, t):
    def release(age):
        return analytic.instantaneous_point_2d(x, y, age, 1.0, **PLANE)

    expected, _ = integrate.quad(release, 0.0, t, epsabs=0.0, epsrel=1e-12, limit=500)
    c = analytic.continuous_point_2d(x, y, t, 1.0, **PLANE)
    np.testing.assert_allclose(c, expected, rtol=1e-9)


def test_continuous_point_tends_to_the_wilson_miller_steady_plume():
    x, y = np.meshgrid(np.linspace(200, 4000, 5), np.linspace(-300, 300, 5))
    d_l, d_t, v, lam, r = 200.0, 20.0, 20.0, 0.003, 1.3
    radius = np.sqrt(x**2 + y**2 * d_l / d_t)
    beta = radius * np.sqrt(v**2 + 4 * lam * r * d_l) / (2 * d_l)
    steady = 1e3 / (2 * np.pi * 0.25 * 10.0 * np.sqrt(d_l * d_t)) * np.exp(v * x / (2 * d_l))
    steady = steady * special.k0(beta)
    np.testing.assert_allclose(
        analytic.continuous_point_2d(x, y, 1e7, 1.0, **PLANE), steady, rtol=1e-9
    )


def test_continuous_point_without_flow_is_the_theis_solution():
    plane = dict(PLANE, velocity_m_per_yr=0.0, decay_per_yr=0.0)
    c = analytic.continuous_point_2d(100.0, 0.0, 50.0, 1.0, **plane)
    u = 1.3 * 100.0**2 / (4 * 200.0 * 50.0)
    expected = 1e3 / (4 * np.pi * 0.25 * 10.0 * np.sqrt(200.0 * 20.0)) * special.exp1(u)
    assert c == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: analytic.ogata_banks(1.0, 1.0, 0.0, 1.0), "velocity_m_per_yr"),
        (lambda: analytic.ogata_banks(1.0, 1.0, 1.0, -1.0), "dispersion_m2_per_yr"),
        (lambda: analytic.ogata_banks(-1.0, 1.0, 1.0, 1.0), "x_m"),
        (lambda: analytic.ogata_banks_flux(1.0, 1.0, 1.0, 1.0, 0.5), "retardation"),
        (lambda: analytic.ogata_banks(1.0, 1.0, 1.0, 1.0, 1.0, -1.0), "decay_per_yr"),
        (
            lambda: analytic.instantaneous_point_2d(0, 0, 1, 1.0, **dict(PLANE, thickness_m=0)),
            "thickness_m",
        ),
    ],
)
def test_bad_parameters_are_named_in_the_error(call, word):
    with pytest.raises(AtlasError, match=word):
        call()
