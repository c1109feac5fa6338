"""Run a benchmark case with the atlas solver (:func:`atlas.plume.simulate`)."""

from __future__ import annotations

from plume_problem import Case, Solution

from atlas.plume import simulate, uniform_face_velocities


def solve(case: Case) -> Solution:
    """Advance ``case`` to its horizon with :func:`atlas.plume.simulate` (explicit, own step).

    The face velocities are built here, so a timing of this call covers them as well.
    """
    a = case.aquifer
    vx, vy = uniform_face_velocities(
        case.initial_mg_per_l.shape, a.velocity_m_per_yr, a.direction_deg
    )
    result = simulate(
        cell_size_m=case.cell_size_m,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=a.transport,
        output_times_yr=[case.horizon_yr],
        initial_mg_per_l=case.initial_mg_per_l,
    )
    return Solution(result.concentration_mg_per_l[-1], result.n_steps)
