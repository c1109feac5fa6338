"""Time integration of :mod:`atlas.plume.transport`, on bare arrays.

Nothing here validates its inputs: :func:`atlas.plume.transport.simulate` does, then calls these
functions. Concentrations are in any unit (the wrapper uses mg/L); mass bookkeeping is returned as
sums of cell concentrations, which the wrapper multiplies by the storage of one cell.

The scheme, for ``R dC/dt = div(D grad C) - div(v C) - lambda R C`` on square cells, with the
conservative face fluxes of :mod:`atlas.plume.fluxes`:

* splitting: each step advances advection (with sinks) and dispersion (with mass-rate sources)
  separately over the whole step, in alternating order (dispersion first on even steps,
  counted over the whole run, across calls), so that two steps form a Strang splitting,
  second order in time; starting with dispersion halved the error of the other order in our
  trials on a heterogeneous Darcy field with a held source;
* advection: the two-stage strong-stability-preserving Runge-Kutta method (Heun), second order;
* dispersion: the s-stage Runge-Kutta-Legendre super-time-step RKL2 (Meyer et al. 2014), second
  order, stable up to ``(s^2 + s - 2) / 4`` times the forward-Euler limit of dispersion, with
  the fewest stages that reach the step;
* decay: the exact factor ``exp(-lambda dt / 2)`` before and after every step (Strang again,
  so decay of mass added during the step is second order too);
* held cells keep their concentration through every stage; the mass that holds them is inflow
  (for RKL2, accumulated with the stage recursion, so the budget closes to round-off);
* work: only the box holding the sources and the non-negligible concentrations, widened by the
  reach of one step (two cells per advective stage, one per dispersive stage), is computed; the
  faces leaving it carry no flux, so mass stays exact.

Why it stays within bounds. The step is set by advection alone: each advective stage is a convex
combination of neighbouring values when ``dt a <= 1`` in every cell, with
``a = max(in + out, 2 out) / (R dx)`` (``in``/``out`` the summed face speeds into/out of the
cell), so advection never leaves the range of the values, fixed concentrations and clean inflow,
whatever the flow direction. Dispersion alone has a maximum principle; a forward-Euler stage of it
is a convex combination when ``dt d <= 1``, with ``d = sum over faces of (D_nn + 2 |D_nt|) /
(R dx^2)`` (the 2 is the cap on the limited transverse differences). RKL2 reaches ``dt d`` of
``(s^2 + s - 2) / 4`` with ``s`` stages, but its stages are not convex combinations, and in 2-D it
can undershoot next to a sharp peak (any explicit method that beats the forward-Euler limit by
more than its number of stages can, for some monotone operator). So each super-step is checked
against the range of the computed cells before it, the upper end raised by ``dt`` times the
largest mass-rate source rate (the maximum principle with sources): excursions of a few units
in the last place (round-off of the stage recursion) are clipped, and the mass they move is
counted as inflow; larger ones redo the dispersive step with ``ceil(dt d)`` Heun substeps,
whose stages are convex combinations, on a region widened by their reach. Smooth plumes keep
the super-step; a spike costs one redone step. Held cells are written back after the
super-step, so they hold their value exactly.

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

from atlas.plume.fluxes import (
    TRANSVERSE_CAP,
    Dispersion,
    FloatArray,
    Held,
    Rates,
    Region,
    advective_rate,
    dispersive_rate,
)

__all__ = [
    "MAX_STAGES",
    "Dispersion",
    "Held",
    "Rates",
    "advance",
    "face_dispersion",
    "sink_rate_per_yr",
    "stable_time_step_yr",
]

MAX_STAGES = 20
"""Most stages of a dispersion super-step: it spans up to 104.5 forward-Euler limits."""

_ADVECTIVE_REACH = 4  # cells one advective step (two stages of a 2-cell stencil) can reach


def face_dispersion(
    vx_face: FloatArray,
    vy_face: FloatArray,
    longitudinal_dispersivity_m: float,
    transverse_dispersivity_m: float,
    molecular_diffusion_m2_per_yr: float,
) -> Dispersion:
    """Dispersion tensor components on the interior faces, in m^2/yr.

    Returns ``(d_xx, d_xy)`` on the x-faces, shape (ny, nx + 1), and ``(d_yy, d_yx)`` on the
    y-faces, shape (ny + 1, nx); zero on the outer faces, which carry no dispersive flux.
    ``D_ij = alpha_T |v| delta_ij + (alpha_L - alpha_T) v_i v_j / |v| + D_m``, with the velocity
    component across a face taken as the mean of the four nearest faces of the other family.
    """
    ny, nx = vx_face.shape[0], vx_face.shape[1] - 1
    vy_on_x = np.zeros_like(vx_face)
    vy_on_x[:, 1:-1] = 0.25 * (
        vy_face[:-1, :-1] + vy_face[1:, :-1] + vy_face[:-1, 1:] + vy_face[1:, 1:]
    )
    vx_on_y = np.zeros_like(vy_face)
    vx_on_y[1:-1, :] = 0.25 * (
        vx_face[:-1, :-1] + vx_face[:-1, 1:] + vx_face[1:, :-1] + vx_face[1:, 1:]
    )

    def tensor(normal: FloatArray, tangent: FloatArray) -> tuple[FloatArray, FloatArray]:
        speed = np.hypot(normal, tangent)
        moving = speed > 0
        safe = np.where(moving, speed, 1.0)
        unit_normal = np.where(moving, normal / safe, 0.0)
        unit_tangent = np.where(moving, tangent / safe, 0.0)
        excess = (longitudinal_dispersivity_m - transverse_dispersivity_m) * speed
        along = (
            transverse_dispersivity_m * speed
            + excess * unit_normal**2
            + molecular_diffusion_m2_per_yr
        )
        return along, excess * unit_normal * unit_tangent

    d_xx, d_xy = tensor(vx_face, vy_on_x)
    d_yy, d_yx = tensor(vy_face, vx_on_y)
    for array in (d_xx, d_xy):
        array[:, [0, nx]] = 0.0
    for array in (d_yy, d_yx):
        array[[0, ny], :] = 0.0
    return d_xx, d_xy, d_yy, d_yx


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
    west, east = vx_face[:, :-1], vx_face[:, 1:]
    south, north = vy_face[:-1, :], vy_face[1:, :]
    inflow = np.maximum(west, 0) - np.minimum(east, 0) + np.maximum(south, 0) - np.minimum(north, 0)
    outflow = (
        -np.minimum(west, 0) + np.maximum(east, 0) - np.minimum(south, 0) + np.maximum(north, 0)
    )
    advective = float(np.max(np.maximum(inflow + outflow, 2.0 * outflow))) / (
        retardation * cell_size_m
    )
    dispersive = _dispersive_limit(dispersion, 1.0 / (retardation * cell_size_m**2))
    step = min(
        1.0 / advective if advective > 0 else math.inf,
        _rkl2_reach(MAX_STAGES) / dispersive if dispersive > 0 else math.inf,
    )
    return float(step)


@njit(cache=True)
def _dispersive_limit(dispersion: Dispersion, inv_r_dx2: float) -> float:
    """Largest dispersive rate ``d`` (1/yr) of any cell: ``1 / d`` is the forward-Euler limit."""
    d_xx, d_xy, d_yy, d_yx = dispersion
    ny, nx = d_xx.shape[0], d_xx.shape[1] - 1
    fastest = 0.0
    for j in range(ny):
        for i in range(nx):
            total = (
                d_xx[j, i]
                + d_xx[j, i + 1]
                + d_yy[j, i]
                + d_yy[j + 1, i]
                + TRANSVERSE_CAP
                * (abs(d_xy[j, i]) + abs(d_xy[j, i + 1]) + abs(d_yx[j, i]) + abs(d_yx[j + 1, i]))
            )
            fastest = max(fastest, total)
    return fastest * inv_r_dx2


@njit(cache=True)
def _rkl2_reach(stages: int) -> float:
    """Step of an RKL2 super-step of ``stages`` stages, in forward-Euler limits."""
    return (stages * stages + stages - 2) / 4.0


@njit(cache=True)
def _rkl2_stages(fe_limits: float) -> int:
    """Fewest RKL2 stages (at least 2) whose step spans ``fe_limits`` forward-Euler limits."""
    stages = 2
    while _rkl2_reach(stages) < fe_limits:
        stages += 1
    return stages


@njit(cache=True)
def _rkl2_coefficients(stages: int, dt: float) -> FloatArray:
    """RKL2 coefficients (Meyer et al. 2014, eq. 17), one row per stage ``j = 1..s``.

    Columns ``(mu, nu, mu~ dt, gamma~ dt)`` of the recursion
    ``Y_j = mu Y_{j-1} + nu Y_{j-2} + (1 - mu - nu) Y_0 + mu~ dt M(Y_{j-1}) + gamma~ dt M(Y_0)``,
    with ``Y_1 = Y_0 + mu~_1 dt M(Y_0)`` (row 0 is unused).
    """
    w1 = 4.0 / (stages * stages + stages - 2)
    b = np.empty(stages + 1)
    for j in range(stages + 1):
        b[j] = 1.0 / 3.0 if j < 2 else (j * j + j - 2) / (2.0 * j * (j + 1))
    table = np.zeros((stages + 1, 4))
    table[1, 2] = b[1] * w1 * dt
    for j in range(2, stages + 1):
        mu = (2 * j - 1) / j * b[j] / b[j - 1]
        table[j, 0] = mu
        table[j, 1] = -(j - 1) / j * b[j] / b[j - 2]
        table[j, 2] = mu * w1 * dt
        table[j, 3] = -(1.0 - b[j - 1]) * mu * w1 * dt
    return table


@njit(cache=True)
def _rkl_stage(
    region: Region,
    coefficients: FloatArray,
    first: FloatArray,
    previous: FloatArray,
    before: FloatArray,
    rate: FloatArray,
    first_rate: FloatArray,
    out: FloatArray,
) -> None:
    """One RKL2 stage into ``out`` (which may be ``before``), in the cells of ``region``."""
    mu, nu, mu_dt, gamma_dt = coefficients
    rest = 1.0 - mu - nu
    j_lo, j_hi, i_lo, i_hi = region
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            out[j, i] = (
                mu * previous[j, i]
                + nu * before[j, i]
                + rest * first[j, i]
                + mu_dt * rate[j, i]
                + gamma_dt * first_rate[j, i]
            )


@njit(cache=True)
def _axpy(region: Region, base: FloatArray, dt: float, rate: FloatArray, out: FloatArray) -> None:
    j_lo, j_hi, i_lo, i_hi = region
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            out[j, i] = base[j, i] + dt * rate[j, i]


@njit(cache=True)
def _copy(region: Region, source: FloatArray, out: FloatArray) -> None:
    j_lo, j_hi, i_lo, i_hi = region
    out[j_lo:j_hi, i_lo:i_hi] = source[j_lo:j_hi, i_lo:i_hi]


@njit(cache=True)
def _average_update(
    region: Region, conc: FloatArray, dt: float, first: FloatArray, second: FloatArray
) -> None:
    j_lo, j_hi, i_lo, i_hi = region
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            conc[j, i] += 0.5 * dt * (first[j, i] + second[j, i])


@njit(cache=True)
def _decay(region: Region, conc: FloatArray, factor: float) -> float:
    j_lo, j_hi, i_lo, i_hi = region
    total = 0.0
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            total += conc[j, i]
            conc[j, i] *= factor
    return total * (1.0 - factor)


@njit(cache=True)
def _grow_box(conc: FloatArray, floor: float, region: Region, box: Region) -> Region:
    """``box`` grown to hold every cell of ``region`` whose concentration exceeds ``floor``."""
    j_lo, j_hi, i_lo, i_hi = box
    for j in range(region[0], region[1]):
        for i in range(region[2], region[3]):
            if abs(conc[j, i]) > floor:
                j_lo, j_hi = min(j_lo, j), max(j_hi, j + 1)
                i_lo, i_hi = min(i_lo, i), max(i_hi, i + 1)
    return j_lo, j_hi, i_lo, i_hi


@njit(cache=True)
def _around(box: Region, margin: int, ny: int, nx: int) -> Region:
    """``box`` widened by ``margin`` cells on every side, within the grid (empty stays empty)."""
    if box[0] >= box[1]:
        return box
    return (
        max(box[0] - margin, 0),
        min(box[1] + margin, ny),
        max(box[2] - margin, 0),
        min(box[3] + margin, nx),
    )


@njit(cache=True)
def _advect(
    conc: FloatArray,
    region: Region,
    dt: float,
    velocity: tuple[FloatArray, FloatArray],
    sink: FloatArray,
    inv_r_dx: float,
    held: Held,
    work: tuple[FloatArray, FloatArray, FloatArray],
) -> tuple[float, float]:
    """One SSP-RK2 advective step of ``conc`` in place; returns ``(held inflow, outflow)``."""
    first, second, stage = work
    out_1, in_1 = advective_rate(conc, region, velocity, sink, inv_r_dx, held, first)
    _axpy(region, conc, dt, first, stage)
    out_2, in_2 = advective_rate(stage, region, velocity, sink, inv_r_dx, held, second)
    _average_update(region, conc, dt, first, second)
    return 0.5 * dt * (in_1 + in_2), 0.5 * dt * (out_1 + out_2)


@njit(cache=True)
def _disperse(
    conc: FloatArray,
    region: Region,
    dt: float,
    fe_limits: float,
    table: FloatArray,
    dispersion: Dispersion,
    inv_r_dx2: float,
    held: Held,
    sources: Rates,
    work: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
) -> tuple[float, Region]:
    """One dispersive step of ``conc`` in place; returns the held inflow and the region done.

    The RKL2 super-step (stages from ``table``) is kept when it stays within the bounds of the
    module notes; otherwise the step is redone with the fewest SSP-RK2 substeps whose stages are
    convex combinations (``fe_limits`` is ``dt`` in forward-Euler limits of dispersion), on
    ``region`` widened by their reach, which is then the region returned.
    """
    first_rate, rate, previous, before = work
    stages = table.shape[0] - 1
    in_0 = dispersive_rate(conc, region, dispersion, inv_r_dx2, held, sources, first_rate)
    _rkl_stage(region, table[1], conc, conc, conc, first_rate, first_rate, previous)
    inflow, inflow_before = table[1, 2] * in_0, 0.0
    for j in range(2, stages + 1):
        in_j = dispersive_rate(previous, region, dispersion, inv_r_dx2, held, sources, rate)
        earlier = conc if j == 2 else before  # Y_{j-2}
        _rkl_stage(region, table[j], conc, previous, earlier, rate, first_rate, before)
        mu, nu, mu_dt, gamma_dt = table[j]
        inflow, inflow_before = (
            mu * inflow + nu * inflow_before + mu_dt * in_j + gamma_dt * in_0,
            inflow,
        )
        previous, before = before, previous
    inflow += _restore_held(previous, held)
    rise = dt * max(sources[1].max(), 0.0) if sources[1].shape[0] > 0 else 0.0
    accepted, clipped = _clip_to_range(region, previous, conc, rise)
    if accepted:
        _copy(region, previous, conc)
        return inflow + clipped, region
    substeps = max(1, math.ceil(fe_limits))
    wide = _around(region, 2 * substeps, conc.shape[0], conc.shape[1])
    h = dt / substeps
    inflow = 0.0
    for _ in range(substeps):
        in_1 = dispersive_rate(conc, wide, dispersion, inv_r_dx2, held, sources, first_rate)
        _axpy(wide, conc, h, first_rate, previous)
        in_2 = dispersive_rate(previous, wide, dispersion, inv_r_dx2, held, sources, rate)
        _average_update(wide, conc, h, first_rate, rate)
        inflow += 0.5 * h * (in_1 + in_2)
    return inflow, wide


@njit(cache=True)
def _restore_held(conc: FloatArray, held: Held) -> float:
    """Write the held values back into ``conc``; returns the mass that took (inflow)."""
    cells_held, values, _ = held
    cells = conc.reshape(-1)
    inflow = 0.0
    for m in range(cells_held.shape[0]):
        inflow += values[m] - cells[cells_held[m]]
        cells[cells_held[m]] = values[m]
    return inflow


_ROUND_OFF = 8.0 * np.finfo(np.float64).eps
"""Relative size of an excursion beyond the bounds that is round-off, not a failure."""


@njit(cache=True)
def _clip_to_range(
    region: Region, field: FloatArray, reference: FloatArray, rise: float
) -> tuple[bool, float]:
    """Whether ``field`` stays within ``[min, max + rise]`` of ``reference`` in ``region``.

    Excursions up to :data:`_ROUND_OFF` of the largest magnitude are clipped to the bounds;
    returns whether the field is accepted and the mass the clipping added.
    """
    j_lo, j_hi, i_lo, i_hi = region
    lowest, highest = math.inf, -math.inf
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            lowest = min(lowest, reference[j, i])
            highest = max(highest, reference[j, i])
    highest += rise
    slack = _ROUND_OFF * max(abs(lowest), abs(highest))
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            if not lowest - slack <= field[j, i] <= highest + slack:
                return False, 0.0
    added = 0.0
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            value = min(max(field[j, i], lowest), highest)
            added += value - field[j, i]
            field[j, i] = value
    return True, added


@njit(cache=True)
def _decay_held(region: Region, conc: FloatArray, factor: float, held: Held) -> tuple[float, float]:
    """Decay ``conc`` by ``factor`` in ``region``, then restore the held cells; returns
    ``(decayed, inflow)``."""
    return _decay(region, conc, factor), _restore_held(conc, held)


@njit(cache=True)
def advance(
    conc: FloatArray,
    n_steps: int,
    dt: float,
    decay_factor: float,
    velocity: tuple[FloatArray, FloatArray],
    dispersion: Dispersion,
    sink: FloatArray,
    inv_dx: float,
    inv_r_dx: float,
    held: Held,
    sources: Rates,
    floor: float,
    first_step: int,
) -> tuple[float, float, float]:
    """Advance ``conc`` in place by ``n_steps`` steps of ``dt`` years.

    Parameters
    ----------
    conc : float64 array (ny, nx)
        Concentration, updated in place.
    n_steps : int
        Number of steps.
    dt : float
        Step, in years (no larger than :func:`stable_time_step_yr`).
    decay_factor : float
        ``exp(-lambda dt)``.
    velocity : tuple (vx_face, vy_face)
        Seepage velocities on faces, m/yr.
    dispersion : tuple
        Output of :func:`face_dispersion`, m^2/yr.
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
        fraction of the largest concentration (the wrapper uses 1e-30 of it), or 0 for all
        nonzero cells.
    first_step : int
        Number of steps taken before this call in the run: it sets the order of the split
        operators (dispersion first on even steps), so that a run advanced in several calls
        alternates exactly as in one.

    Returns
    -------
    tuple of float
        ``(inflow, outflow, decayed)`` over the steps, as sums of cell concentrations.
    """
    ny, nx = conc.shape
    inv_r_dx2 = inv_dx * inv_r_dx
    fe_limits = dt * _dispersive_limit(dispersion, inv_r_dx2)
    stages = _rkl2_stages(fe_limits)
    table = _rkl2_coefficients(stages, dt)
    # outside the computed region every work array equals conc
    advective_work = (np.zeros_like(conc), np.zeros_like(conc), conc.copy())
    dispersive_work = (np.zeros_like(conc), np.zeros_like(conc), conc.copy(), conc.copy())
    held_cells = held[0]
    box = (ny, 0, nx, 0)  # empty
    for indices in (held_cells, sources[0]):
        for m in range(indices.shape[0]):
            j, i = indices[m] // nx, indices[m] % nx
            box = (min(box[0], j), max(box[1], j + 1), min(box[2], i), max(box[3], i + 1))
    box = _grow_box(conc, floor, (0, ny, 0, nx), box)
    source_total = sources[1].sum()
    inflow = 0.0
    outflow = 0.0
    decayed = 0.0
    half_decay = math.sqrt(decay_factor)
    for step in range(n_steps):
        region = _around(box, _ADVECTIVE_REACH + stages, ny, nx)
        if decay_factor < 1.0:
            lost, gained = _decay_held(region, conc, half_decay, held)
            decayed += lost
            inflow += gained
        advect_first = (first_step + step) % 2 == 1
        for part in range(2):
            if (part == 0) == advect_first:
                held_in, out = _advect(
                    conc, region, dt, velocity, sink, inv_r_dx, held, advective_work
                )
                inflow += held_in
                outflow += out
            else:
                held_in, region = _disperse(
                    conc,
                    region,
                    dt,
                    fe_limits,
                    table,
                    dispersion,
                    inv_r_dx2,
                    held,
                    sources,
                    dispersive_work,
                )
                inflow += dt * source_total + held_in
        if decay_factor < 1.0:
            lost, gained = _decay_held(region, conc, half_decay, held)
            decayed += lost
            inflow += gained
        box = _grow_box(conc, floor, region, box)
    return inflow, outflow, decayed
