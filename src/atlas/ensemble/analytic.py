"""Exact arrival times of many realizations at once: the analytic path of an ensemble.

For a fixed-concentration inlet in 1-D uniform flow (the Ogata-Banks problem, as
:func:`atlas.plume.analytic.ogata_banks`), the concentration at a distance rises monotonically
with time, so the first time it reaches a fraction of the inlet's is found by bisection,
vectorised over the realizations (each with its own velocity, dispersivity, retardation and
decay). This is the closed form the numerical ensembles are tested against, and a path for
screening many realizations quickly; it is exact for a strip source spanning the aquifer
across the flow, not for a pond in a 2-D plume. :func:`atlas.ensemble.run_ensemble` takes it
for the realizations of a scenario that is such a strip (:func:`strip_of`), in closed form
(:func:`strip_realizations`), and the numerical solver for every other.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from atlas.errors import AtlasError
from atlas.plume.analytic import first_type_profile
from atlas.scenario import Scenario, UniformFlow
from atlas.scenario.uncertainty import Prior

__all__ = [
    "Strip",
    "strip_arrival_yr",
    "strip_of",
    "strip_realizations",
    "strip_relative_concentration",
]

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


class Strip(NamedTuple):
    """A scenario that is exactly the 1-D problem of :func:`strip_relative_concentration`.

    Attributes
    ----------
    distance_m : numpy.ndarray, shape (ny, nx)
        Distance of each cell centre downstream of the inlet (the centre of the last held line
        of cells), m; 0 in the held cells.
    receptor_distance_m : numpy.ndarray, shape (n_receptors,)
        Distance of each receptor's nearest cell (where its highest concentration is), m.
    observation_distance_m : numpy.ndarray, shape (n_observations,)
        The same for each observation.
    """

    distance_m: np.ndarray
    receptor_distance_m: np.ndarray
    observation_distance_m: np.ndarray


_SAMPLEABLE = {
    "velocity_m_per_yr",
    "effective_porosity",
    "thickness_m",
    "longitudinal_dispersivity_m",
    "transverse_dispersivity_m",
    "retardation",
    "half_life_yr",
    "molecular_diffusion_m2_per_yr",
    "hydraulic_conductivity_m_per_day",
}


def _along_flow(scenario: Scenario) -> np.ndarray | None:
    """Index of each cell's line across the flow, counted from the upstream edge (uniform flow
    along a grid axis only)."""
    flow, grid = scenario.flow, scenario.grid
    if not isinstance(flow, UniformFlow) or flow.direction_deg % 90.0 != 0.0:
        return None
    rows, columns = np.indices(grid.shape)  # y-up: row 0 is the south edge
    quarter = int(flow.direction_deg // 90.0) % 4  # toward north, east, south, west
    return (rows, columns, grid.ny - 1 - rows, grid.nx - 1 - columns)[quarter]


def strip_of(scenario: Scenario, priors: tuple[Prior, ...]) -> Strip | None:
    """The scenario as an exact 1-D strip problem, or None when it is not one.

    It is one when the flow is uniform along a grid axis with a speed > 0; the only source holds
    a concentration from t = 0 to the horizon, does not leak, and covers whole lines of cells
    across the flow from the upstream edge (an inlet spanning the aquifer); there is no initial
    plume and the velocity and dispersion are > 0 whatever the priors draw; every receptor and
    observation lies downstream of the held cells; and the priors sample only the velocity,
    aquifer parameters and the source's concentration (not the direction). Its concentration
    is then Ogata-Banks' of the distance from the inlet, whatever the position across the flow.
    """
    along = _along_flow(scenario)
    if along is None or scenario.initial is not None or len(scenario.sources) != 1:
        return None
    (source,) = scenario.sources
    end = scenario.horizon_yr if source.end_yr is None else source.end_yr
    if (
        source.concentration_mg_per_l is None
        or source.start_yr != 0.0
        or end < scenario.horizon_yr
        or source.leakage_mm_per_yr is not None
        or source.leakage_m3_per_day is not None
    ):
        return None
    allowed = _SAMPLEABLE | {f"source.{source.name}.concentration_mg_per_l"}
    if any(p.sampled and p.key not in allowed for p in priors):
        return None
    if not _positive_transport(scenario, priors):
        return None
    held = scenario.grid.rasterize(source.geometry)
    lines = int(along[held].max()) + 1 if held.any() else 0
    if lines == 0 or not np.array_equal(held, along < lines):
        return None
    distance = np.maximum(along - (lines - 1), 0) * scenario.grid.cell_size_m

    def nearest(geometries: list[Any]) -> np.ndarray:
        return np.array([distance[scenario.grid.rasterize(g)].min() for g in geometries])

    receptors = nearest([r.geometry for r in scenario.receptors])
    observations = nearest([o.geometry for o in scenario.observations])
    if (receptors <= 0).any() or (observations <= 0).any():
        return None
    return Strip(distance, receptors, observations)


def _positive_transport(scenario: Scenario, priors: tuple[Prior, ...] = ()) -> bool:
    """Whether the velocity and the dispersion are > 0 (the closed form needs both) in the
    scenario and in every value the priors can take."""
    aquifer, flow = scenario.aquifer, scenario.flow
    lowest = {
        "velocity_m_per_yr": flow.velocity_m_per_yr if isinstance(flow, UniformFlow) else 0.0,
        "longitudinal_dispersivity_m": aquifer.longitudinal_dispersivity_m,
        "molecular_diffusion_m2_per_yr": aquifer.molecular_diffusion_m2_per_yr,
    }
    for prior in priors:
        if prior.key in lowest:
            lowest[prior.key] = prior.support[0]
    speed = lowest["velocity_m_per_yr"]
    dispersion = lowest["longitudinal_dispersivity_m"] * speed
    return speed > 0 and dispersion + lowest["molecular_diffusion_m2_per_yr"] > 0


def strip_realizations(
    scenarios: list[Scenario], strip: Strip
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fields, arrival times and observed values of realizations of a strip, in closed form.

    Parameters
    ----------
    scenarios : list of Scenario
        The realizations (:func:`atlas.ensemble.sampling.realize`), all of one strip.
    strip : Strip
        Their geometry (:func:`strip_of`).

    Returns
    -------
    fields : numpy.ndarray, shape (k, n_times, ny, nx)
        Concentration at the output times, mg/L, y-up (the held cells at the source's value).
    arrival : numpy.ndarray, shape (k, n_receptors, n_thresholds)
        First arrival, years since t = 0 (to ``horizon / 2**BISECTIONS``); NaN: not within the
        horizon (or a threshold at or above the source's concentration).
    observed : numpy.ndarray, shape (k, n_observations)
        Concentration at each observation at its time, mg/L.

    Raises
    ------
    AtlasError
        When a realization has no flow or no dispersion.
    """
    if not all(_positive_transport(s) for s in scenarios):
        raise AtlasError("the analytic path needs a velocity and a dispersion > 0")
    base = scenarios[0]
    aquifer = [s.aquifer for s in scenarios]

    def column(values: list[float]) -> np.ndarray:
        return np.asarray(values, dtype=float)[:, None, None]

    velocity = column([s.flow.velocity_m_per_yr for s in scenarios])  # type: ignore[union-attr]
    held = column([s.sources[0].concentration_mg_per_l for s in scenarios])  # type: ignore[misc]
    parameters = {
        "diffusion_m2_per_yr": column([a.molecular_diffusion_m2_per_yr for a in aquifer]),
        "retardation": column([a.retardation for a in aquifer]),
        "decay_per_yr": column(
            [0.0 if a.half_life_yr is None else math.log(2) / a.half_life_yr for a in aquifer]
        ),
    }
    alpha = column([a.longitudinal_dispersivity_m for a in aquifer])
    lines = np.unique(strip.distance_m)  # (n_lines,), ascending
    times = np.asarray(base.output_times_yr, dtype=float)[None, :, None]
    relative = strip_relative_concentration(lines, times, velocity, alpha, **parameters)
    relative[..., lines == 0] = 1.0  # the held cells
    fields = (held * relative)[..., np.searchsorted(lines, strip.distance_m)]
    arrival = np.full((len(scenarios), len(base.receptors), len(base.thresholds_mg_per_l)), np.nan)
    observed = np.empty((len(scenarios), len(base.observations)))
    for k in range(len(scenarios)):
        one = {name: value[k, 0, 0] for name, value in parameters.items()}
        c0, v, a = held[k, 0, 0], velocity[k, 0, 0], alpha[k, 0, 0]
        for r, distance in enumerate(strip.receptor_distance_m):
            for t, threshold in enumerate(base.thresholds_mg_per_l):
                if threshold < c0:
                    arrival[k, r, t] = strip_arrival_yr(
                        float(distance), threshold / c0, v, a, horizon_yr=base.horizon_yr, **one
                    )
        for j, observation in enumerate(base.observations):
            value = strip_relative_concentration(
                strip.observation_distance_m[j], observation.time_yr, v, a, **one
            )
            observed[k, j] = c0 * float(value)
    return fields, arrival, observed
