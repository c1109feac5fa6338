"""Time integration of :mod:`atlas.plume.transport`, on bare arrays.

Nothing here validates its inputs: :func:`atlas.plume.transport.simulate` does, then calls these
functions. Concentrations are in any unit (the wrapper uses mg/L); mass bookkeeping is returned as
sums of cell concentrations, which the wrapper multiplies by the storage of one cell.

The scheme, for ``R dC/dt = div(D grad C) - div(v C) - lambda R C`` on square cells, with the
conservative face fluxes of :mod:`atlas.plume.fluxes`:

* splitting: each step advances advection (with sinks) and dispersion separately over the
  whole step, in alternating order (dispersion first on even steps, counted over the whole
  run, across calls), so that two steps form a Strang splitting, second order in time;
  starting with dispersion halved the error of the other order in our trials on a
  heterogeneous Darcy field with a held source;
* sources: a mass-rate source enters every stage of both split steps, shared at the start of
  each step in proportion to the rates at which advection and dispersion carry solute out of
  its cell (:func:`atlas.plume.stages.share_sources`). Each split operator then balances its
  share, so both keep the steady state of the source cell, and an output does not depend on
  which operator a step ended with. With the whole source in the dispersive step, the inlet
  cell of a full-width mass-rate inlet read 0.90 and 1.015 of ``C0`` on alternate steps; now
  it reads ``C0`` to 5e-3 at every output. The source cell of a point source in 2-D is off by
  0.06-0.10 of the peak against the cell-averaged Hantush plume at the test's outputs (50, 50.5
  and 100 years), at the largest step and with steps ten times smaller alike: resolution, not
  the split (0.12-0.21 before the source entered with the variance of cell means,
  :func:`atlas.plume.sources.with_cell_moments`); from five cells away the plume is within
  0.015 (tests);
* advection: the two-stage strong-stability-preserving Runge-Kutta method (Heun), second order;
* dispersion: the s-stage Runge-Kutta-Legendre super-time-step RKL2 (Meyer et al. 2014), second
  order, stable up to ``(s^2 + s - 2) / 4`` times the forward-Euler limit of dispersion, with
  the fewest stages that reach the step;
* decay: the exact factor ``exp(-lambda dt / 2)`` before and after every step (Strang again,
  so decay of mass added during the step is second order too);
* held cells keep their concentration through every stage; the mass that holds them is inflow
  (for RKL2, accumulated with the stage recursion, so the budget closes to round-off);
* work: only the box holding the sources and the non-negligible concentrations, widened by the
  reach of one step (two cells per advective stage, the widest exchange per dispersive stage),
  is computed; the
  faces leaving it carry no flux, so mass stays exact.

Why it stays within bounds. The step is set by advection alone: with the fluxes along the grid
axes alone (:func:`atlas.plume.fluxes.advective_row`), each advective stage is a convex
combination of neighbouring values when ``dt a <= 1`` in every cell, with ``a = max(in + out, 2 out)
/ (R dx)`` (``in``/``out`` the summed face speeds into/out of the cell), so advection never leaves
the range of the values, fixed concentrations and clean inflow, whatever the flow direction, except
that a mass-rate source raises its cells by at most ``dt`` times its rate (the maximum principle
with sources). With the diagonal part of the fluxes the same holds in uniform flow (it is then a
sum of such schemes along lattice lines, whose outflow speeds add up to less), up to round-off
where water passes through a cell on a diagonal; in a varying field the advective rate still
never lowers a cell at the minimum nor raises one at the maximum (tested), but a convex stage is
not proved. So each advective step is checked against ``[min(lowest, 0), highest + dt * source
rate]`` of the values before it: round-off is clipped and counted as inflow, and a larger
excursion redoes the step along the axes alone. That redo may leave the range only where the
computed region's shut edge gathers negligible solute (at most the floor) that drifted out of
the box; that is clipped too, and anything more is an error (``FloatingPointError``).

Dispersion alone has a maximum principle; a forward-Euler stage of it is a convex
combination when ``dt d <= 1``, with ``d = (sum of the cell's exchange weights) / (R dx^2)``
(:mod:`atlas.plume.selling`). RKL2 (:mod:`atlas.plume.rkl2`) reaches ``dt d`` of ``(s^2 + s - 2) /
4`` with ``s`` stages, but its stages are not convex combinations, and in 2-D it can undershoot next
to a sharp peak (any explicit method that beats the forward-Euler limit by more than its number of
stages can, for some monotone operator). So each super-step is checked against the range of the
computed cells before it, the upper end raised by ``dt`` times the largest dispersive share of a
mass-rate source: excursions of a few units in the last place (round-off of the stage recursion) are
clipped, and the mass they move is counted as inflow; larger ones redo the dispersive step with
``ceil(dt d)`` Heun substeps, whose stages are convex combinations, on a region widened by their
reach. Smooth plumes keep the super-step; a spike costs one redone step. Held cells are written back
after the super-step, so they hold their value exactly.

References
----------
Meyer, C. D., Balsara, D. S. and Aslam, T. D. (2014). A stabilized Runge-Kutta-Legendre method
for explicit super-time-stepping of parabolic and mixed equations. Journal of Computational
Physics 257, 594-626.
Strang, G. (1968). On the construction and comparison of difference schemes. SIAM Journal on
Numerical Analysis 5, 506-517.
Gottlieb, S., Shu, C.-W. and Tadmor, E. (2001). Strong stability-preserving high-order time
discretization methods. SIAM Review 43, 89-112.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from atlas.plume.fluxes import Dispersion, FloatArray, Flow, Held, Rates, Region, dispersive_weights
from atlas.plume.fourth_order import correct, passes
from atlas.plume.fourth_order import work_arrays as correction_arrays
from atlas.plume.half_paths import diagonal_starts, half_paths
from atlas.plume.regions import (
    around,
    clip_round_off,
    copy_region,
    decay_held,
    grow_box,
    within,
)
from atlas.plume.rkl2 import coefficients, disperse, reach, stages_for
from atlas.plume.selling import dispersion_reach, pair_dispersion
from atlas.plume.stages import ADVECTIVE_REACH, advective_chain, heun, share_sources

__all__ = [
    "MAX_STAGES",
    "Dispersion",
    "Held",
    "Rates",
    "advance",
    "advective_flow",
    "dispersive_limit_per_yr",
    "face_dispersion",
    "sink_rate_per_yr",
    "stable_time_step_yr",
    "work_arrays",
]

MAX_STAGES = 20
"""Most stages of a dispersion super-step: it spans up to 104.5 forward-Euler limits."""

_ADVECTIVE_REACH = 2 * ADVECTIVE_REACH  # cells one advective step (two stages) can reach


def face_dispersion(
    vx_face: FloatArray,
    vy_face: FloatArray,
    longitudinal_dispersivity_m: float,
    transverse_dispersivity_m: float,
    molecular_diffusion_m2_per_yr: float,
) -> Dispersion:
    """Dispersion as exchanges between cells, weights in m^2/yr (see :mod:`atlas.plume.selling`).

    ``D_ij = alpha_T |v| delta_ij + (alpha_L - alpha_T) v_i v_j / |v| + D_m`` in every cell,
    from its cell-centred velocity; no exchange crosses the model edge.
    """
    return pair_dispersion(
        vx_face,
        vy_face,
        longitudinal_dispersivity_m,
        transverse_dispersivity_m,
        molecular_diffusion_m2_per_yr,
    )


def sink_rate_per_yr(
    vx_face: FloatArray, vy_face: FloatArray, retardation: float, cell_size_m: float
) -> FloatArray:
    """Rate (1/yr) at which water, with its solute, leaves cells where more flows in than out.

    Where the face velocities converge (fixed-head cells of a Darcy field, for instance) the
    surplus water leaves the aquifer at the cell's concentration; where they diverge, clean water
    (recharge) enters and dilutes, which the conservative advective fluxes already do.
    """
    net_in = vx_face[:, :-1] - vx_face[:, 1:] + vy_face[:-1, :] - vy_face[1:, :]
    return np.maximum(net_in, 0.0) / (retardation * cell_size_m)


def advective_flow(vx_face: FloatArray, vy_face: FloatArray) -> Flow:
    """The face velocities (m/yr) with the speeds of their diagonal half-paths (m/yr), as
    :func:`advance` takes them (:func:`atlas.plume.half_paths.half_paths`; once per run)."""
    x_paths, y_paths = half_paths(vx_face, vy_face)
    return vx_face, vy_face, x_paths, y_paths, *diagonal_starts(vx_face, vy_face, x_paths, y_paths)


def stable_time_step_yr(
    vx_face: FloatArray,
    vy_face: FloatArray,
    dispersion: Dispersion,
    retardation: float,
    cell_size_m: float,
) -> float:
    """Largest step (yr): advective stages stay convex, dispersion needs <= ``MAX_STAGES`` stages.

    See the module notes. Returns ``inf`` when nothing moves.
    """
    advective = _advective_bound_m_per_yr(vx_face, vy_face) / (retardation * cell_size_m)
    dispersive = dispersive_limit_per_yr(dispersion, 1.0 / (retardation * cell_size_m**2))
    step = min(
        1.0 / advective if advective > 0 else math.inf,
        reach(MAX_STAGES) / dispersive if dispersive > 0 else math.inf,
    )
    return float(step)


@njit(cache=True)
def _advective_bound_m_per_yr(vx_face: FloatArray, vy_face: FloatArray) -> float:
    """Largest ``max(in + out, 2 out)`` of any cell (m/yr), ``in`` and ``out`` the summed face
    speeds into and out of it (see the module notes); one pass, on one thread."""
    fastest = 0.0
    for j in range(vx_face.shape[0]):
        for i in range(vy_face.shape[1]):
            west, east = vx_face[j, i], vx_face[j, i + 1]
            south, north = vy_face[j, i], vy_face[j + 1, i]
            inflow = max(west, 0.0) - min(east, 0.0) + max(south, 0.0) - min(north, 0.0)
            outflow = -min(west, 0.0) + max(east, 0.0) - min(south, 0.0) + max(north, 0.0)
            fastest = max(fastest, inflow + outflow, 2.0 * outflow)
    return fastest


@njit(cache=True)
def dispersive_limit_per_yr(dispersion: Dispersion, inv_r_dx2: float) -> float:
    """Largest dispersive rate ``d`` (1/yr) of any cell, ``inv_r_dx2`` being ``1 / (R dx^2)``
    in 1/m^2: ``1 / d`` is the forward-Euler limit of dispersion. One thread: a run computes
    it once (a parallel loop here left numba's threads spinning between the calls)."""
    ny, nx = dispersion[1].shape[1], dispersion[1].shape[2]
    row = np.empty(nx)
    fastest = 0.0
    for j in range(ny):
        dispersive_weights(dispersion, j, (0, nx), row)
        for i in range(nx):
            fastest = max(fastest, row[i])
    return fastest * inv_r_dx2


@njit(cache=True)
def _advect(
    conc: FloatArray,
    out: FloatArray,
    region: Region,
    dt: float,
    flow: Flow,
    sink: FloatArray,
    inv_r_dx: float,
    held: Held,
    sources: Rates,
    floor: float,
    stage: FloatArray,
) -> tuple[float, float]:
    """One SSP-RK2 advective step of ``conc`` into ``out`` (in ``region``; ``conc`` is left as
    it was), mass-rate sources in both stages; returns ``(held inflow, outflow)`` (the sources'
    own inflow is not included). Each stage computes the rate and the stage together, row by
    row, and the two stages go down the rows together
    (:func:`atlas.plume.stages.advective_chain`); ``stage`` holds the first (scratch; beyond
    the region it must equal ``conc``).

    The step is kept when it stays within ``[min(lowest, 0), highest + rise]`` of the values
    before it (round-off excursions are clipped and counted as inflow), ``rise`` being ``dt``
    times the largest source rate; otherwise it is redone with the fluxes along the grid axes
    alone, whose stages are convex combinations (see the module notes), except at the
    region's edges, whose faces are shut: there negligible solute (at most ``floor``) that
    drifted out of the box of computed cells can gather, and is clipped. Raises
    ``FloatingPointError`` when the redo leaves the range by more, which only a step longer
    than :func:`stable_time_step_yr` or a value that is not finite can cause.
    """
    rise = dt * max(sources[1].max(), 0.0) if sources[1].shape[0] > 0 else 0.0
    combinations = heun(dt)
    for skew in (True, False):
        sums, ranges = advective_chain(
            conc, region, flow, sink, inv_r_dx, held, sources, combinations,
            (stage, stage, out), True, skew,
        )  # fmt: skip
        # the range of conc: clean water enters across the edge and with recharge
        lowest, highest = min(ranges[0, 0], 0.0), ranges[0, 1] + rise
        accepted, clipped = True, 0.0
        if not within((ranges[1, 0], ranges[1, 1]), lowest, highest):
            # along the axes, a region's shut edge can also gather negligible solute that
            # drifted out of the box (it is not convex there): that is clipped too
            negligible = 0.0 if skew else floor
            accepted, clipped = clip_round_off(region, out, lowest, highest, negligible)
        if accepted:
            break
        if not skew:
            raise FloatingPointError(
                "an advective step along the grid axes left the range of the values: the step "
                "is longer than stable_time_step_yr, or a velocity or value is not finite"
            )
    return 0.5 * dt * (sums[0, 1] + sums[1, 1]) + clipped, 0.5 * dt * (sums[0, 0] + sums[1, 0])


def work_arrays(shape: tuple[int, int]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The three arrays of a grid's ``shape`` that :func:`advance` works in, made once per run.

    Made by numpy, not in numba: numpy asks the kernel for huge pages for a large array (and
    numba does not), which saves a page fault per 4 KiB and misses of the address cache in
    every step (at 2048^2, about 0.3 ns per cell-step).
    """
    return np.empty(shape), np.empty(shape), np.empty(shape)


@njit(cache=True)
def advance(
    conc: FloatArray,
    work: tuple[FloatArray, FloatArray, FloatArray],
    n_steps: int,
    dt: float,
    decay_factor: float,
    flow: Flow,
    dispersion: Dispersion,
    fe_limits: float,
    sink: FloatArray,
    inv_dx: float,
    inv_r_dx: float,
    held: Held,
    sources: Rates,
    floor: float,
    first_step: int,
    fourth_order: bool,
) -> tuple[float, float, float]:
    """Advance ``conc`` in place by ``n_steps`` steps of ``dt`` years.

    Parameters
    ----------
    conc : float64 array (ny, nx)
        Concentration, updated in place.
    work : tuple of three float64 arrays (ny, nx)
        Where the steps work (:func:`work_arrays`); any values.
    n_steps : int
        Number of steps.
    dt : float
        Step, in years (no larger than :func:`stable_time_step_yr`).
    decay_factor : float
        ``exp(-lambda dt)``.
    flow : tuple (vx_face, vy_face, x_paths, y_paths, lines, rows)
        Output of :func:`advective_flow`: seepage velocities on faces and the speeds of their
        diagonal half-paths, m/yr, with the diagonal lines each cell starts and the rows that
        have any.
    dispersion : tuple
        Output of :func:`face_dispersion`, m^2/yr.
    fe_limits : float
        ``dt`` in forward-Euler limits of dispersion: ``dt`` times
        :func:`dispersive_limit_per_yr` (taken as given, so that a run of many calls computes
        that limit once).
    sink : float64 array (ny, nx)
        Output of :func:`sink_rate_per_yr`, 1/yr.
    inv_dx, inv_r_dx : float
        ``1 / dx`` and ``1 / (R dx)``, 1/m.
    held : tuple (flat indices int64, values float64, mask bool (ny, nx))
        Cells held at fixed concentrations, as indices with values and as a mask.
    sources : tuple (flat indices int64, rates float64)
        Mass-rate sources as concentration rates (concentration/yr) of single cells.
    floor : float
        Concentrations at or below this are negligible: only the box holding the larger ones
        (and the source cells), widened by the reach of one step, is computed. Use a tiny
        fraction of the largest concentration (the wrapper uses 1e-12 of it), or 0 for all
        nonzero cells.
    first_step : int
        Number of steps taken before this call in the run: it sets the order of the split
        operators (dispersion first on even steps), so that a run advanced in several calls
        alternates exactly as in one.
    fourth_order : bool
        Add the limited fourth-order correction of the exchanges
        (:func:`atlas.plume.fourth_order.correct`) between the two split operators of each
        step (after dispersion when it comes first, before it when advection does), so that
        two consecutive steps are symmetric.

    Returns
    -------
    tuple of float
        ``(inflow, outflow, decayed)`` over the steps, as sums of cell concentrations.
    """
    ny, nx = conc.shape
    inv_r_dx2 = inv_dx * inv_r_dx
    stages = stages_for(fe_limits)
    table = coefficients(stages, dt)
    # each split step reads one of two arrays and writes the other, which then holds the
    # concentration (two per step: after each, conc holds it again); the advective step's first
    # stage, and the rates that share the sources, go to scratch arrays. Outside the region
    # computed, the three the advective step reads equal the concentration: a face value at
    # the region's edge is reconstructed from the cell beyond it
    current, spare, scratch = conc, work[0], (work[1], work[2])
    for array in (spare, scratch[1]):
        copy_region((0, ny, 0, nx), conc, array)
    held_cells = held[0]
    box = (ny, 0, nx, 0)  # empty
    for indices in (held_cells, sources[0]):
        for m in range(indices.shape[0]):
            j, i = indices[m] // nx, indices[m] % nx
            box = (min(box[0], j), max(box[1], j + 1), min(box[2], i), max(box[3], i + 1))
    box = grow_box(conc, floor, (0, ny, 0, nx), box)
    source_box = (ny, 0, nx, 0)
    for m in range(sources[0].shape[0]):
        j, i = sources[0][m] // nx, sources[0][m] % nx
        source_box = (
            min(source_box[0], j),
            max(source_box[1], j + 1),
            min(source_box[2], i),
            max(source_box[3], i + 1),
        )
    stage_reach = dispersion_reach(dispersion)  # cells one dispersive stage can reach
    source_box = around(source_box, stage_reach, ny, nx)
    source_total = sources[1].sum()
    empty = np.empty((0, 0, 0))
    corrections = correction_arrays(dispersion) if fourth_order else (empty, empty, np.empty(0))
    correction_reach = passes(fe_limits) * stage_reach if fourth_order else 0
    inflow = 0.0
    outflow = 0.0
    decayed = 0.0
    half_decay = math.sqrt(decay_factor)
    for step in range(n_steps):
        region = around(box, _ADVECTIVE_REACH + stages * stage_reach + correction_reach, ny, nx)
        if decay_factor < 1.0:
            lost, gained = decay_held(region, current, half_decay, held)
            decayed += lost
            inflow += gained
        to_advection, to_dispersion = share_sources(
            current,
            source_box,
            flow,
            sink,
            inv_r_dx,
            dispersion,
            inv_r_dx2,
            held,
            sources,
            scratch,
        )
        advect_first = (first_step + step) % 2 == 1
        widened = False
        for part in range(2):
            if (part == 0) == advect_first:
                held_in, out = _advect(
                    current,
                    spare,
                    region,
                    dt,
                    flow,
                    sink,
                    inv_r_dx,
                    held,
                    to_advection,
                    floor,
                    scratch[1],
                )
                inflow += dt * source_total + held_in
                outflow += out
                current, spare = spare, current
            else:
                if fourth_order and advect_first:
                    inflow += correct(
                        current, spare, region, dt, fe_limits, dispersion, inv_r_dx2, held,
                        corrections,
                    )  # fmt: skip
                held_in, wide = disperse(
                    current,
                    spare,
                    region,
                    dt,
                    fe_limits,
                    table,
                    dispersion,
                    inv_r_dx2,
                    held,
                    to_dispersion,
                )
                inflow += held_in
                current, spare = spare, current
                widened = wide != region
                region = wide
                if fourth_order and not advect_first:
                    inflow += correct(
                        current, spare, region, dt, fe_limits, dispersion, inv_r_dx2, held,
                        corrections,
                    )  # fmt: skip
        if decay_factor < 1.0:
            lost, gained = decay_held(region, current, half_decay, held)
            decayed += lost
            inflow += gained
        box = grow_box(current, floor, region, box)
        if widened:  # redone on a wider region than the next step's may be: its arrays agree
            for stale in (spare, scratch[1]):
                copy_region(region, current, stale)
    return inflow, outflow, decayed
