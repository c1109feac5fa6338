"""Mass-rate sources against closed forms: the third-type inlet in 1-D, a point source in 2-D.

Mission regime (HYDROGEOLOGY.md 1.5): seepage 20-30 m/yr, dispersivity 10-100 m, cells of
min(25 m, alpha_L). A mass-rate source shares the step's time integration with the operator
that carries its mass away (``atlas.plume.stages.share_sources``), so the concentration next to
it does not depend on where a step ends.
"""

import math

import numpy as np
import pytest

from atlas.plume import analytic, flow
from atlas.plume.sources import with_cell_moments
from atlas.plume.transport import MassRateSource, TransportParameters, simulate

POROSITY, THICKNESS_M = 0.25, 10.0
KG_PER_MG_L_M3 = 1e-3


def parameters(alpha_l, alpha_t):
    return TransportParameters(
        effective_porosity=POROSITY,
        thickness_m=THICKNESS_M,
        longitudinal_dispersivity_m=alpha_l,
        transverse_dispersivity_m=alpha_t,
    )


@pytest.mark.parametrize("v", [20.0, 30.0])
@pytest.mark.parametrize("alpha_l", [10.0, 100.0])
def test_full_width_mass_rate_inlet_matches_the_third_type_solution(v, alpha_l):
    """A (1, nx) strip fed in its first cell at the rate that carries C0 = 1 mg/L away."""
    dx, end_yr = alpha_l, 300.0
    spread = math.sqrt(2 * alpha_l * v * end_yr)
    nx = int((v * end_yr + 8 * spread + 20 * dx) / dx)
    vx, vy = flow.uniform_face_velocities((1, nx), v, 90.0)
    inlet = np.zeros((1, nx), bool)
    inlet[0, 0] = True
    rate_kg_per_yr = v * POROSITY * THICKNESS_M * dx * 1.0 * KG_PER_MG_L_M3
    times = np.arange(0.0, end_yr + 0.5, 1.0)
    result = simulate(
        cell_size_m=dx,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=parameters(alpha_l, alpha_l / 10),
        output_times_yr=times,
        sources=[MassRateSource(inlet, rate_kg_per_yr)],
    )
    x = (np.arange(nx) + 0.5) * dx
    late = times >= 50.0
    expected = analytic.ogata_banks_flux(x[None, :], times[late, None], v, alpha_l * v)
    simulated = result.concentration_mg_per_l[late, 0, :]
    assert np.abs(simulated - expected).max() <= 0.01
    # the inlet cell itself, at every output: the step phase leaves no mark
    assert np.abs(simulated[:, 0] - expected[:, 0]).max() <= 0.005
    assert np.abs(result.mass_balance_error_kg).max() <= 1e-12 * result.mass_in_kg[-1]
    assert result.mass_in_kg[-1] == pytest.approx(rate_kg_per_yr * end_yr, rel=1e-12)


def cell_average(function, x, y, dx, points=8):
    """Mean of ``function`` over the square cells centred on ``x, y`` (midpoint rule)."""
    offsets = ((np.arange(points) + 0.5) / points - 0.5) * dx
    return sum(function(x + a, y + b) for a in offsets for b in offsets) / points**2


@pytest.mark.parametrize("v", [20.0, 30.0])
@pytest.mark.parametrize("alpha_l", [10.0, 100.0])
def test_point_mass_rate_source_matches_the_continuous_point_solution(v, alpha_l):
    """One source cell in uniform flow against the cell-averaged Hantush plume (alpha_T =
    alpha_L / 2, so the plume spans cells). Beyond five cells the difference is the scheme's
    (0.018 of the peak before the source fed its cell with the cell's moments, 0.014 since);
    nearer, the plume is a few cells wide (``atlas.plume.scheme`` gives the figures)."""
    dx, rate_kg_per_yr = min(25.0, alpha_l), 50.0
    n = int(v * 130.0 / dx)
    vx, vy = flow.uniform_face_velocities((n, n), v, 90.0)
    j, i = n // 2, n // 6
    source = np.zeros((n, n), bool)
    source[j, i] = True
    times = [50.0, 50.5, 100.0]
    result = simulate(
        cell_size_m=dx,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=parameters(alpha_l, alpha_l / 2),
        output_times_yr=times,
        sources=[MassRateSource(source, rate_kg_per_yr)],
    )
    x, y = np.meshgrid((np.arange(n) - i) * dx, (np.arange(n) - j) * dx)
    keywords = {
        "velocity_m_per_yr": v,
        "longitudinal_dispersion_m2_per_yr": alpha_l * v,
        "transverse_dispersion_m2_per_yr": alpha_l / 2 * v,
        "effective_porosity": POROSITY,
        "thickness_m": THICKNESS_M,
    }
    for k, t in enumerate(times):
        near = (np.abs(y) <= 6 * dx) & (np.abs(x) <= 12 * dx)
        far = near & (np.hypot(x, y) >= 5 * dx)

        def plume(east, north, t=t):
            return analytic.continuous_point_2d(east, north, t, rate_kg_per_yr, **keywords)

        expected = cell_average(plume, x[near], y[near], dx)
        simulated = result.concentration_mg_per_l[k][near]
        error = np.abs(simulated - expected)[far[near]].max() / expected.max()
        assert error <= 0.015, (t, error)
    assert result.mass_in_kg[-1] == pytest.approx(rate_kg_per_yr * times[-1], rel=1e-12)
    assert np.abs(result.mass_balance_error_kg).max() <= 1e-12 * result.mass_in_kg[-1]


def test_cell_moments_keep_mass_and_centre_and_add_a_cells_variance():
    """Away from the grid's edges each cell's inflow keeps its total and centre and gains 1/12
    of a cell squared of variance along each axis; an even inlet along an edge stays as it is."""
    rng = np.random.default_rng(7)
    rate = np.zeros((12, 15))
    rate[2:-2, 2:-2] = rng.random((8, 11))
    spread = with_cell_moments(rate)
    rows, columns = np.indices(rate.shape)
    for position in (rows, columns):
        centre = (rate * position).sum() / rate.sum()
        assert (spread * position).sum() / spread.sum() == pytest.approx(centre, rel=1e-13)
        variance = (rate * (position - centre) ** 2).sum() / rate.sum()
        spread_variance = (spread * (position - centre) ** 2).sum() / spread.sum()
        assert spread_variance - variance == pytest.approx(1 / 12, rel=1e-12)
    assert spread.sum() == pytest.approx(rate.sum(), rel=1e-14)
    assert (spread >= 0).all()
    assert not spread[0].any()

    inlet = np.zeros((5, 9))
    inlet[:, 0] = 1.0
    assert np.array_equal(with_cell_moments(inlet), inlet)
