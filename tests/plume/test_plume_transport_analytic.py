"""The finite-volume engine reproduces closed-form plumes in the mission regime.

Mission regime (HYDROGEOLOGY.md 1.5): seepage 20-30 m/yr, dispersivity 10-100 m, the river about
10 km downstream, 50-600 years. Acceptance: cell size <= alpha_L, max error in C/C0 <= 0.01 and
the 1 % breakthrough time at 10 km within 2 %.
"""

import math

import numpy as np
import pytest
from scipy import optimize

from atlas.impact import first_crossing_yr
from atlas.plume import analytic, flow
from atlas.plume.transport import (
    FixedConcentrationSource,
    MassRateSource,
    TransportParameters,
    simulate,
)

RIVER_M = 10_000.0


def column_run(v, alpha_l, dx, end_yr, retardation=1.0, half_life_yr=None, step_yr=1.0):
    """A (1, nx) strip with the inlet cell (x = 0) held at C/C0 = 1, long enough to be open."""
    spread = math.sqrt(2 * alpha_l * v * end_yr / retardation)
    nx = int((v * end_yr / retardation + 8 * spread + 20 * dx) / dx)
    vx, vy = flow.uniform_face_velocities((1, nx), v, 90.0)
    inlet = np.zeros((1, nx), bool)
    inlet[0, 0] = True
    params = TransportParameters(
        effective_porosity=0.25,
        thickness_m=10.0,
        longitudinal_dispersivity_m=alpha_l,
        transverse_dispersivity_m=alpha_l / 10,
        retardation=retardation,
        half_life_yr=half_life_yr,
    )
    times = np.arange(0.0, end_yr + step_yr / 2, step_yr)
    result = simulate(
        cell_size_m=dx,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=params,
        output_times_yr=times,
        sources=[FixedConcentrationSource(inlet, 1.0)],
    )
    return np.arange(nx) * dx, result


@pytest.mark.parametrize("v", [20.0, 30.0])
@pytest.mark.parametrize("alpha_l", [10.0, 100.0])
def test_column_matches_ogata_banks_and_the_breakthrough_at_the_river(v, alpha_l):
    x, result = column_run(v, alpha_l, dx=alpha_l, end_yr=600.0)
    times = result.times_yr
    late = times >= 50.0
    expected = analytic.ogata_banks(x[None, :], times[late, None], v, alpha_l * v)
    assert np.abs(result.concentration_mg_per_l[late, 0, :] - expected).max() <= 0.01

    river = round(RIVER_M / alpha_l)
    at_river = result.concentration_mg_per_l[:, 0, river]
    assert at_river[0] < 0.01, "the series starts above the level"
    simulated = first_crossing_yr(times, at_river, 0.01)
    assert not math.isnan(simulated), "the series never reaches the level"
    exact = optimize.brentq(
        lambda t: analytic.ogata_banks(RIVER_M, t, v, alpha_l * v) - 0.01, 1.0, 600.0, xtol=1e-6
    )
    assert simulated == pytest.approx(exact, rel=0.02)


def test_column_with_sorption_and_decay_matches_van_genuchten_alves():
    # unit-free: v = 1, D = 0.1, R = 2, lambda = ln 2 / 10, dx = alpha_L
    x, result = column_run(1.0, 0.1, dx=0.1, end_yr=30.0, retardation=2.0, half_life_yr=10.0)
    t = result.times_yr[:, None]
    expected = analytic.ogata_banks(x[None, :], t, 1.0, 0.1, 2.0, math.log(2) / 10.0)
    assert np.abs(result.concentration_mg_per_l[:, 0, :] - expected)[5:].max() <= 0.01


def plane_grid(n, dx):
    """Cell-centre coordinates (m) of an (n, n) grid, row 0 south."""
    return np.meshgrid((np.arange(n) + 0.5) * dx, (np.arange(n) + 0.5) * dx)


def along_across(x, y, origin, direction_deg):
    """Coordinates along and across a flow heading ``direction_deg`` (clockwise from north)."""
    heading = math.radians(direction_deg)
    east, north = x - origin[0], y - origin[1]
    along = east * math.sin(heading) + north * math.cos(heading)
    across = east * math.cos(heading) - north * math.sin(heading)
    return along, across


def upstream_of_centre(n, dx, direction_deg, distance_m):
    """A point ``distance_m`` upstream of the centre of an (n, n) grid."""
    heading = math.radians(direction_deg)
    centre = n * dx / 2
    return centre - distance_m * math.sin(heading), centre - distance_m * math.cos(heading)


def plane_case(alpha_l, alpha_t, retardation=1.0, half_life_yr=None):
    """Transport parameters and the matching analytic keywords, v = 20 m/yr."""
    params = TransportParameters(
        effective_porosity=0.25,
        thickness_m=10.0,
        longitudinal_dispersivity_m=alpha_l,
        transverse_dispersivity_m=alpha_t,
        retardation=retardation,
        half_life_yr=half_life_yr,
    )
    keywords = {
        "velocity_m_per_yr": 20.0,
        "longitudinal_dispersion_m2_per_yr": 20.0 * alpha_l,
        "transverse_dispersion_m2_per_yr": 20.0 * alpha_t,
        "retardation": retardation,
        "decay_per_yr": params.decay_per_yr,
    }
    return params, keywords


def run_plane(n, dx, direction_deg, params, end_times, **inputs):
    vx, vy = flow.uniform_face_velocities((n, n), 20.0, direction_deg)
    return simulate(
        cell_size_m=dx,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=params,
        output_times_yr=end_times,
        **inputs,
    )


def relative_error(simulated, expected):
    """Largest absolute difference as a fraction of the largest expected value."""
    return np.abs(simulated - expected).max() / expected.max()


# (flow azimuth, alpha_L, alpha_T, cell size, retardation, half-life, age at start)
POINT_CASES = [
    (90.0, 20.0, 4.0, 20.0, 1.0, None, 20.0),
    (45.0, 20.0, 10.0, 20.0, 1.0, None, 20.0),
    (120.0, 20.0, 10.0, 20.0, 1.5, 50.0, 20.0),
    # alpha_T = alpha_L / 5 at 45 degrees: the plume must span ~9 cells across (sigma_T = 89 m)
    (45.0, 20.0, 4.0, 10.0, 1.0, None, 50.0),
]


@pytest.mark.parametrize(
    ("direction_deg", "alpha_l", "alpha_t", "dx", "retardation", "half_life_yr", "age_yr"),
    POINT_CASES,
)
def test_point_release_matches_the_gaussian_plume(
    direction_deg, alpha_l, alpha_t, dx, retardation, half_life_yr, age_yr
):
    params, keywords = plane_case(alpha_l, alpha_t, retardation, half_life_yr)
    elapsed = np.array([20.0, 40.0]) * retardation
    end_age = age_yr + elapsed[-1]
    travel_m = 20.0 * elapsed[-1] / retardation  # centre moves this far during the run
    sigma_l, sigma_t = (math.sqrt(2 * a * 20.0 * end_age / retardation) for a in (alpha_l, alpha_t))
    heading = math.radians(direction_deg)
    half_along, half_across = travel_m / 2 + 3.5 * sigma_l, 3.5 * sigma_t
    half_m = max(abs(math.sin(heading)), abs(math.cos(heading))) * half_along + half_across
    n = int(2 * half_m / dx)
    x, y = plane_grid(n, dx)
    origin = upstream_of_centre(n, dx, direction_deg, travel_m / 2 + 20.0 * age_yr / retardation)
    along, across = along_across(x, y, origin, direction_deg)

    def exact(age):
        return analytic.instantaneous_point_2d(along, across, age, 1000.0, **keywords, **AQUIFER)

    result = run_plane(n, dx, direction_deg, params, elapsed, initial_mg_per_l=exact(age_yr))
    for k, t in enumerate(elapsed):
        assert relative_error(result.concentration_mg_per_l[k], exact(age_yr + t)) <= 0.01


AQUIFER = {"effective_porosity": 0.25, "thickness_m": 10.0}


def test_block_along_the_grid_matches_the_erf_product():
    """A sharp-edged block 12 cells across: 1 % needs dx = alpha_L / 2 (2.5 % at dx = alpha_L)."""
    dx, n = 10.0, 200
    params, keywords = plane_case(20.0, 4.0)
    x, y = plane_grid(n, dx)
    block_x, block_y = (300.0, 500.0), (940.0, 1060.0)  # on cell faces
    inside = (x > block_x[0]) & (x < block_x[1]) & (y > block_y[0]) & (y < block_y[1])
    result = run_plane(n, dx, 90.0, params, [20.0, 40.0], initial_mg_per_l=5.0 * inside)
    for k, t in enumerate(result.times_yr):
        expected = analytic.instantaneous_block_2d(
            x, y, t, initial_mg_per_l=5.0, x_range_m=block_x, y_range_m=block_y, **keywords
        )
        assert relative_error(result.concentration_mg_per_l[k], expected) <= 0.01


def test_block_across_the_grid_spreads_like_the_full_tensor():
    """At 45 degrees a block of cells is a staircase: compare its moments, which are exact."""
    dx, n, elapsed = 20.0, 100, 40.0
    params, _ = plane_case(20.0, 10.0)
    x, y = plane_grid(n, dx)
    along, across = along_across(x, y, (600.0, 600.0), 45.0)
    initial = 5.0 * ((np.abs(along) < 100.0) & (np.abs(across) < 60.0))
    c = run_plane(n, dx, 45.0, params, [elapsed], initial_mg_per_l=initial)
    c = c.concentration_mg_per_l[0]

    def moments(field):
        mass = field.sum()
        mean = (field * along).sum() / mass
        var_along = (field * (along - mean) ** 2).sum() / mass
        return mass, mean, var_along, (field * across**2).sum() / mass

    mass_0, mean_0, var_along_0, var_across_0 = moments(initial)
    mass, mean, var_along, var_across = moments(c)
    assert mass == pytest.approx(mass_0, rel=1e-6)  # next to nothing reaches the edges
    assert mean - mean_0 == pytest.approx(20.0 * elapsed, rel=0.005)
    assert var_along - var_along_0 == pytest.approx(2 * 20.0 * 20.0 * elapsed, rel=0.02)
    assert var_across - var_across_0 == pytest.approx(2 * 20.0 * 10.0 * elapsed, rel=0.02)


@pytest.mark.parametrize(
    ("direction_deg", "resolved_from_m", "limit"), [(90.0, 300.0, 0.01), (45.0, 1000.0, 0.015)]
)
def test_continuous_injection_matches_the_hantush_plume(direction_deg, resolved_from_m, limit):
    """A one-cell source: compare where the plume spans several cells (sigma_T >= 3.5 dx).

    At 45 degrees the front at 50 years lies at the edge of the compared area: it is carried
    along the cells' diagonals, whose spacing is sqrt(2) cells, and is a little more smeared
    than along an axis (0.013 of the front's peak; 0.003 at 100 years).
    """
    dx, n, rate = 20.0, 150, 50.0
    params, keywords = plane_case(20.0, 10.0, half_life_yr=200.0)
    x, y = plane_grid(n, dx)
    heading = math.radians(direction_deg)
    j = int(n / 2 - 1200.0 / dx * math.cos(heading))
    i = int(n / 2 - 1200.0 / dx * math.sin(heading))
    source = np.zeros((n, n), bool)
    source[j, i] = True
    along, across = along_across(x, y, (x[j, i], y[j, i]), direction_deg)
    result = run_plane(
        n,
        dx,
        direction_deg,
        params,
        [50.0, 100.0],
        sources=[MassRateSource(source, rate, at_cell_centres=True)],
    )
    resolved = along >= resolved_from_m
    for k, t in enumerate(result.times_yr):
        expected = analytic.continuous_point_2d(along, across, t, rate, **keywords, **AQUIFER)
        simulated = result.concentration_mg_per_l[k]
        assert relative_error(simulated[resolved], expected[resolved]) <= limit
