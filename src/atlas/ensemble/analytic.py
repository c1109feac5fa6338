"""Exact arrival times of many realizations at once: the analytic path of an ensemble.

For a fixed-concentration inlet in 1-D uniform flow (the Ogata-Banks problem, as
:func:`atlas.plume.analytic.ogata_banks`), the concentration at a distance rises monotonically
with time, so the first time it reaches a fraction of the inlet's is found by bisection,
vectorised over the realizations (each with its own velocity, dispersivity, retardation and
decay). This is the closed form the numerical ensembles are tested against, and a path for
screening many realizations quickly; it is exact for a strip source spanning the aquifer
across the flow, not for a pond in a 2-D plume.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from atlas.errors import AtlasError
from atlas.plume.analytic import first_type_profile

__all__ = ["strip_arrival_yr", "strip_relative_concentration"]

FloatArray = NDArray[np.float64]

BISECTIONS = 36
"""Halvings of the horizon: the arrival time is found to ``horizon_yr / 2**36``."""


def strip_relative_concentration(
    distance_m: ArrayLike,
    time_yr: ArrayLike,
    velocity_m_per_yr: ArrayLike,
    dispersivity_m: ArrayLike,
    *,
    diffusion_m2_per_yr: ArrayLike = 0.0,
    retardation: ArrayLike = 1.0,
    decay_per_yr: ArrayLike = 0.0,
) -> FloatArray:
    """C/C0 at ``distance_m`` downstream of a fixed-concentration inlet switched on at t = 0.

    Every argument broadcasts (one value per realization, or one for all). Dispersion
    ``D = dispersivity_m * velocity_m_per_yr + diffusion_m2_per_yr`` in m²/yr; velocity in m/yr
    (> 0); decay in 1/yr acting on dissolved and sorbed mass. Same solution as
    :func:`atlas.plume.analytic.ogata_banks`, vectorised over the parameters too.

    Returns
    -------
    numpy.ndarray
        C/C0 in [0, 1]; 0 for t <= 0.
    """
    x, t, v, alpha, dm, r, lam = np.broadcast_arrays(
        *(
            np.asarray(a, dtype=float)
            for a in (
                distance_m,
                time_yr,
                velocity_m_per_yr,
                dispersivity_m,
                diffusion_m2_per_yr,
                retardation,
                decay_per_yr,
            )
        )
    )
    d = alpha * v + dm
    mu = lam * r
    started = t > 0
    t_pos = np.where(started, t, 1.0)
    root = 2.0 * np.sqrt(d * r * t_pos)
    relative = first_type_profile(x, t_pos, v, d, r, mu, root)
    return np.where(started, np.clip(relative, 0.0, 1.0), 0.0)


def strip_arrival_yr(
    distance_m: float,
    relative_threshold: float,
    velocity_m_per_yr: ArrayLike,
    dispersivity_m: ArrayLike,
    *,
    horizon_yr: float,
    diffusion_m2_per_yr: ArrayLike = 0.0,
    retardation: ArrayLike = 1.0,
    decay_per_yr: ArrayLike = 0.0,
) -> FloatArray:
    """First time C/C0 reaches ``relative_threshold`` at ``distance_m``, per realization.

    Parameters
    ----------
    distance_m : float
        Distance downstream of the inlet, in m (>= 0).
    relative_threshold : float
        The threshold as a fraction of the inlet concentration, in (0, 1).
    velocity_m_per_yr, dispersivity_m : array_like
        One value per realization (or one for all), in m/yr (> 0) and m.
    horizon_yr : float
        The latest time of interest, in years (> 0).
    diffusion_m2_per_yr, retardation, decay_per_yr : array_like, optional
        As in :func:`strip_relative_concentration`.

    Returns
    -------
    numpy.ndarray
        Years since t = 0, to ``horizon_yr / 2**BISECTIONS``; NaN where it is not reached
        within the horizon.
    """
    if not 0 < relative_threshold < 1 or distance_m < 0 or horizon_yr <= 0:
        raise AtlasError(
            "expected 0 < relative_threshold < 1, distance_m >= 0 and horizon_yr > 0, got "
            f"{relative_threshold!r}, {distance_m!r}, {horizon_yr!r}"
        )
    velocity = np.asarray(velocity_m_per_yr, dtype=float)
    if np.any(velocity <= 0):
        raise AtlasError("velocity_m_per_yr must be > 0 in every realization")
    shape = np.broadcast_shapes(
        velocity.shape,
        *(np.shape(a) for a in (dispersivity_m, diffusion_m2_per_yr, retardation, decay_per_yr)),
    )
    kwargs = {
        "diffusion_m2_per_yr": diffusion_m2_per_yr,
        "retardation": retardation,
        "decay_per_yr": decay_per_yr,
    }

    def excess(time_yr: FloatArray) -> FloatArray:
        concentration = strip_relative_concentration(
            distance_m, time_yr, velocity, dispersivity_m, **kwargs
        )
        return concentration - relative_threshold

    low = np.zeros(shape)
    high = np.full(shape, float(horizon_yr))
    reached = excess(high) >= 0
    for _ in range(BISECTIONS):
        middle = 0.5 * (low + high)
        above = excess(middle) >= 0
        high = np.where(above, middle, high)
        low = np.where(above, low, middle)
    return np.where(reached, high, np.nan)
