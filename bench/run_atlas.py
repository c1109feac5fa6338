"""Run a benchmark case with the atlas solver (:func:`atlas.plume.simulate`)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from plume_problem import Case

from atlas.plume import TransportParameters, simulate, uniform_face_velocities
from atlas.plume.transport import NEGLIGIBLE_FRACTION

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Solution:
    """Concentration at the end of a run, and what the run cost.

    Attributes
    ----------
    concentration_mg_per_l : numpy.ndarray, shape (n, n)
        Concentration at the horizon, in mg/L.
    seconds : float
        Wall time from the input arrays to the result (``time.perf_counter``), in s.
    n_steps : int
        Time steps taken.
    """

    concentration_mg_per_l: FloatArray
    seconds: float
    n_steps: int


def solve(case: Case) -> Solution:
    """Advance ``case`` to its horizon with :func:`atlas.plume.simulate` (explicit, own step)."""
    a = case.aquifer
    start = time.perf_counter()
    vx, vy = uniform_face_velocities(
        case.initial_mg_per_l.shape, a.velocity_m_per_yr, a.direction_deg
    )
    parameters = TransportParameters(
        effective_porosity=a.effective_porosity,
        thickness_m=a.thickness_m,
        longitudinal_dispersivity_m=a.longitudinal_dispersivity_m,
        transverse_dispersivity_m=a.transverse_dispersivity_m,
    )
    result = simulate(
        cell_size_m=case.cell_size_m,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=parameters,
        output_times_yr=[case.horizon_yr],
        initial_mg_per_l=case.initial_mg_per_l,
    )
    seconds = time.perf_counter() - start
    return Solution(result.concentration_mg_per_l[-1], seconds, result.n_steps)


def active_fraction(case: Case) -> float:
    """Fraction of the grid inside the solver's active box at the start (1 = whole grid).

    The box bounds every cell above ``NEGLIGIBLE_FRACTION`` of the largest concentration
    (see :func:`atlas.plume.simulate`); it only grows from there.
    """
    above = case.initial_mg_per_l > NEGLIGIBLE_FRACTION * case.initial_mg_per_l.max()
    rows, cols = np.flatnonzero(above.any(axis=1)), np.flatnonzero(above.any(axis=0))
    box = (rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1)
    return float(box) / case.cells
