"""MT3DMS benchmark problems 3 and 4 (Zheng and Wang 1999), built from their published
definitions, against their analytic solutions.

Definitions as published in the MT3DMS documentation (Zheng and Wang 1999, section 7) and
re-stated in the MODFLOW 6 examples that rebuild them (``ex-gwt-mt3dms-p03`` and ``-p04``,
modflow6-examples): days are turned into years of 365 days, which changes no result.

* Problem 3, two-dimensional transport in a uniform flow field: 31 rows x 46 columns of 10 m,
  10 m thick, porosity 0.3, seepage 1/3 m/d along the rows, alpha_L = 10 m, alpha_T = 3 m,
  a well in row 16, column 16 injecting 1 m^3/d at 1000 mg/L (1 kg/d), 365 days. Analytic:
  Wilson and Miller (1978), :func:`atlas.plume.analytic.continuous_point_2d`, at cell centres
  as MT3DMS's documentation compares it.
* Problem 4, two-dimensional transport in a diagonal flow field: 100 x 100 cells of 10 m,
  1 m thick, porosity 0.14, seepage 1 m/d at 45 degrees to the grid, alpha_L = 2 m,
  alpha_T = 0.2 m, D_m = 1e-9 m^2/d, a well in row 80, column 21 (counted from the north)
  injecting 0.01 m^3/d at 1000 mg/L, 1000 days. Analytic: the same solution along and across
  the flow, averaged over each cell (next to the well the plume is narrower than a cell).

Reference errors (the limit is half of each): issue 10 quotes MT3DMS at 5 % on the centreline
near the source of problem 3, and an error of 0.25 of the peak along the diagonal of problem 4,
read from the comparisons with the analytic solution in Zheng and Wang (1999). MT3DMS 5.3 run
on both definitions with each of its five advection solvers (``bench/mt3dms_reference.py``,
``bench/results/2026-11-mt3dms-reference.json``) bears them out on the measures below, with
the mass injected alone as here: 0.054 on problem 3 with upstream finite differences or MMOC
(TVD 0.099, MOC 0.158, HMOC 0.155), and 0.141 to 0.672 of the peak on problem 4 (HMOC 0.200;
0.252 with the water the published well also injects). Measured here (November 2026):

* problem 4: 0.082 of the peak along the diagonal, within the limit (0.125). It was 0.53 while
  advection was split along the grid axes alone (crosswind numerical diffusion widened a plume
  one or two cells wide; :mod:`atlas.plume.diagonals` carries it along the diagonal without
  that), then 0.21 while the well's inflow entered without the variance that cell means add to
  a plume (1/12 of a cell squared along each axis): next to the well the plume is narrower than
  a cell (sigma_T = 4.5 m at 50 m). A mass-rate source now enters with it
  (:func:`atlas.plume.sources.with_cell_moments`); with the inflow spread evenly over the well
  cell, in the model and in the analytic solution, the error is 0.057. (Both with the
  12-point rule below; with a converged cell average they are 0.083 and 0.060.)
* problem 3: 0.065 relative, 1-10 cells downstream (largest 3 cells from the well), against
  the limit of 0.025; 0.105 before. One cell from the well the cell-averaged analytic solution
  is 9 % below its value at the cell's centre, which is what MT3DMS's documentation compares
  with: a scheme holding the exact cell means would miss the limit there (this one was within
  1 % of the centre value there before, 6 % below it now). The 0.065 is an excess at 20-30 m,
  where the cell means are below the centre values too: the exchanges between neighbouring
  cells spread a plume one or two cells wide with the right variance but peakier than a
  Gaussian (``bench/near_source_bench.py``, recorded in
  ``bench/results/2026-11-near-source.txt``). On 2 m cells the problem meets the limit from
  10 m downstream (tested below). MT3DMS's upstream scheme and MMOC are closer on 10 m cells
  because their numerical dispersion along the flow (about half a cell) lowers the centreline
  there; its TVD scheme, which adds little, is peaked like this one (+10 % at 20 m).

* with fourth-order dispersion (``simulate(dispersion_order=4)``, :mod:`atlas.plume.fourth_order`),
  which takes that excess back: problem 3 is within 0.030 of the analytic cell means (the
  default 0.111; MT3DMS 0.075 with the mass injected alone) and within 0.016 of the centre values
  from two cells downstream; problem 4 is at 0.042 of the peak.

The tests hold problem 4 to its limit (:data:`PROBLEM_4_LIMIT`) and guard problem 3's measured
error with the default dispersion (a little above the limit: :data:`PROBLEM_3_MEASURED`) against
regressions; with fourth-order dispersion problem 3 is held to half of MT3DMS's error against the
cell means (:data:`PROBLEM_3_MEAN_LIMIT`) and to :data:`PROBLEM_3_LIMIT` against the centre values
from two cells on.

References
----------
Zheng, C. and Wang, P. P. (1999). MT3DMS: a modular three-dimensional multispecies transport
model, documentation and user's guide. Contract report SERDP-99-1, U.S. Army Engineer Research
and Development Center, Vicksburg, MS.
Wilson, J. L. and Miller, P. J. (1978). Two-dimensional plume in uniform ground-water flow.
Journal of the Hydraulics Division, ASCE 104(HY4), 503-514.
"""

import math

import numpy as np

from atlas.plume import analytic, flow
from atlas.plume.transport import MassRateSource, TransportParameters, simulate
from cell_means import cell_average

DAYS_PER_YR = 365.0
KG_PER_G = 1e-3

PROBLEM_3_LIMIT = 0.5 * 0.05
"""Half of MT3DMS's relative error on the centreline of problem 3: the issue's target."""
PROBLEM_3_MEASURED = 0.07
"""The largest relative error allowed now (measured 0.065): a guard, not the target."""
PROBLEM_3_MEAN_LIMIT = 0.5 * 0.075
"""Half of MT3DMS's relative error on problem 3's centreline against the analytic cell means,
with the mass injected alone as here (upstream finite differences and MMOC; TVD 0.148):
``bench/results/2026-11-mt3dms-reference.json``."""
PROBLEM_4_LIMIT = 0.5 * 0.25
"""Half of MT3DMS's error along the diagonal of problem 4, as a fraction of the peak."""


def _run(
    shape,
    dx,
    velocity_m_per_d,
    direction_deg,
    well,
    injected_g_per_d,
    parameters,
    days,
    at_cell_centres=True,
    dispersion_order=2,
):
    """The problem's concentration (mg/L) at its end, and the coordinates of the cell centres
    east and north of the well (m). ``well`` is (row from the south, column); the well injects
    at its cell's centre unless ``at_cell_centres`` is False (then evenly over the cell).
    ``dispersion_order`` is :func:`~atlas.plume.transport.simulate`'s."""
    vx, vy = flow.uniform_face_velocities(shape, velocity_m_per_d * DAYS_PER_YR, direction_deg)
    source = np.zeros(shape, bool)
    source[well] = True
    rate_kg_per_yr = injected_g_per_d * KG_PER_G * DAYS_PER_YR
    result = simulate(
        cell_size_m=dx,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=parameters,
        output_times_yr=[days / DAYS_PER_YR],
        sources=[MassRateSource(source, rate_kg_per_yr, at_cell_centres=at_cell_centres)],
        dispersion_order=dispersion_order,
    )
    assert abs(result.mass_balance_error_kg[-1]) <= 1e-12 * result.mass_in_kg[-1]
    east, north = np.meshgrid(
        (np.arange(shape[1]) - well[1]) * dx, (np.arange(shape[0]) - well[0]) * dx
    )
    return result.concentration_mg_per_l[-1], east, north, rate_kg_per_yr


def _problem_3_centreline_errors(
    refinement: int, dispersion_order: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Relative errors of problem 3's centreline every 10 m from 10 to 100 m downstream of the
    well, against the analytic solution at the cell centres and against its cell means, on
    cells of ``10 / refinement`` m (``refinement`` odd: the well stays at a cell centre)."""
    parameters = TransportParameters(
        effective_porosity=0.3,
        thickness_m=10.0,
        longitudinal_dispersivity_m=10.0,
        transverse_dispersivity_m=3.0,
    )
    shape = (31 * refinement, 46 * refinement)
    well = (15 * refinement + refinement // 2,) * 2  # row 16 of 31 from the north, column 16
    dx = 10.0 / refinement
    conc, east, north, rate = _run(
        shape, dx, 1 / 3, 90.0, well, 1000.0, parameters, 365.0,
        dispersion_order=dispersion_order,
    )  # fmt: skip
    v = DAYS_PER_YR / 3

    def plume(x, y):
        return analytic.continuous_point_2d(
            x,
            y,
            1.0,
            rate,
            velocity_m_per_yr=v,
            longitudinal_dispersion_m2_per_yr=10.0 * v,
            transverse_dispersion_m2_per_yr=3.0 * v,
            effective_porosity=0.3,
            thickness_m=10.0,
        )

    columns = well[1] + refinement * np.arange(1, 11)
    x, y = east[well[0], columns], north[well[0], columns]
    simulated = conc[well[0], columns]
    return simulated / plume(x, y) - 1, simulated / cell_average(plume, x, y, dx, points=64) - 1


def _problem_3_centreline_error(refinement: int) -> float:
    """Largest relative error against the cell centres (:func:`_problem_3_centreline_errors`)."""
    return float(np.abs(_problem_3_centreline_errors(refinement)[0]).max())


def test_problem_3_point_injection_in_uniform_flow():
    """Within the measured error; the target :data:`PROBLEM_3_LIMIT` is not met yet."""
    error = _problem_3_centreline_error(1)
    assert PROBLEM_3_LIMIT < error <= PROBLEM_3_MEASURED  # meeting the limit: tighten the guard


def _problem_4_diagonal_error(at_cell_centres: bool, dispersion_order: int = 2) -> float:
    """Largest error of problem 4 along the diagonal downstream of the well against the
    cell-averaged analytic solution, as a fraction of its peak. With ``at_cell_centres`` False
    the well's inflow is spread evenly over its cell, and so is the analytic source."""
    diffusion_m2_per_d = 1e-9
    parameters = TransportParameters(
        effective_porosity=0.14,
        thickness_m=1.0,
        longitudinal_dispersivity_m=2.0,
        transverse_dispersivity_m=0.2,
        molecular_diffusion_m2_per_yr=diffusion_m2_per_d * DAYS_PER_YR,
    )
    well = (99 - 79, 20)  # row 80 of 100 from the north, column 21
    conc, east, north, rate = _run(
        (100, 100), 10.0, 1.0, 45.0, well, 10.0, parameters, 1000.0, at_cell_centres,
        dispersion_order,
    )  # fmt: skip
    v, d_m = DAYS_PER_YR, diffusion_m2_per_d * DAYS_PER_YR
    half = math.sqrt(0.5)

    def point(e, n):
        return analytic.continuous_point_2d(
            (e + n) * half,
            (n - e) * half,
            1000.0 / DAYS_PER_YR,
            rate,
            velocity_m_per_yr=v,
            longitudinal_dispersion_m2_per_yr=2.0 * v + d_m,
            transverse_dispersion_m2_per_yr=0.2 * v + d_m,
            effective_porosity=0.14,
            thickness_m=1.0,
        )

    def spread(e, n):
        return cell_average(lambda a, b: point(e - a, n - b), 0.0, 0.0, 10.0, points=6)

    plume = point if at_cell_centres else spread
    steps = np.arange(1, 100 - max(well))  # the diagonal downstream of the well
    rows, columns = well[0] + steps, well[1] + steps
    expected = cell_average(plume, east[rows, columns], north[rows, columns], 10.0, points=12)
    return float(np.abs(conc[rows, columns] - expected).max() / expected.max())


def test_problem_4_point_injection_in_diagonal_flow():
    """Within half of MT3DMS's error along the diagonal, as a fraction of the peak (0.082)."""
    assert _problem_4_diagonal_error(at_cell_centres=True) <= PROBLEM_4_LIMIT


def test_problem_4_with_the_injection_spread_over_the_well_cell():
    """The same limit when the well's inflow is spread evenly over its cell, in the model and in
    the analytic solution (0.057): an area source's inflow enters with twice the variance."""
    assert _problem_4_diagonal_error(at_cell_centres=False) <= PROBLEM_4_LIMIT


def test_problem_3_meets_the_limit_once_the_plume_spans_cells():
    """On cells five times finer (2 m) the centreline from 10 m to 100 m downstream is within
    :data:`PROBLEM_3_LIMIT`: the error on the problem's 10 m cells is resolution (the plume is one
    or two cells wide across the flow there; ``bench/near_source_bench.py``), not a bias."""
    assert _problem_3_centreline_error(5) <= PROBLEM_3_LIMIT


def test_problem_3_with_fourth_order_dispersion():
    """With the exchanges' leading error taken back (``dispersion_order=4``), the plume one or
    two cells wide keeps its shape across the flow: against the analytic cell means the
    centreline is within half of MT3DMS's error on that measure (0.030; 0.111 with second-order
    dispersion), and from two cells downstream within :data:`PROBLEM_3_LIMIT` of the values at
    the centres (0.016). One cell from the well the exact cell mean is itself 9 % below the
    centre value (the test above), and this is 11 % below it."""
    centres, means = _problem_3_centreline_errors(1, dispersion_order=4)
    assert np.abs(means).max() <= PROBLEM_3_MEAN_LIMIT
    assert np.abs(centres[1:]).max() <= PROBLEM_3_LIMIT


def test_problem_4_with_fourth_order_dispersion():
    """Along the diagonal the error falls from 0.082 of the peak to 0.042 (0.057 to 0.018 with
    the inflow spread over the well cell)."""
    assert _problem_4_diagonal_error(True, dispersion_order=4) <= 0.05
    assert _problem_4_diagonal_error(False, dispersion_order=4) <= 0.035
