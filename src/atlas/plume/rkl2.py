"""The dispersive step of :mod:`atlas.plume.scheme`: an RKL2 super-step, checked against bounds.

The s-stage Runge-Kutta-Legendre method RKL2 (Meyer et al. 2014) is second order and stable up
to ``(s^2 + s - 2) / 4`` times the forward-Euler limit of dispersion. Its stages are not convex
combinations, so a super-step that leaves the range of the values it started from (beyond
round-off) is redone with Heun substeps whose stages are; see :mod:`atlas.plume.scheme` for why.

References
----------
Meyer, C. D., Balsara, D. S. and Aslam, T. D. (2014). A stabilized Runge-Kutta-Legendre method
for explicit super-time-stepping of parabolic and mixed equations. Journal of Computational
Physics 257, 594-626.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from atlas.plume.fluxes import Dispersion, FloatArray, Held, Rates, Region
from atlas.plume.regions import around, clip_round_off, copy_region, restore_held, within
from atlas.plume.selling import dispersion_reach
from atlas.plume.stages import dispersive_chain, heun

__all__ = ["coefficients", "disperse", "reach", "stages_for"]


@njit(cache=True)
def reach(stages: int) -> float:
    """Step of an RKL2 super-step of ``stages`` stages, in forward-Euler limits."""
    return (stages * stages + stages - 2) / 4.0


@njit(cache=True)
def stages_for(fe_limits: float) -> int:
    """Fewest RKL2 stages (at least 2) whose step spans ``fe_limits`` forward-Euler limits."""
    stages = 2
    while reach(stages) < fe_limits:
        stages += 1
    return stages


@njit(cache=True)
def coefficients(stages: int, dt: float) -> FloatArray:
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
def _held_range(held: Held) -> tuple[float, float]:
    """Smallest and largest held value (``inf`` and ``-inf`` for none)."""
    values = held[1]
    if values.shape[0] == 0:
        return np.inf, -np.inf
    return values.min(), values.max()


@njit(cache=True)
def disperse(
    conc: FloatArray,
    out: FloatArray,
    region: Region,
    dt: float,
    fe_limits: float,
    table: FloatArray,
    dispersion: Dispersion,
    inv_r_dx2: float,
    held: Held,
    sources: Rates,
) -> tuple[float, Region]:
    """One dispersive step of ``conc`` into ``out``; returns the held inflow and the region
    done, where ``out`` holds the step (``conc`` is left as it was, except when the step is
    redone: then it is scratch in the region returned).

    The RKL2 super-step (stages from ``table``) is kept when it stays within the bounds of the
    module notes; otherwise the step is redone with the fewest SSP-RK2 substeps whose stages are
    convex combinations (``fe_limits`` is ``dt`` in forward-Euler limits of dispersion), on
    ``region`` widened by their reach, which is then the region returned. Each stage computes
    the rate and the stage together, row by row, and the stages go down the rows together
    (:func:`atlas.plume.stages.dispersive_chain`).
    """
    stages = table.shape[0] - 1
    combinations = np.zeros((stages, 5))
    combinations[0, 0], combinations[0, 3] = 1.0, table[1, 2]
    for j in range(2, stages + 1):
        mu, nu, mu_dt, gamma_dt = table[j]
        combinations[j - 1] = mu, nu, 1.0 - mu - nu, mu_dt, gamma_dt
    held_inflow, ranges = dispersive_chain(
        conc, region, dispersion, inv_r_dx2, held, sources, combinations,
        out, True,
    )  # fmt: skip
    in_0 = held_inflow[0]
    inflow, inflow_before = table[1, 2] * in_0, 0.0
    for j in range(2, stages + 1):
        mu, nu, mu_dt, gamma_dt = table[j]
        inflow, inflow_before = (
            mu * inflow + nu * inflow_before + mu_dt * held_inflow[j - 1] + gamma_dt * in_0,
            inflow,
        )
    inflow += restore_held(out, held)
    rise = dt * max(sources[1].max(), 0.0) if sources[1].shape[0] > 0 else 0.0
    lowest, highest = ranges[0, 0], ranges[0, 1] + rise  # of conc, and the rise
    # the result's range was taken before the held cells were restored: their values count too
    accepted, clipped = True, 0.0
    if not (
        within((ranges[1, 0], ranges[1, 1]), lowest, highest)
        and within(_held_range(held), lowest, highest)
    ):
        accepted, clipped = clip_round_off(region, out, lowest, highest)
    if accepted:
        return inflow + clipped, region
    substeps = max(1, math.ceil(fe_limits))
    wide = around(region, 2 * substeps * dispersion_reach(dispersion), *conc.shape)
    h = dt / substeps
    substep_combinations = heun(h)
    inflow = 0.0
    for substep in range(substeps):
        before, after = (conc, out) if substep % 2 == 0 else (out, conc)
        held_inflow, _ = dispersive_chain(
            before, wide, dispersion, inv_r_dx2, held, sources, substep_combinations,
            after, True,
        )  # fmt: skip
        inflow += 0.5 * h * (held_inflow[0] + held_inflow[1])
    if substeps % 2 == 0:
        copy_region(wide, conc, out)
    return inflow, wide
