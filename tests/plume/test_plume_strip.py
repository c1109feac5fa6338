"""The strip source (Wexler 1992) against its integral, its limits and mass conservation."""

import numpy as np
import pytest
from scipy import integrate, special

from atlas.errors import AtlasError
from atlas.plume.analytic import continuous_point_2d, ogata_banks
from atlas.plume.strip import strip_source_2d, strip_source_2d_horizons

V = 30.0  # m/yr
ALPHA_L, ALPHA_T = 50.0, 5.0  # m
D_L, D_T = ALPHA_L * V, ALPHA_T * V


def _by_quadrature(x, y, t, width, v, d_l, d_t, r=1.0, lam=0.0):
    """The original time integral (Wexler 1992), by adaptive quadrature in log(time)."""
    v, d_l, d_t = v / r, d_l / r, d_t / r

    def integrand(log_tau):
        tau = np.exp(log_tau)
        along = x / (2 * np.sqrt(np.pi * d_l)) * tau**-0.5
        along *= np.exp(-lam * tau - (x - v * tau) ** 2 / (4 * d_l * tau))
        s = 2 * np.sqrt(d_t * tau)
        return along * 0.5 * (special.erf((y + width / 2) / s) - special.erf((y - width / 2) / s))

    low = np.log(x * x / (4 * d_l * 800))
    peak = np.log(x / v)
    points = [p for p in (peak - 1, peak, peak + 1) if low < p < np.log(t)]
    value, _ = integrate.quad(
        integrand, low, np.log(t), points=points or None, limit=1000, epsabs=1e-14, epsrel=1e-12
    )
    return value


CASES = [
    # x, y, t, width, v, alpha_L, alpha_T, R, lambda
    (500.0, 0.0, 40.0, 300.0, 30.0, 50.0, 5.0, 1.0, 0.0),
    (500.0, 400.0, 100.0, 300.0, 30.0, 50.0, 5.0, 1.0, 0.0),
    (3000.0, -150.0, 200.0, 1000.0, 25.0, 30.0, 1.0, 1.0, 0.0),
    (12000.0, 0.0, 500.0, 3000.0, 30.0, 100.0, 10.0, 1.0, 0.0),
    (800.0, 100.0, 300.0, 200.0, 20.0, 10.0, 1.0, 2.5, 0.01),
    (50.0, 0.0, 500.0, 100.0, 200.0, 5.0, 0.5, 1.0, 0.0),
    (272.6, -1.6, 276.5, 2753.0, 20.2, 0.465, 0.04, 3.45, 0.056),
    (952.8, -2.5, 695.7, 110.0, 12.4, 2.37, 0.13, 1.0, 0.0),
    (100.0, 0.0, 500.0, 400.0, 30.0, 50.0, 5.0, 1.0, 0.0),  # Peclet x / alpha_L = 2
]


@pytest.mark.parametrize("case", CASES)
def test_matches_adaptive_quadrature_of_the_time_integral(case):
    x, y, t, width, v, a_l, a_t, r, lam = case
    expected = _by_quadrature(x, y, t, width, v, a_l * v, a_t * v, r, lam)
    kwargs = dict(
        width_m=width,
        velocity_m_per_yr=v,
        longitudinal_dispersion_m2_per_yr=a_l * v,
        transverse_dispersion_m2_per_yr=a_t * v,
        retardation=r,
        decay_per_yr=lam,
    )
    tolerance = 1e-9 if x / a_l >= 10 else 1e-6  # the documented accuracy
    assert strip_source_2d(x, y, t, **kwargs) == pytest.approx(expected, abs=tolerance)


@pytest.mark.parametrize(("r", "lam"), [(1.0, 0.0), (2.0, 0.0), (1.5, 0.02)])
def test_a_wide_strip_is_ogata_banks_on_the_centreline(r, lam):
    x = np.linspace(0.0, 4000.0, 41)
    expected = ogata_banks(x, 60.0, V, D_L, r, lam)
    c = strip_source_2d_horizons(
        x,
        0.0,
        [60.0],
        width_m=1e9,
        velocity_m_per_yr=V,
        longitudinal_dispersion_m2_per_yr=D_L,
        transverse_dispersion_m2_per_yr=D_T,
        retardation=r,
        decay_per_yr=lam,
        nodes_per_segment=40,
    )[:, 0]
    assert expected.max() > 0.5  # the front is inside the profile
    np.testing.assert_allclose(c, expected, atol=1e-10)


@pytest.mark.parametrize("y", [0.0, 60.0, -150.0])
@pytest.mark.parametrize("r", [1.0, 3.0])
def test_a_narrow_strip_tends_to_the_closed_form_steady_dipole(y, r):
    """Narrow strip, steady state: C/C0 = Y x v / (2 pi r' sqrt(D_L D_T)) exp(v x / 2 D_L)
    K1(v r' / 2 D_L), r'^2 = x^2 + y^2 D_L / D_T (the time integral done in closed form)."""
    x, width = 400.0, 1.0
    radius = np.hypot(x, y * np.sqrt(D_L / D_T))
    z = V * radius / (2 * D_L)
    steady = width * x * V / (2 * np.pi * radius * np.sqrt(D_L * D_T))
    steady *= np.exp(V * x / (2 * D_L) - z) * special.k1e(z)
    c = strip_source_2d(
        x,
        y,
        60 * r * x / V,
        width_m=width,
        velocity_m_per_yr=V,
        longitudinal_dispersion_m2_per_yr=D_L,
        transverse_dispersion_m2_per_yr=D_T,
        retardation=r,
    )
    assert c == pytest.approx(steady, rel=2e-3)


@pytest.mark.parametrize(("t", "y"), [(10.0, 0.0), (30.0, 0.0), (30.0, 60.0), (200.0, -90.0)])
@pytest.mark.parametrize(("r", "lam"), [(1.0, 0.0), (2.0, 0.01)])
def test_a_narrow_strip_is_the_point_source_seen_through_its_boundary_flux(t, y, r, lam):
    """Narrow strip at any time: C/C0 = Y n_e b / Mdot (v C_p - 2 D_L dC_p/dx), C_p the
    continuous point source (Hantush / Wilson-Miller) of mass rate Mdot, in g/yr (the time
    integrals differ only by a factor x / tau, which is that x-derivative)."""
    x, width, porosity, thickness, rate_kg_per_yr = 400.0, 0.5, 0.25, 10.0, 1.0
    point = {
        "velocity_m_per_yr": V,
        "longitudinal_dispersion_m2_per_yr": D_L,
        "transverse_dispersion_m2_per_yr": D_T,
        "effective_porosity": porosity,
        "thickness_m": thickness,
        "retardation": r,
        "decay_per_yr": lam,
    }
    step = 0.25
    c_p = continuous_point_2d([x - step, x, x + step], y, t, rate_kg_per_yr, **point)
    flux = V * c_p[1] - 2 * D_L * (c_p[2] - c_p[0]) / (2 * step)
    expected = width * porosity * thickness / (rate_kg_per_yr * 1e3) * flux
    c = strip_source_2d(
        x,
        y,
        t,
        width_m=width,
        velocity_m_per_yr=V,
        longitudinal_dispersion_m2_per_yr=D_L,
        transverse_dispersion_m2_per_yr=D_T,
        retardation=r,
        decay_per_yr=lam,
    )
    assert expected > 1e-4  # inside the plume, not in its vanishing tail
    assert c == pytest.approx(expected, rel=1e-3)


def test_symmetric_across_the_flow_and_one_on_the_strip():
    y = np.array([-700.0, -120.0, -10.0, 10.0, 120.0, 700.0])
    c = strip_source_2d(
        [[0.0], [300.0], [2000.0]],
        y,
        80.0,
        width_m=250.0,
        velocity_m_per_yr=V,
        longitudinal_dispersion_m2_per_yr=D_L,
        transverse_dispersion_m2_per_yr=D_T,
    )
    np.testing.assert_allclose(c, c[:, ::-1], atol=1e-14)
    np.testing.assert_array_equal(c[0], [0, 1, 1, 1, 1, 0])  # the boundary x = 0 itself
    assert np.all(np.diff(c[1:, 2:], axis=1) <= 0)  # falls away from the centreline


def test_steady_mass_flux_across_the_flow_is_the_same_at_every_distance():
    """Without decay the total flux int (v C - D_L dC/dx) dy is conserved along the flow."""
    y = np.linspace(-3000.0, 3000.0, 1201)
    step = 1.0
    fluxes = []
    for x in (200.0, 600.0, 1500.0):
        c = strip_source_2d(
            np.array([[x - step], [x], [x + step]]),
            y,
            1500.0,
            width_m=300.0,
            velocity_m_per_yr=V,
            longitudinal_dispersion_m2_per_yr=D_L,
            transverse_dispersion_m2_per_yr=D_T,
        )
        flux = V * c[1] - D_L * (c[2] - c[0]) / (2 * step)
        fluxes.append(integrate.trapezoid(flux, y))
    assert fluxes[0] > 0.5 * V * 300.0  # a real flux, of the order of v C0 Y
    np.testing.assert_allclose(fluxes, fluxes[0], rtol=2e-3)


def test_horizons_are_cumulative_and_match_single_times():
    horizons = [50.0, 100.0, 500.0]
    x = np.array([500.0, 1500.0, 3000.0, 9000.0])
    kwargs = dict(
        width_m=400.0,
        velocity_m_per_yr=V,
        longitudinal_dispersion_m2_per_yr=D_L,
        transverse_dispersion_m2_per_yr=D_T,
    )
    together = strip_source_2d_horizons(x, 0.0, horizons, **kwargs)
    assert together.shape == (4, 3)
    assert np.all(np.diff(together, axis=1) >= 0)
    for k, t in enumerate(horizons):
        np.testing.assert_allclose(together[:, k], strip_source_2d(x, 0.0, t, **kwargs), atol=1e-9)
    assert np.all(strip_source_2d(x, 0.0, 0.0, **kwargs) == 0)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("width_m", 0.0),
        ("velocity_m_per_yr", -1.0),
        ("longitudinal_dispersion_m2_per_yr", np.nan),
        ("retardation", 0.5),
        ("decay_per_yr", -0.1),
    ],
)
def test_bad_parameters_are_errors(key, value):
    kwargs = dict(
        width_m=400.0,
        velocity_m_per_yr=V,
        longitudinal_dispersion_m2_per_yr=D_L,
        transverse_dispersion_m2_per_yr=D_T,
    )
    kwargs[key] = value
    with pytest.raises(AtlasError, match=key):
        strip_source_2d(100.0, 0.0, 10.0, **kwargs)


def test_bad_horizons_and_upstream_points_are_errors():
    kwargs = dict(
        width_m=400.0,
        velocity_m_per_yr=V,
        longitudinal_dispersion_m2_per_yr=D_L,
        transverse_dispersion_m2_per_yr=D_T,
    )
    with pytest.raises(AtlasError, match="increasing"):
        strip_source_2d_horizons(100.0, 0.0, [100.0, 50.0], **kwargs)
    with pytest.raises(AtlasError, match="x_m"):
        strip_source_2d(-1.0, 0.0, 10.0, **kwargs)
