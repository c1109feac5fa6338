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
from atlas.plume.sources import (
    AREA_SHARE,
    POINT_SHARE,
    FixedConcentrationSource,
    active_cells,
    largest_possible_mg_per_l,
    with_cell_moments,
)
from atlas.plume.transport import MassRateSource, TransportParameters, simulate
from cell_means import cell_average

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
        sources=[MassRateSource(source, rate_kg_per_yr, at_cell_centres=True)],
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

        expected = cell_average(plume, x[near], y[near], dx, points=8)
        simulated = result.concentration_mg_per_l[k][near]
        error = np.abs(simulated - expected)[far[near]].max() / expected.max()
        assert error <= 0.015, (t, error)
    assert result.mass_in_kg[-1] == pytest.approx(rate_kg_per_yr * times[-1], rel=1e-12)
    assert np.abs(result.mass_balance_error_kg).max() <= 1e-12 * result.mass_in_kg[-1]


def moments(rate, position):
    """Total, centre and variance of ``rate`` along ``position`` (cells)."""
    total = rate.sum()
    centre = (rate * position).sum() / total
    return total, centre, (rate * (position - centre) ** 2).sum() / total


@pytest.mark.parametrize("share", [POINT_SHARE, AREA_SHARE])
def test_cell_moments_keep_mass_and_centre_and_add_the_shares_variance(share):
    """Away from the grid's edges an inflow keeps its total and centre and gains ``2 share``
    cells squared of variance along each axis; one cell alone keeps 1 - 4s and passes s to each
    of its four neighbours."""
    rng = np.random.default_rng(7)
    rate = np.zeros((12, 15))
    rate[1:-1, 1:-1] = rng.random((10, 13))
    none = np.zeros(rate.shape, bool)
    spread = with_cell_moments(rate, share, none, rate != 0)
    for position in np.indices(rate.shape):
        total, centre, variance = moments(rate, position)
        assert moments(spread, position) == pytest.approx(
            (total, centre, variance + 2 * share), rel=1e-12
        )
    assert (spread >= 0).all()

    one = np.zeros((7, 7))
    one[1, 3] = 1.0  # one cell from the edge, which is not fed
    expected = np.zeros((7, 7))
    expected[1, 3] = 1 - 4 * share
    expected[0, 3] = expected[2, 3] = expected[1, 2] = expected[1, 4] = share
    spread = with_cell_moments(one, share, np.zeros((7, 7), bool), one != 0)
    np.testing.assert_allclose(spread, expected, atol=1e-16)


@pytest.mark.parametrize("share", [POINT_SHARE, AREA_SHARE])
def test_an_inlet_along_any_edge_and_an_even_inflow_are_unchanged(share):
    shape = (5, 9)
    none = np.zeros(shape, bool)
    edges = [np.s_[:, 0], np.s_[:, -1], np.s_[0, :], np.s_[-1, :], np.s_[:, :]]
    for edge in edges:
        inlet = np.zeros(shape)
        inlet[edge] = 1.0
        assert np.array_equal(with_cell_moments(inlet, share, none, inlet != 0), inlet), edge


def test_inflow_is_not_passed_to_or_from_held_cells():
    rate = np.zeros((6, 6))
    rate[2, 2] = 1.0
    rate[4, 4] = 0.5  # a held cell that is fed too
    held = np.zeros((6, 6), bool)
    held[2, 3] = held[1, 2] = held[4, 4] = True
    spread = with_cell_moments(rate, POINT_SHARE, held, rate != 0)
    np.testing.assert_array_equal(spread[held], rate[held])
    assert spread.sum() == pytest.approx(1.5, rel=1e-15)
    assert spread[2, 1] == spread[3, 2] == POINT_SHARE  # still passed to the free neighbours
    assert not spread[[3, 5, 4, 4], [4, 4, 3, 5]].any()  # nothing from the fed held cell


def test_a_well_beside_an_inlet_passes_nothing_into_it():
    """Wells and areas share one mask of fed cells, so an area inlet along the grid's edge
    shuts the pairs across it for a well beside it too."""
    inlet, well = np.zeros((5, 6), bool), np.zeros((5, 6), bool)
    inlet[:, 0] = True
    well[2, 1] = True
    _, (cells, rates) = active_cells(
        [MassRateSource(inlet, 5.0), MassRateSource(well, 1.0, at_cell_centres=True)],
        0.0, 1.0, inlet.shape, 1.0,
    )  # fmt: skip
    rate = np.zeros(inlet.shape)
    rate.flat[cells] = rates
    np.testing.assert_array_equal(rate[:, 0], 1.0)
    assert rate.sum() == pytest.approx(6.0, rel=1e-15)
    assert rate[2, 1] == 1.0 - 3 * POINT_SHARE


WELL_AND_AREA_CASES = {  # sources as (side of a centred square of cells, a well?), and the excess
    "a well": ([(1, True)], 1 / 12),
    "an area of one cell": ([(1, False)], 1 / 6),
    "an area of 3 x 3 cells": ([(3, False)], 8 / 12 + 1 / 6),
    "wells in 3 x 3 cells": ([(3, True)], 8 / 12 + 1 / 12),
    "a well and an area in one cell": ([(1, True), (1, False)], 1 / 8),
}


@pytest.mark.parametrize("case", WELL_AND_AREA_CASES, ids=list(WELL_AND_AREA_CASES))
def test_a_plume_in_still_water_has_the_variance_of_cell_means(case):
    """Diffusion only: a steady inflow over ``T`` years spreads to ``D T`` along each axis,
    plus the variance of its cells, plus Sheppard's 1/12 of a cell squared for cell means,
    plus 1/12 more when the inflow is spread evenly over its cells (an area, not a well).
    The three-point exchange carries the variance on exactly (a random walk), so it shows."""
    n, d_m2_per_yr, t_yr = 31, 0.5, 6.0
    params = TransportParameters(0.25, 1.0, 0.0, 0.0, molecular_diffusion_m2_per_yr=d_m2_per_yr)
    sources = []
    for size, well in WELL_AND_AREA_CASES[case][0]:
        mask = np.zeros((n, n), bool)
        mask[15 - size // 2 : 16 + size // 2, 15 - size // 2 : 16 + size // 2] = True
        sources.append(MassRateSource(mask, 1.0, at_cell_centres=well))
    c = simulate(
        cell_size_m=1.0,
        vx_face_m_per_yr=np.zeros((n, n + 1)),
        vy_face_m_per_yr=np.zeros((n + 1, n)),
        parameters=params,
        sources=sources,
        output_times_yr=[t_yr],
    ).concentration_mg_per_l[-1]
    excess = WELL_AND_AREA_CASES[case][1]
    for position in np.indices(c.shape):
        _, centre, variance = moments(c, position)
        assert centre == pytest.approx(15.0, rel=1e-13)
        assert variance == pytest.approx(d_m2_per_yr * t_yr + excess, rel=1e-12)


def test_the_largest_possible_concentration_bounds_every_order_of_sources():
    """Held value plus all the inflow, whichever source is listed first."""
    mask = np.zeros((4, 4), bool)
    mask[1, 1] = True
    held = FixedConcentrationSource(mask, 100.0)
    fed = MassRateSource(mask, 2.0, 0.0, 3.0)
    conc = np.full((4, 4), 7.0)
    for order in ([held, fed], [fed, held]):
        assert largest_possible_mg_per_l(conc, order, 10.0, 0.5) == 100.0 + 3.0 * 2.0 / 0.5


def test_turning_or_mirroring_the_grid_turns_the_spread_inflow_bit_for_bit():
    """The runs' turning property holds to the bit only if the spread inflow does."""
    rng = np.random.default_rng(3)
    rate = rng.random((6, 9)) * (rng.random((6, 9)) < 0.4)
    held = rng.random((6, 9)) < 0.2
    spread = with_cell_moments(rate, AREA_SHARE, held, rate != 0)
    turned = with_cell_moments(np.rot90(rate), AREA_SHARE, np.rot90(held), np.rot90(rate != 0))
    mirrored = with_cell_moments(rate[::-1], AREA_SHARE, held[::-1], (rate != 0)[::-1])
    assert np.array_equal(turned, np.rot90(spread))
    assert np.array_equal(mirrored, spread[::-1])
