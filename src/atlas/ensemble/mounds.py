"""Each realization's leakage mound at the observations and under the sources, and whether it
lies within the model's validity.

Under uniform flow a leaking source's mound (:func:`atlas.run.mound_m`) is the steady mound of
a confined aquifer of constant transmissivity ``K b``: valid while the head changes are small
against the saturated thickness ``b`` (in an unconfined aquifer the transmissivity grows with
the mound, by ``h / b``). A realization is flagged outside that validity when its mound under
a source exceeds :data:`MOUND_VALID_FRACTION` of its thickness (the transmissivity then off by
more than about a tenth on average over the mound). It is flagged, not rejected: the mound's
velocities, which move the plume, do not depend on ``K`` and so neither does the flag's
verdict on the plume; the heights do, as ``1 / (K b)``, and are relative to the mean over the
grid's outer ring (:mod:`atlas.plume.mound`).
"""

from __future__ import annotations

import numpy as np

from atlas.ensemble.sampling import realize
from atlas.run import mound_m
from atlas.scenario import Scenario, UniformFlow
from atlas.scenario.uncertainty import Prior

__all__ = ["MOUND_VALID_FRACTION", "VALID_COLUMN", "mound_column", "mound_columns", "mound_line"]

MOUND_VALID_FRACTION = 0.2
"""Largest mound under a source, as a fraction of the saturated thickness, within which the
confined (constant transmissivity) approximation is taken as valid."""

VALID_COLUMN = "mound_within_validity"
"""Column of the realization table: the mound under every source <= the fraction of ``b``."""


def mound_column(place: str) -> str:
    """Column of the realization table with the mound height at an observation or under a
    source (its highest cell), m."""
    return f"mound_m.{place}"


def mound_columns(
    scenario: Scenario, priors: tuple[Prior, ...], samples: np.ndarray
) -> dict[str, np.ndarray]:
    """The mound heights of every realization, and the validity flag (empty when no source
    leaks or the flow is head-driven).

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    priors : tuple of Prior
        The columns of ``samples``.
    samples : numpy.ndarray, shape (n, n_priors)
        Every realization's values, in table order.
    """
    leaking = [
        s for s in scenario.sources if (s.leakage_mm_per_yr, s.leakage_m3_per_day) != (None, None)
    ]
    if not isinstance(scenario.flow, UniformFlow) or not leaking:
        return {}
    grid = scenario.grid
    places = [(o.name, grid.rasterize(o.geometry)) for o in scenario.observations]
    places += [(s.name, grid.rasterize(s.geometry)) for s in leaking]
    heights = np.zeros((samples.shape[0], len(places)))
    valid = np.ones(samples.shape[0], dtype=bool)
    for row, values in enumerate(samples):
        realized = realize(scenario, priors, values)
        mound = mound_m(realized)
        if mound is None:  # every source leaking nothing in this realization
            continue
        heights[row] = [mound[mask].max() for _, mask in places]
        limit = MOUND_VALID_FRACTION * realized.aquifer.thickness_m
        valid[row] = bool((heights[row, len(scenario.observations) :] <= limit).all())
    columns = {mound_column(name): heights[:, k] for k, (name, _) in enumerate(places)}
    columns[VALID_COLUMN] = valid
    return columns


def mound_line(columns: dict[str, np.ndarray], kept: np.ndarray) -> str | None:
    """How many kept realizations have a mound outside the validity, in words (None without
    a mound)."""
    if VALID_COLUMN not in columns:
        return None
    outside = int((~columns[VALID_COLUMN][kept]).sum())
    return (
        f"{outside} of the {int(kept.sum())} kept realizations have a leakage mound under a "
        f"source higher than {MOUND_VALID_FRACTION:.0%} of the saturated thickness, outside "
        "the confined (constant transmissivity) approximation: flagged in the realization "
        f"table ({VALID_COLUMN}; heights in mound_m.<place>, m, relative to the grid edge's "
        "mean, scaling as 1 / (K b))"
    )
