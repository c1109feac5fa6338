"""The finite-volume kernel behind :mod:`atlas.plume.transport`, on bare arrays.

Nothing here validates its inputs: :func:`atlas.plume.transport.simulate` does, then calls these
functions. Concentrations are in any unit (the wrapper uses mg/L); mass bookkeeping is returned as
sums of cell concentrations, which the wrapper multiplies by the storage of one cell.

The scheme, for ``R dC/dt = div(D grad C) - div(v C) - lambda R C`` on square cells:

* advection: MUSCL reconstruction with the monotonized-central (MC) limiter, upwind face values
  (the face value downstream of a fixed-concentration cell is the mean of the two cells, so that
  cell acts as a node of known concentration, which is second-order accurate at the inlet);
* dispersion: full tensor on faces; the normal gradient is the two-point difference and the
  transverse gradient is limited as in Sharma and Hammett (2007): the MC limit of the MC slopes of
  the two cells that share the face, capped at twice the smallest of their four one-sided
  differences. It vanishes at any local extremum, and unlike the minmod variant (first order,
  3x the error at 45 degrees in our tests) it keeps the cross terms second-order accurate;
* time: the two-stage strong-stability-preserving Runge-Kutta method (Heun), second order;
* decay: the exact factor ``exp(-lambda dt)`` after every step;
* sinks: where face velocities converge (fixed-head cells of a Darcy field) the surplus water
  leaves with the cell's concentration;
* work: only the box holding the sources and the non-negligible concentrations, widened by the
  reach of one step, is computed; the faces leaving it carry no flux, so mass stays exact.

Why it stays within bounds: each forward-Euler stage is a convex combination of neighbouring
values when ``dt (a + d) <= 1`` in every cell, with the advective rate
``a = max(in + out, 2 out) / (R dx)`` (``in``/``out`` the summed face speeds into/out of the cell)
and the dispersive rate ``d = sum over faces of (D_nn + 2 |D_nt|) / (R dx^2)`` (the 2 is the
cap on the transverse differences); the Runge-Kutta step is a convex combination of such
stages. So concentrations never leave the range of the initial values, fixed concentrations and
clean inflow, whatever the flow direction.

References
----------
van Leer, B. (1977). Towards the ultimate conservative difference scheme III. Journal of
Computational Physics 23, 263-275.
Sharma, P. and Hammett, G. W. (2007). Preserving monotonicity in anisotropic diffusion. Journal
of Computational Physics 227, 123-142.
Gottlieb, S., Shu, C.-W. and Tadmor, E. (2001). Strong stability-preserving high-order time
discretization methods. SIAM Review 43, 89-112.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

__all__ = [
    "Dispersion",
    "Held",
    "Rates",
    "advance",
    "face_dispersion",
    "sink_rate_per_yr",
    "stable_time_step_yr",
]

FloatArray = NDArray[np.float64]
Dispersion = tuple[FloatArray, FloatArray, FloatArray, FloatArray]
Held = tuple[NDArray[np.int64], FloatArray, NDArray[np.bool_]]
Rates = tuple[NDArray[np.int64], FloatArray]
Region = tuple[int, int, int, int]  # rows [j_lo, j_hi) and columns [i_lo, i_hi) of cells

_STENCIL_REACH = 4  # cells one step (two stages of a 2-cell stencil) can reach

_TRANSVERSE_CAP = 2.0  # limited transverse differences never exceed twice the smallest one-sided


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
    """Largest step (yr) for which every stage is a convex combination (see module notes).

    Returns ``inf`` when nothing moves.
    """
    d_xx, d_xy, d_yy, d_yx = dispersion
    west, east = vx_face[:, :-1], vx_face[:, 1:]
    south, north = vy_face[:-1, :], vy_face[1:, :]
    inflow = np.maximum(west, 0) - np.minimum(east, 0) + np.maximum(south, 0) - np.minimum(north, 0)
    outflow = (
        -np.minimum(west, 0) + np.maximum(east, 0) - np.minimum(south, 0) + np.maximum(north, 0)
    )
    advective = np.maximum(inflow + outflow, 2.0 * outflow) / (retardation * cell_size_m)
    x_faces = d_xx + _TRANSVERSE_CAP * np.abs(d_xy)
    y_faces = d_yy + _TRANSVERSE_CAP * np.abs(d_yx)
    dispersive = (x_faces[:, :-1] + x_faces[:, 1:] + y_faces[:-1, :] + y_faces[1:, :]) / (
        retardation * cell_size_m**2
    )
    fastest = float(np.max(advective + dispersive))
    return 1.0 / fastest if fastest > 0 else float("inf")


@njit(cache=True, inline="always")
def _mc_slope(left: float, right: float) -> float:
    """Monotonized-central limited slope from the one-sided differences of a cell."""
    if left * right <= 0.0:
        return 0.0
    central = 0.5 * (left + right)
    size = min(abs(central), 2.0 * abs(left), 2.0 * abs(right))
    return size if central > 0.0 else -size


@njit(cache=True, inline="always")
def _transverse_difference(a: float, b: float, c: float, d: float) -> float:
    """Limited transverse difference at a face from the one-sided differences of its two cells.

    ``(a, c)`` are the one-sided differences of the first cell, ``(b, d)`` of the second. The
    result is the MC limit of the two cells' MC slopes, capped at twice the smallest of the
    four differences: zero unless all four share a sign, and never more than ``2 min |.|``.
    """
    limited = _mc_slope(_mc_slope(a, c), _mc_slope(b, d))
    cap = _TRANSVERSE_CAP * min(min(abs(a), abs(b)), min(abs(c), abs(d)))
    return max(-cap, min(cap, limited))


@njit(cache=True, inline="always")
def _upwind_face_value(
    behind: float,
    upwind: float,
    downwind: float,
    has_behind: bool,
    has_downwind: bool,
    upwind_fixed: bool,
) -> float:
    """Concentration carried across a face, reconstructed in the upwind cell.

    MC-limited MUSCL; first order (the cell value) against the model edge; the mean of the two
    cells when the upwind cell is held at a fixed concentration (a node of known value, like a
    Dirichlet boundary, which makes the inlet second-order accurate).
    """
    if not has_downwind:
        return upwind
    if upwind_fixed:
        return 0.5 * (upwind + downwind)
    if not has_behind:
        return upwind
    return upwind + 0.5 * _mc_slope(upwind - behind, downwind - upwind)


@njit(cache=True)
def _rate(
    conc: FloatArray,
    region: Region,
    velocity: tuple[FloatArray, FloatArray],
    dispersion: Dispersion,
    sink: FloatArray,
    inv_dx: float,
    inv_r_dx: float,
    held: Held,
    sources: Rates,
    rate: FloatArray,
) -> tuple[float, float]:
    """Time derivative of the cells of ``region``, into ``rate``.

    Faces between the region and the rest of the grid carry no flux (both sides hold only
    negligible concentrations there), so mass is conserved exactly. Returns
    ``(outflow, held inflow)``: the rates (concentration sums per yr) at which solute leaves
    across the edge and at sinks, and enters to keep the held cells fixed.
    """
    vx, vy = velocity
    d_xx, d_xy, d_yy, d_yx = dispersion
    fixed = held[2]
    ny, nx = conc.shape
    j_lo, j_hi, i_lo, i_hi = region
    outflow = 0.0
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            loss = sink[j, i] * conc[j, i]
            outflow += loss
            rate[j, i] = -loss
    for j in range(j_lo, j_hi + 1):
        if j < j_hi:  # the x-faces of row j, west to east
            for i in range(i_lo, i_hi + 1):
                if (i == i_lo and i > 0) or (i == i_hi and i < nx):
                    continue
                u = vx[j, i]
                flux = 0.0
                if u > 0.0 and i > 0:
                    flux = u * _upwind_face_value(
                        conc[j, i - 2] if i > 1 else 0.0,
                        conc[j, i - 1],
                        conc[j, i] if i < nx else 0.0,
                        i > 1,
                        i < nx,
                        fixed[j, i - 1],
                    )
                elif u < 0.0 and i < nx:
                    flux = u * _upwind_face_value(
                        conc[j, i + 1] if i < nx - 1 else 0.0,
                        conc[j, i],
                        conc[j, i - 1] if i > 0 else 0.0,
                        i < nx - 1,
                        i > 0,
                        fixed[j, i],
                    )
                if 0 < i < nx:
                    w = conc[j, i - 1]
                    e = conc[j, i]
                    gradient = d_xx[j, i] * (e - w)
                    if d_xy[j, i] != 0.0:
                        north_w = conc[j + 1, i - 1] - w if j < ny - 1 else 0.0
                        north_e = conc[j + 1, i] - e if j < ny - 1 else 0.0
                        south_w = w - conc[j - 1, i - 1] if j > 0 else 0.0
                        south_e = e - conc[j - 1, i] if j > 0 else 0.0
                        gradient += d_xy[j, i] * _transverse_difference(
                            north_w, north_e, south_w, south_e
                        )
                    flux -= gradient * inv_dx
                change = flux * inv_r_dx
                if i > 0:
                    rate[j, i - 1] -= change
                else:
                    outflow -= change
                if i < nx:
                    rate[j, i] += change
                else:
                    outflow += change
        if (j == j_lo and j > 0) or (j == j_hi and j < ny):
            continue
        for i in range(i_lo, i_hi):  # the y-faces below row j, south to north
            u = vy[j, i]
            flux = 0.0
            if u > 0.0 and j > 0:
                flux = u * _upwind_face_value(
                    conc[j - 2, i] if j > 1 else 0.0,
                    conc[j - 1, i],
                    conc[j, i] if j < ny else 0.0,
                    j > 1,
                    j < ny,
                    fixed[j - 1, i],
                )
            elif u < 0.0 and j < ny:
                flux = u * _upwind_face_value(
                    conc[j + 1, i] if j < ny - 1 else 0.0,
                    conc[j, i],
                    conc[j - 1, i] if j > 0 else 0.0,
                    j < ny - 1,
                    j > 0,
                    fixed[j, i],
                )
            if 0 < j < ny:
                s = conc[j - 1, i]
                n = conc[j, i]
                gradient = d_yy[j, i] * (n - s)
                if d_yx[j, i] != 0.0:
                    east_s = conc[j - 1, i + 1] - s if i < nx - 1 else 0.0
                    east_n = conc[j, i + 1] - n if i < nx - 1 else 0.0
                    west_s = s - conc[j - 1, i - 1] if i > 0 else 0.0
                    west_n = n - conc[j, i - 1] if i > 0 else 0.0
                    gradient += d_yx[j, i] * _transverse_difference(east_s, east_n, west_s, west_n)
                flux -= gradient * inv_dx
            change = flux * inv_r_dx
            if j > 0:
                rate[j - 1, i] -= change
            else:
                outflow -= change
            if j < ny:
                rate[j, i] += change
            else:
                outflow += change
    source_cells, source_rate = sources
    cells = rate.reshape(-1)
    for m in range(source_cells.shape[0]):
        cells[source_cells[m]] += source_rate[m]
    held_inflow = 0.0
    for m in range(held[0].shape[0]):
        held_inflow -= cells[held[0][m]]
        cells[held[0][m]] = 0.0
    return outflow, held_inflow


@njit(cache=True)
def _axpy(region: Region, base: FloatArray, dt: float, rate: FloatArray, out: FloatArray) -> None:
    j_lo, j_hi, i_lo, i_hi = region
    for j in range(j_lo, j_hi):
        for i in range(i_lo, i_hi):
            out[j, i] = base[j, i] + dt * rate[j, i]


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
        (and the source cells), widened by the reach of two stages, is computed. Use a tiny
        fraction of the largest concentration (the wrapper uses 1e-30 of it), or 0 for all
        nonzero cells.

    Returns
    -------
    tuple of float
        ``(inflow, outflow, decayed)`` over the steps, as sums of cell concentrations.
    """
    ny, nx = conc.shape
    first = np.zeros_like(conc)
    second = np.zeros_like(conc)
    stage = conc.copy()  # outside the computed region the stage equals conc
    held_cells, held_values, _ = held
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
    for _ in range(n_steps):
        region = _around(box, _STENCIL_REACH, ny, nx)
        out_1, in_1 = _rate(
            conc, region, velocity, dispersion, sink, inv_dx, inv_r_dx, held, sources, first
        )
        _axpy(region, conc, dt, first, stage)
        out_2, in_2 = _rate(
            stage, region, velocity, dispersion, sink, inv_dx, inv_r_dx, held, sources, second
        )
        _average_update(region, conc, dt, first, second)
        inflow += 0.5 * dt * (in_1 + in_2) + dt * source_total
        outflow += 0.5 * dt * (out_1 + out_2)
        if decay_factor < 1.0:
            decayed += _decay(region, conc, decay_factor)
            cells = conc.reshape(-1)
            for m in range(held_cells.shape[0]):
                inflow += held_values[m] - cells[held_cells[m]]
                cells[held_cells[m]] = held_values[m]
        box = _grow_box(conc, floor, region, box)
    return inflow, outflow, decayed
