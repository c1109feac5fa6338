"""A run against what was observed: the modelled value at each ``[[observation]]``, and
whether it agrees.

A run records, at each observation's time, the highest concentration in the cells its
geometry covers (``observed_concentration`` in the result's dataset); an observation is met
when that value is >= its threshold (``min_concentration_mg_per_l``, ``detected = true``) or
below it (``detected = false``). :func:`agrees_with_all` is the rule by which an ensemble keeps
a realization (:data:`atlas.ensemble.engine.KeepRule`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from atlas.result import PlumeResult
from atlas.scenario import Scenario

__all__ = ["agreement", "agrees_with_all", "observation_rows", "observed_mg_per_l"]


def observed_mg_per_l(result: PlumeResult) -> np.ndarray:
    """The modelled concentration at each observation, mg/L, in the scenario's order (empty
    without observations)."""
    if not result.scenario.observations:
        return np.empty(0)
    return np.asarray(result.dataset["observed_concentration"].values, dtype=float)


def agreement(scenario: Scenario, observed: np.ndarray) -> np.ndarray:
    """Whether modelled values agree with each observation.

    Parameters
    ----------
    scenario : Scenario
        Its ``observations``.
    observed : numpy.ndarray, shape (..., n_observations)
        Modelled concentrations at the observations, mg/L (one row per realization, or one).

    Returns
    -------
    numpy.ndarray of bool, same shape
    """
    values = np.asarray(observed, dtype=float)
    met = np.zeros(values.shape, dtype=bool)
    for k, observation in enumerate(scenario.observations):
        met[..., k] = observation.met(values[..., k])
    return met


def agrees_with_all(result: PlumeResult) -> bool:
    """Whether a run agrees with every observation of its scenario (True without any): the
    rejection rule of an ensemble."""
    return bool(agreement(result.scenario, observed_mg_per_l(result)).all())


def observation_rows(result: PlumeResult) -> list[dict[str, Any]]:
    """One row per observation for ``summary.json``: what was observed, the modelled value
    and whether they agree, with a plain sentence."""
    scenario = result.scenario
    observed = observed_mg_per_l(result)
    met = agreement(scenario, observed)
    rows = []
    for observation, value, ok in zip(scenario.observations, observed, met, strict=True):
        verdict = "agrees with" if ok else "does not agree with"
        rows.append(
            {
                "observation": observation.name,
                "year": observation.year,
                "time_yr": observation.time_yr,
                "threshold_mg_per_l": observation.threshold_mg_per_l,
                "detected": observation.detected,
                "modelled_mg_per_l": float(f"{value:.6g}"),
                "met": bool(ok),
                "sentence": f"Modelled {value:.3g} mg/L at {observation.name}: the run "
                f"{verdict} the observation ({observation.describe()}).",
            }
        )
    return rows
