"""Steady groundwater flow on the model grid: heads, and seepage velocities on cell faces.

Grid convention (shared by every module of :mod:`atlas.plume`): arrays have shape ``(ny, nx)``;
row 0 is the SOUTH edge and the row index grows northward (+y); the column index grows eastward
(+x); cells are squares of side ``cell_size_m``. Face arrays hold ``vx`` on the ``nx + 1``
west-to-east faces of every row, shape ``(ny, nx + 1)``, and ``vy`` on the ``ny + 1`` south-to-north
faces of every column, shape ``(ny + 1, nx)``. Velocities are seepage (pore-water) velocities in
m/yr, positive toward +x (east) and +y (north).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from atlas.errors import GridError, ParameterError
from atlas.plume import heads_solver
from atlas.plume.checks import positive

__all__ = [
    "DAYS_PER_YEAR",
    "cell_velocities",
    "darcy_face_velocities",
    "hydraulic_gradient",
    "steady_heads",
    "uniform_face_velocities",
]

FloatArray = NDArray[np.float64]

DAYS_PER_YEAR = 365.25
"""Days in a (Julian) year: hydraulic conductivity in m/day times this is m/yr."""


def _conductivity(hydraulic_conductivity_m_per_day: ArrayLike) -> FloatArray:
    k = np.asarray(hydraulic_conductivity_m_per_day, dtype=float)
    if k.ndim != 2 or k.size == 0:
        raise GridError(
            f"hydraulic_conductivity_m_per_day must be a non-empty 2-D (ny, nx) array, "
            f"got shape {k.shape!r}"
        )
    bad = ~np.isfinite(k) | (k <= 0)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise GridError(
            f"hydraulic_conductivity_m_per_day must be finite and > 0 everywhere; "
            f"{int(bad.sum())} cells are not, first at row {row}, column {col}: {k[row, col]!r}; "
            "fill gaps (e.g. with a background value) before solving for heads"
        )
    return k


def _harmonic_mean(a: FloatArray, b: FloatArray) -> FloatArray:
    return 2.0 * a * b / (a + b)


def steady_heads(
    hydraulic_conductivity_m_per_day: ArrayLike,
    thickness_m: float,
    cell_size_m: float,
    fixed_head_m: ArrayLike,
    recharge_m_per_yr: float | ArrayLike = 0.0,
    *,
    solver: str = "auto",
) -> FloatArray:
    """Steady hydraulic heads of a single-layer aquifer with fixed-head cells and recharge.

    Parameters
    ----------
    hydraulic_conductivity_m_per_day : array_like, shape (ny, nx)
        Horizontal hydraulic conductivity K, in m/day; finite and > 0 in every cell.
    thickness_m : float
        Saturated thickness b, in m (constant: confined approximation).
    cell_size_m : float
        Side of the square cells, in m.
    fixed_head_m : array_like, shape (ny, nx)
        Prescribed head in m where the head is fixed (rivers, lakes, model edges), NaN elsewhere.
        At least one cell must be fixed.
    recharge_m_per_yr : float or array_like of shape (ny, nx), default 0
        Net recharge, in m/yr (negative for net discharge such as evaporation or pumping).
    solver : {"auto", "direct", "amg"}, default "auto"
        ``direct``: sparse LU (SuperLU), exact to round-off, memory and time growing faster than
        the cell count; ``amg``: conjugate gradients with an algebraic-multigrid preconditioner
        (pyamg's kernels), linear in the cell count, heads within 1e-6 m of the direct solve
        and the same bits in every run; ``auto``: direct up to
        ``heads_solver.DIRECT_MAX_CELLS`` free cells, AMG above.

    Returns
    -------
    numpy.ndarray, shape (ny, nx)
        Hydraulic head, in m; equal to ``fixed_head_m`` in the fixed cells.

    Raises
    ------
    GridError
        If the arrays do not share one 2-D shape, K is not finite and positive, or no cell has
        a fixed head (the problem would have no unique solution).
    atlas.errors.SolverError
        If the AMG iteration does not converge.

    Notes
    -----
    Cell-centred finite volumes for ``div(T grad h) + N = 0`` with transmissivity
    ``T = K b``. The conductance of the face between two cells is the harmonic mean of their
    transmissivities (exact for piecewise-constant K), the outer boundary is no-flow, and
    fixed-head cells are eliminated from the sparse system (see :mod:`atlas.plume.heads_solver`
    for its assembly and solvers). The saturated thickness does not follow the water table:
    this is the confined approximation, adequate while head differences are small against
    ``b``.

    References
    ----------
    Harbaugh, A. W. (2005). MODFLOW-2005, the U.S. Geological Survey modular ground-water
    model: the ground-water flow process. USGS Techniques and Methods 6-A16, chapter 2.
    """
    k = _conductivity(hydraulic_conductivity_m_per_day)
    b = positive("thickness_m", thickness_m)
    dx = positive("cell_size_m", cell_size_m)
    fixed = np.asarray(fixed_head_m, dtype=float)
    recharge = np.broadcast_to(np.asarray(recharge_m_per_yr, dtype=float), k.shape)
    if fixed.shape != k.shape:
        raise GridError(
            f"fixed_head_m must have the shape of hydraulic_conductivity_m_per_day {k.shape!r}, "
            f"got {fixed.shape!r}"
        )
    is_fixed = np.isfinite(fixed)
    if not is_fixed.any():
        raise GridError(
            "fixed_head_m holds no finite value: at least one fixed-head cell (a river, lake or "
            "model edge) is needed to pin the heads"
        )
    if not np.isfinite(recharge).all():
        raise GridError("recharge_m_per_yr must be finite everywhere")

    transmissivity = k * b * DAYS_PER_YEAR  # m^2/yr
    recharge = np.ascontiguousarray(recharge, dtype=float)
    fixed = np.where(is_fixed, fixed, np.nan)  # free cells are NaN (an infinite value too)
    return heads_solver.solve(transmissivity, fixed, recharge, dx, solver)


def darcy_face_velocities(
    heads_m: ArrayLike,
    hydraulic_conductivity_m_per_day: ArrayLike,
    effective_porosity: float,
    cell_size_m: float,
) -> tuple[FloatArray, FloatArray]:
    """Seepage velocities on cell faces from heads, ``v = -K grad(h) / n_e``.

    Parameters
    ----------
    heads_m : array_like, shape (ny, nx)
        Hydraulic head, in m (e.g. from :func:`steady_heads`).
    hydraulic_conductivity_m_per_day : array_like, shape (ny, nx)
        Hydraulic conductivity K, in m/day.
    effective_porosity : float
        Effective porosity n_e (0 < n_e <= 1).
    cell_size_m : float
        Side of the square cells, in m.

    Returns
    -------
    vx_face : numpy.ndarray, shape (ny, nx + 1)
        Seepage velocity toward +x (east) on the west-to-east faces, in m/yr.
    vy_face : numpy.ndarray, shape (ny + 1, nx)
        Seepage velocity toward +y (north) on the south-to-north faces, in m/yr.

    Notes
    -----
    The face conductivity is the harmonic mean of the two cells', as in :func:`steady_heads`, so
    the face fluxes are exactly those of the head solution and balance the recharge in every
    free cell. The outer faces are no-flow (velocity 0): water leaves the model through the
    fixed-head cells, which :func:`atlas.plume.transport.simulate` treats as sinks where the
    flow converges.

    References
    ----------
    Darcy, H. (1856). Les fontaines publiques de la ville de Dijon. Dalmont, Paris.
    """
    k = _conductivity(hydraulic_conductivity_m_per_day) * DAYS_PER_YEAR
    heads = np.asarray(heads_m, dtype=float)
    if heads.shape != k.shape or not np.isfinite(heads).all():
        raise GridError(
            f"heads_m must be finite with the shape of hydraulic_conductivity_m_per_day "
            f"{k.shape!r}, got shape {heads.shape!r}"
        )
    porosity = positive("effective_porosity", effective_porosity)
    if porosity > 1:
        raise ParameterError(
            f"effective_porosity must be in (0, 1] (dimensionless), got {effective_porosity!r}"
        )
    dx = positive("cell_size_m", cell_size_m)
    ny, nx = k.shape
    vx = np.zeros((ny, nx + 1))
    vy = np.zeros((ny + 1, nx))
    vx[:, 1:-1] = -_harmonic_mean(k[:, :-1], k[:, 1:]) * np.diff(heads, axis=1) / dx / porosity
    vy[1:-1, :] = -_harmonic_mean(k[:-1, :], k[1:, :]) * np.diff(heads, axis=0) / dx / porosity
    return vx, vy


def hydraulic_gradient(
    velocity_m_per_yr: ArrayLike,
    effective_porosity: float,
    hydraulic_conductivity_m_per_day: ArrayLike,
) -> FloatArray:
    """The hydraulic gradient that drives a seepage speed: Darcy's law inverted,
    ``i = v n_e / K`` (dimensionless), with ``K`` in m/d turned into m/yr.

    Parameters
    ----------
    velocity_m_per_yr : array_like
        Seepage speed, in m/yr.
    effective_porosity : float
        Effective porosity n_e.
    hydraulic_conductivity_m_per_day : array_like
        Hydraulic conductivity K, in m/d (broadcast against the speed).
    """
    conductivity_m_per_yr = np.asarray(hydraulic_conductivity_m_per_day, float) * DAYS_PER_YEAR
    return np.asarray(velocity_m_per_yr, float) * effective_porosity / conductivity_m_per_yr


def uniform_face_velocities(
    shape: tuple[int, int], velocity_m_per_yr: float, direction_deg: float
) -> tuple[FloatArray, FloatArray]:
    """Face velocities of a uniform flow field, outer faces included.

    Parameters
    ----------
    shape : tuple of int
        Grid shape ``(ny, nx)``.
    velocity_m_per_yr : float
        Seepage speed, in m/yr (>= 0).
    direction_deg : float
        Azimuth the water flows TOWARD, in degrees clockwise from north: 0 = north (+y),
        90 = east (+x), 180 = south, 270 = west.

    Returns
    -------
    vx_face : numpy.ndarray, shape (ny, nx + 1)
        Velocity toward +x, in m/yr.
    vy_face : numpy.ndarray, shape (ny + 1, nx)
        Velocity toward +y, in m/yr.

    Notes
    -----
    ``vx = |v| sin(azimuth)``, ``vy = |v| cos(azimuth)``, exactly 0 and +-|v| at multiples of
    90 degrees (so that flow along a grid axis is not made oblique by round-off). Unlike
    :func:`darcy_face_velocities` the outer faces carry the flow, so water (free of solute) enters
    on the upstream edges and leaves, with its solute, across the downstream edges.
    """
    ny, nx = (int(n) for n in shape)
    if ny < 1 or nx < 1:
        raise GridError(f"shape must be (ny, nx) with ny, nx >= 1, got {shape!r}")
    if not (math.isfinite(velocity_m_per_yr) and velocity_m_per_yr >= 0):
        raise ParameterError(
            f"velocity_m_per_yr must be finite and >= 0 (m/yr), got {velocity_m_per_yr!r}"
        )
    if not math.isfinite(direction_deg):
        raise ParameterError(f"direction_deg must be finite (degrees), got {direction_deg!r}")
    quarters, rest = divmod(direction_deg, 90.0)
    if rest == 0.0:
        # exact along the axes: sin(pi) is 1.2e-16, which would make the flow oblique
        east, north = ((0.0, 1.0), (1.0, 0.0), (0.0, -1.0), (-1.0, 0.0))[int(quarters) % 4]
    else:
        east, north = math.sin(math.radians(direction_deg)), math.cos(math.radians(direction_deg))
    vx = np.full((ny, nx + 1), velocity_m_per_yr * east)
    vy = np.full((ny + 1, nx), velocity_m_per_yr * north)
    return vx, vy


def cell_velocities(
    vx_face_m_per_yr: ArrayLike,
    vy_face_m_per_yr: ArrayLike,
    *,
    fixed_head_m: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Cell-centred velocities: the velocity of the water flowing through each cell.

    Parameters
    ----------
    vx_face_m_per_yr : array_like, shape (ny, nx + 1)
        Velocity toward +x on the west-to-east faces, in m/yr.
    vy_face_m_per_yr : array_like, shape (ny + 1, nx)
        Velocity toward +y on the south-to-north faces, in m/yr.
    fixed_head_m : array_like, shape (ny, nx), optional
        The ``fixed_head_m`` given to :func:`steady_heads` (finite where the head is fixed). It
        marks the cells where water enters or leaves the aquifer; without it, only the cells
        where the faces converge (water leaves) are known.

    Returns
    -------
    vx, vy : numpy.ndarray, shape (ny, nx)
        Cell-centred velocity components, in m/yr.

    Notes
    -----
    Each component is the mean of the cell's two opposite faces, except in a fixed-head cell at
    the model edge whose outer face is a no-flow face (velocity 0, as
    :func:`darcy_face_velocities` leaves it). There the water crosses the edge, into the aquifer
    or out of it, so along that axis the cell reads the velocity of its inner face, not half
    of it. Without ``fixed_head_m`` the fixed-head cells are taken to be the cells where more
    water flows in than out (where it leaves the aquifer); an inflowing fixed-head cell cannot
    be told from a recharged one by its faces, and keeps the mean.
    """
    vx_face = np.asarray(vx_face_m_per_yr, dtype=float)
    vy_face = np.asarray(vy_face_m_per_yr, dtype=float)
    ny, nx = check_face_shapes(vx_face, vy_face)
    vx = 0.5 * (vx_face[:, :-1] + vx_face[:, 1:])
    vy = 0.5 * (vy_face[:-1, :] + vy_face[1:, :])
    if fixed_head_m is None:
        net_in = vx_face[:, :-1] - vx_face[:, 1:] + vy_face[:-1, :] - vy_face[1:, :]
        boundary = net_in > 0
    else:
        fixed = np.asarray(fixed_head_m, dtype=float)
        if fixed.shape != (ny, nx):
            raise GridError(
                f"fixed_head_m must have the grid shape {(ny, nx)!r}, got {fixed.shape!r}"
            )
        boundary = np.isfinite(fixed)
    for outer, inner, column in ((0, 1, 0), (-1, -2, -1)):
        through = boundary[:, column] & (vx_face[:, outer] == 0)
        vx[through, column] = vx_face[through, inner]
        through = boundary[column, :] & (vy_face[outer, :] == 0)
        vy[column, through] = vy_face[inner, through]
    return vx, vy


def check_face_shapes(vx_face: FloatArray, vy_face: FloatArray) -> tuple[int, int]:
    """Grid shape ``(ny, nx)`` implied by a pair of face arrays; GridError if they disagree."""
    if vx_face.ndim != 2 or vy_face.ndim != 2:
        raise GridError(
            f"face velocities must be 2-D, got shapes {vx_face.shape!r} and {vy_face.shape!r}"
        )
    ny, nx = vx_face.shape[0], vx_face.shape[1] - 1
    if nx < 1 or vy_face.shape != (ny + 1, nx):
        raise GridError(
            f"face velocities must have shapes (ny, nx + 1) and (ny + 1, nx); got "
            f"vx_face {vx_face.shape!r} and vy_face {vy_face.shape!r}"
        )
    if not (np.isfinite(vx_face).all() and np.isfinite(vy_face).all()):
        raise GridError("face velocities must be finite everywhere")
    return ny, nx
