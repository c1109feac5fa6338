"""The result of an ensemble: one object from the reduction to every writer.

:func:`atlas.ensemble.run_ensemble` returns an :class:`EnsembleResult`; the writer
(:func:`atlas.publish.outputs.ensemble.write_ensemble`) and the command line take it as it is.
Every number in it is **modelled**, and each is a statement about the priors: a probability
over the realizations, not a measured frequency.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from atlas.ensemble.constraint import Constraint, constrain
from atlas.ensemble.contours import probability_isochrones
from atlas.ensemble.mounds import mound_columns, mound_line
from atlas.ensemble.tally import BIN_EDGES_MG_PER_L, Tally, histogram_quantiles
from atlas.observed import agreement
from atlas.result import MODELLED_LABEL
from atlas.scenario import Scenario
from atlas.scenario.uncertainty import Prior

__all__ = [
    "ARRIVAL_QUANTILES",
    "CONCENTRATION_QUANTILES",
    "EnsembleResult",
    "arrival_column",
    "build_result",
    "constraint_of",
    "observation_columns",
    "prior_provenance",
]

ARRIVAL_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Quantiles of the arrival times reported per receptor and threshold (P5 ... P95)."""

CONCENTRATION_QUANTILES = (0.5, 0.95)
"""Quantiles of the concentration reported per output time and cell (P50, P95)."""


@dataclass(frozen=True, eq=False)
class EnsembleResult:
    """Everything an ensemble produced, computed once.

    Attributes
    ----------
    scenario : Scenario
        The base scenario, with its ``uncertainty``.
    dataset : xarray.Dataset
        CF-1.8, north-up like :attr:`atlas.result.PlumeResult.dataset`:
        ``exceedance_probability`` (threshold_mg_per_l, time_yr, y, x), the fraction of kept
        realizations with C >= threshold; ``concentration_quantile`` (quantile, time_yr, y, x)
        in mg/L; ``arrival_quantile_yr`` (receptor, threshold_mg_per_l, quantile), years since
        t = 0, NaN where that quantile does not arrive within the horizon;
        ``never_arrived_probability`` (receptor, threshold_mg_per_l).
    realizations : pandas.DataFrame
        One row per realization: ``realization``, the value of every prior (its key as
        column), the arrival time at every receptor and threshold (:func:`arrival_column`;
        NaN: not within the horizon), the modelled concentration at every observation and
        whether it agrees (:func:`observation_columns`), and ``kept`` (agrees with every
        observation; True for every realization without observations).
    priors : tuple of Prior
        What was sampled.
    seed : int
        The seed of the samples.
    kept : int
        Number of kept realizations.
    assumptions : tuple of str
        The ensemble's assumptions in plain words.
    isochrones : geopandas.GeoDataFrame
        EPSG:4326: where each threshold is exceeded with at least each probability level
        at each output time (:func:`atlas.ensemble.contours.probability_isochrones`).
    constraint : Constraint or None
        What the scenario's observations kept and which parameters they constrain
        (:mod:`atlas.ensemble.constraint`); None without observations.
    """

    scenario: Scenario
    dataset: xr.Dataset
    realizations: pd.DataFrame
    priors: tuple[Prior, ...]
    seed: int
    kept: int
    assumptions: tuple[str, ...]
    isochrones: gpd.GeoDataFrame
    constraint: Constraint | None = None

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def count(self) -> int:
        """Number of realizations run."""
        return len(self.realizations)


def arrival_column(receptor: str, threshold_mg_per_l: float) -> str:
    """Column of the realization table with the arrival time of ``threshold_mg_per_l`` (mg/L)
    at ``receptor``, years since t = 0."""
    return f"arrival_yr.{receptor}.{threshold_mg_per_l:g}"


def observation_columns(observation: str, unit: str = "mg/L") -> tuple[str, str]:
    """Columns of the realization table for ``observation``: the modelled concentration at
    it (mg/L; for a head-rise observation, ``unit`` "m", the mound there) and whether the
    realization agrees with it."""
    value = "observed_mg_per_l" if unit == "mg/L" else "head_rise_m"
    return f"{value}.{observation}", f"agrees.{observation}"


def prior_provenance(scenario: Scenario, prior: Prior) -> str:
    """The source of a prior: ``[provenance]`` of ``uncertainty.<key>``, else of the
    parameter it replaces; ``"not documented"`` when neither has one."""
    key = prior.key
    parts = key.split(".")
    if parts[0] == "source":
        candidates = [key, f"source.{parts[1]}"]
    elif parts[0] == "fixed_head":
        candidates = [f"flow.{key}", f"flow.fixed_head.{parts[1]}"]
    elif key in ("velocity_m_per_yr", "direction_deg", "recharge_mm_per_yr"):
        candidates = [f"flow.{key}"]
    elif key == "conductivity_multiplier":
        candidates = ["aquifer.hydraulic_conductivity_m_per_day"]
    else:
        candidates = [f"aquifer.{key}"]
    for candidate in [f"uncertainty.{key}", *candidates]:
        if candidate in scenario.provenance:
            return scenario.provenance[candidate]
    return "not documented"


def _arrival_quantiles(arrival_yr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles (receptor, threshold, quantile) and the probability of never arriving."""
    receptors, thresholds = arrival_yr.shape[1:]
    if arrival_yr.shape[0] == 0:
        nan = np.full((receptors, thresholds), np.nan)
        return np.full((receptors, thresholds, len(ARRIVAL_QUANTILES)), np.nan), nan
    never = np.isnan(arrival_yr)
    late = np.where(never, np.inf, arrival_yr)
    values = np.quantile(late, ARRIVAL_QUANTILES, axis=0, method="inverted_cdf")
    values = np.moveaxis(values, 0, -1)
    return np.where(np.isinf(values), np.nan, values), never.mean(axis=0)


def _table(
    scenario: Scenario,
    priors: tuple[Prior, ...],
    samples: np.ndarray,
    tally: Tally,
    mounds: dict[str, np.ndarray],
) -> pd.DataFrame:
    columns: dict[str, object] = {"realization": tally.index}
    for k, prior in enumerate(priors):
        columns[prior.key] = samples[tally.index, k]
    for r, receptor in enumerate(scenario.receptors):
        for t, threshold in enumerate(scenario.thresholds_mg_per_l):
            columns[arrival_column(receptor.name, threshold)] = tally.arrival_yr[:, r, t]
    met = agreement(scenario, tally.observed_mg_per_l)
    for k, observation in enumerate(scenario.observations):
        value, agrees = observation_columns(observation.name, observation.unit)
        columns[value] = tally.observed_mg_per_l[:, k]
        columns[agrees] = met[:, k]
    columns |= mounds
    columns["kept"] = tally.kept_flags
    return pd.DataFrame(columns)


def constraint_of(
    scenario: Scenario, priors: tuple[Prior, ...], table: pd.DataFrame
) -> Constraint | None:
    """The constraint report of an ensemble from its realization table (:func:`_table`:
    every prior's values, each observation's modelled value and agreement and ``kept``, in
    realization order); None when the scenario has no observation."""
    if not scenario.observations:
        return None
    values, agrees = zip(
        *(observation_columns(o.name, o.unit) for o in scenario.observations), strict=True
    )
    return constrain(
        scenario,
        priors,
        table[[p.key for p in priors]].to_numpy(dtype=float),
        table["kept"].to_numpy(dtype=bool),
        table[list(agrees)].to_numpy(dtype=bool),
        table[list(values)].to_numpy(dtype=float),
    )


def build_result(
    scenario: Scenario, samples: np.ndarray, tally: Tally, *, seed: int, analytic: bool = False
) -> EnsembleResult:
    """The :class:`EnsembleResult` of a complete tally.

    Parameters
    ----------
    scenario : Scenario
        The base scenario (with its ``uncertainty``).
    samples : numpy.ndarray, shape (n, n_priors)
        Every realization's values (:func:`atlas.ensemble.sampling.sample`).
    tally : Tally
        The reduction of all ``n`` realizations.
    seed : int
        The seed the samples were drawn with.
    analytic : bool, optional
        Whether the realizations were computed in closed form (a strip) rather than run.
    """
    if scenario.uncertainty is None:
        raise ValueError("the scenario has no [uncertainty]")
    priors = scenario.uncertainty.priors
    tally = tally.in_order()
    grid = scenario.grid
    kept = max(tally.kept, 1)
    times = np.asarray(scenario.output_times_yr, dtype=float)
    thresholds = np.asarray(scenario.thresholds_mg_per_l, dtype=float)
    flip = np.s_[..., ::-1, :]  # the tally is north-up; to_dataarray takes y-up fields
    exceedance = grid.to_dataarray(
        (tally.exceed / kept)[flip],
        name="exceedance_probability",
        units="1",
        long_name="modelled probability over the realizations that C >= threshold",
    ).rename({"dim_0": "threshold_mg_per_l", "dim_1": "time_yr"})
    quantiles = grid.to_dataarray(
        histogram_quantiles(tally, np.asarray(CONCENTRATION_QUANTILES))[flip],
        name="concentration_quantile",
        units="mg/L",
        long_name="modelled concentration quantile over the realizations (depth-averaged)",
        resolution=f"from a histogram of {BIN_EDGES_MG_PER_L.size + 1} fixed bins, 8 per "
        "decade from 0.001 to 100000 mg/L, interpolated in log-concentration inside a bin",
    ).rename({"dim_0": "quantile", "dim_1": "time_yr"})
    kept_arrivals = tally.arrival_yr[tally.kept_flags]
    arrival_q, never = _arrival_quantiles(kept_arrivals)
    receptor_dims = ("receptor", "threshold_mg_per_l")
    variables = {
        "exceedance_probability": exceedance,
        "concentration_quantile": quantiles,
        "arrival_quantile_yr": xr.DataArray(
            arrival_q,
            dims=(*receptor_dims, "arrival_quantile"),
            attrs={
                "units": "yr",
                "long_name": "modelled quantile of the first arrival over the realizations, "
                "years since t = 0 (NaN: that quantile is not reached within the horizon)",
            },
        ),
        "never_arrived_probability": xr.DataArray(
            never,
            dims=receptor_dims,
            attrs={
                "units": "1",
                "long_name": "modelled probability over the realizations of no arrival within "
                "the horizon",
            },
        ),
    }
    for variable in variables.values():
        variable.attrs["modelled"] = MODELLED_LABEL
    dataset = xr.Dataset(variables).assign_coords(
        threshold_mg_per_l=("threshold_mg_per_l", thresholds, {"units": "mg/L"}),
        time_yr=("time_yr", times, {"units": "yr", "long_name": "years since t = 0"}),
        quantile=("quantile", np.asarray(CONCENTRATION_QUANTILES), {"units": "1"}),
        arrival_quantile=("arrival_quantile", np.asarray(ARRIVAL_QUANTILES), {"units": "1"}),
        receptor=("receptor", [r.name for r in scenario.receptors], {"long_name": "receptor"}),
    )
    mounds = mound_columns(scenario, priors, samples[tally.index])
    table = _table(scenario, priors, samples, tally, mounds)
    if scenario.observations:
        kept_line = (
            f"{tally.kept} realizations kept: those that agree with every observation "
            f"({'; '.join(f'{o.display_name}: {o.describe()}' for o in scenario.observations)}); "
            "the others are rejected, and the probabilities are over the kept ones"
        )
    else:
        kept_line = f"{tally.kept} realizations kept (no observation constrains this ensemble)"
    mound = mound_line(mounds, tally.kept_flags)
    lines = (
        f"{len(tally.index)} realizations of the scenario, Latin hypercube samples of the "
        f"priors (seed {seed}); "
        + (
            "the scenario is a strip (a held inlet across uniform flow along a grid axis), so "
            "every realization is the exact Ogata-Banks solution (Ogata and Banks 1961) of "
            "its parameters instead of a numerical run"
            if analytic
            else "every realization is an ordinary run of the plume model"
        ),
        kept_line,
        *([] if mound is None else [mound]),
        "probabilities are over the priors' samples, not measured frequencies",
    )
    dataset.attrs = {
        "title": f"{scenario.name}: modelled plume ensemble",
        "Conventions": "CF-1.8",
        "scenario": scenario.name,
        "description": scenario.description,
        "modelled": MODELLED_LABEL,
        "realizations": len(tally.index),
        "kept": tally.kept,
        "seed": seed,
        "priors": "\n".join(
            f"{p.key}: {p.describe()} (source: {prior_provenance(scenario, p)})" for p in priors
        ),
        "assumptions": "\n".join(lines),
        "start_year": "" if scenario.start_year is None else str(scenario.start_year),
    }
    return EnsembleResult(
        scenario=scenario,
        dataset=dataset,
        realizations=table,
        priors=priors,
        seed=seed,
        kept=tally.kept,
        assumptions=lines,
        isochrones=probability_isochrones(
            dataset["exceedance_probability"],
            grid,
            scenario=scenario.name,
            start_year=scenario.start_year,
        ),
        constraint=constraint_of(scenario, priors, table),
    )
