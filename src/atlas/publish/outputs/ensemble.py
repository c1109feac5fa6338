"""An ensemble's files, written from an :class:`~atlas.ensemble.result.EnsembleResult`.

Files of an ensemble output folder (all modelled, and labelled so):

* ``ensemble.nc`` — the result's Dataset, CF-1.8 with the CRS as a CF grid mapping:
  ``exceedance_probability`` (threshold_mg_per_l, time_yr, y, x), ``concentration_quantile``
  (quantile, time_yr, y, x), ``arrival_quantile_yr`` and ``never_arrived_probability``
  (receptor, threshold_mg_per_l); its attributes hold the priors with their provenance.
* ``realizations.parquet`` and ``realizations.csv`` — one row per realization: its parameters,
  arrival times, modelled values at the observations and whether it agrees with each, and
  ``kept``.
* ``probability_isochrones.geojson`` — where each threshold is exceeded with probability at
  least 0.05, 0.5 and 0.95 at each output time (EPSG:4326).
* ``quicklook_arrival_probability.png`` — the probability of arrival at each receptor against
  the year (:func:`atlas.publish.charts.arrival_probability_chart`).
* ``ensemble_summary.json`` — the priors, the arrival quantiles with a plain sentence each, the
  area likely above each threshold, the seed, the counts, the inputs' hash and, with
  observations, the ``constraint`` report (how many realizations agree with each observation,
  prior against posterior P5/P50/P95 per parameter ranked by their KS distance, and a sentence
  per claim).

Like :func:`atlas.publish.outputs.write_result`, everything is written into a temporary folder
beside the output folder and moved into place at the end: a failure leaves it as it was.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atlas import __version__
from atlas.ensemble.constraint import (
    FEW_KEPT,
    REPORTED_QUANTILES,
    RULE_OUT_RATE,
    Constraint,
    ParameterShift,
)
from atlas.ensemble.contours import PROBABILITY_ISOCHRONE_COLUMNS, PROBABILITY_LEVELS
from atlas.ensemble.result import (
    ARRIVAL_QUANTILES,
    EnsembleResult,
    constraint_of,
    prior_provenance,
)
from atlas.publish.charts import arrival_probability_chart, save_png
from atlas.publish.outputs.isochrones import read_isochrones, write_isochrones
from atlas.publish.outputs.netcdf import read_netcdf, write_netcdf
from atlas.publish.outputs.summary import dump_json, json_number
from atlas.publish.staging import check_target, staged_folder
from atlas.result import MODELLED_LABEL, YEAR_DECIMALS
from atlas.scenario import Receptor, Scenario
from atlas.scenario.digest import inputs_sha256

__all__ = [
    "ARRIVAL_CHART",
    "ENSEMBLE_FILES",
    "ENSEMBLE_SUMMARY",
    "check_ensemble_folder",
    "read_ensemble",
    "write_ensemble",
]

ENSEMBLE_SUMMARY = "ensemble_summary.json"
"""The summary of an ensemble folder (it marks the folder as ensemble outputs)."""

ARRIVAL_CHART = "quicklook_arrival_probability.png"
"""The chart of the probability of arrival of an ensemble folder."""

ENSEMBLE_FILES = (
    "ensemble.nc",
    "realizations.parquet",
    "realizations.csv",
    "probability_isochrones.geojson",
    ARRIVAL_CHART,
    ENSEMBLE_SUMMARY,
)
"""Every file of an ensemble output folder."""

_KIND = "ensemble output"

_FLOAT32 = ("concentration_quantile",)
"""Fields stored as float32: the quantiles, interpolated from a histogram, have no more
precision. The exceedance probabilities stay float64, so that a read-back ensemble compares
with a probability level exactly as the one computed did."""


def check_ensemble_folder(out_dir: str | os.PathLike[str]) -> None:
    """Refuse ``out_dir`` before a long run when :func:`write_ensemble` would refuse it.

    Raises
    ------
    OutputError
        When it is a file, or a non-empty folder that is not an earlier ensemble output.
    """
    check_target(Path(out_dir), marker=ENSEMBLE_SUMMARY, kind=_KIND)


def _sentence(
    receptor: Receptor, threshold: float, row: dict[str, Any], result: EnsembleResult
) -> str:
    """The "how sure" sentence of one receptor and threshold."""
    scenario = result.scenario
    reach = 1.0 - row["never_arrived_probability"]
    head = (
        f"In {reach:.0%} of {result.kept} modelled realizations, {threshold:g} mg/L reaches "
        f"{receptor.in_sentence} within {scenario.horizon_yr:g} years"
    )
    median = row["arrival_yr"]["P50"]
    if median is None:
        return head + " (the median realization does not reach it)."
    when = f"{median:.0f} years"
    if scenario.start_year is not None:
        when += f" (calendar year {math.floor(scenario.start_year + median)})"
    early, late = row["arrival_yr"]["P5"], row["arrival_yr"]["P95"]
    spread = (
        f"; 90% of them arrive between {early:.0f} and {late:.0f} years"
        if early is not None and late is not None
        else ""
    )
    return f"{head}; the median realization arrives after {when}{spread}."


def _arrivals(result: EnsembleResult) -> list[dict[str, Any]]:
    dataset = result.dataset
    rows = []
    for receptor in result.scenario.receptors:
        for threshold in receptor.thresholds_mg_per_l:
            where = {"receptor": receptor.name, "threshold_mg_per_l": threshold}
            values = dataset["arrival_quantile_yr"].sel(where).values
            row: dict[str, Any] = {
                "receptor": receptor.name,
                "threshold_mg_per_l": threshold,
                "arrival_yr": {
                    f"P{round(100 * q)}": json_number(round(float(v), YEAR_DECIMALS))
                    for q, v in zip(ARRIVAL_QUANTILES, values, strict=True)
                },
                "never_arrived_probability": float(dataset["never_arrived_probability"].sel(where)),
            }
            row["sentence"] = _sentence(receptor, threshold, row, result)
            rows.append(row)
    return rows


def _areas(result: EnsembleResult) -> list[dict[str, Any]]:
    """Area (m²) where the probability of C >= threshold is at least each of
    :data:`PROBABILITY_LEVELS`, per threshold and output time."""
    cell_m2 = result.scenario.grid.cell_size_m**2
    probability = result.dataset["exceedance_probability"]
    rows = []
    for threshold in probability["threshold_mg_per_l"].values:
        for time_yr in probability["time_yr"].values:
            field = probability.sel(threshold_mg_per_l=threshold, time_yr=time_yr).values
            rows.append(
                {
                    "threshold_mg_per_l": float(threshold),
                    "time_yr": float(time_yr),
                    "area_m2_with_probability_at_least": {
                        f"{p:g}": float(np.count_nonzero(field >= p) * cell_m2)
                        for p in PROBABILITY_LEVELS
                    },
                }
            )
    return rows


def _quantiles(values: tuple[float, float, float]) -> dict[str, float | None]:
    return {
        f"P{round(100 * q)}": json_number(float(f"{v:.6g}"))
        for q, v in zip(REPORTED_QUANTILES, values, strict=True)
    }


def _posterior(shift: ParameterShift) -> dict[str, Any]:
    """The kept realizations' range and count, and their quantiles when there are enough."""
    low, high = shift.posterior_range
    shown: dict[str, Any] = {
        "n": shift.kept,
        "min": json_number(float(f"{low:.6g}")),
        "max": json_number(float(f"{high:.6g}")),
    }
    if shift.kept >= FEW_KEPT:
        shown |= _quantiles(shift.posterior)
    return shown


def _constraint(constraint: Constraint | None) -> dict[str, Any] | None:
    """The observations' report: counts, prior against posterior, claims (None without
    observations)."""
    if constraint is None:
        return None
    return {
        "sentence": constraint.sentence(),
        "realizations": constraint.realizations,
        "kept": constraint.kept,
        "observations": [
            {
                "observation": o.name,
                "condition": o.describe(),
                "year": o.year,
                "time_yr": o.time_yr,
                "threshold_mg_per_l": json_number(o.threshold_mg_per_l),
                "max_head_rise_m": o.max_head_rise_m,
                "detected": o.detected,
                "realizations_agreeing": count,
            }
            for o, count in zip(constraint.observations, constraint.met_counts, strict=True)
        ],
        "warning": constraint.warning,
        "ranking": "sampled parameters, most constrained first: two-sample "
        "Kolmogorov-Smirnov distance between the prior (all realizations) and the posterior "
        "(the kept ones); below ks_noise the shift is within sampling noise (5 % level, "
        "Bonferroni-corrected for the number of parameters tested); the posterior's P5/P50/P95 "
        f"are given from {FEW_KEPT} kept realizations on, its range and count always",
        "ks_noise": json_number(round(constraint.noise_ks, 4)),
        "parameters": [
            {
                "key": shift.key,
                "prior": _quantiles(shift.prior),
                "posterior": _posterior(shift),
                "width_ratio_p5_p95": json_number(round(shift.width_ratio, 4))
                if shift.kept >= FEW_KEPT
                else None,
                "ks_distance": json_number(round(shift.ks_distance, 4)),
            }
            for shift in constraint.parameters
        ],
        "claims": [
            {
                "claim": verdict.claim.name,
                "parameter": verdict.claim.key,
                "range": [verdict.claim.low, verdict.claim.high],
                "realizations_in_range": verdict.prior_count,
                "kept_in_range": verdict.kept_count,
                "verdict": verdict.verdict,
                "deciding_observation": None if verdict.deciding is None else verdict.deciding.name,
                "rule_out_rate": RULE_OUT_RATE,
                "in_range_meeting": {
                    count.name: {
                        "in_range": count.in_range,
                        "overall": count.total,
                        "upper_rate_95": json_number(round(count.upper_rate, 4)),
                    }
                    for count in verdict.counts
                },
                "sentence": verdict.sentence,
            }
            for verdict in constraint.claims
        ],
    }


def ensemble_summary(result: EnsembleResult, *, files: list[str]) -> dict[str, Any]:
    """The content of ``ensemble_summary.json``, in plain JSON types (None for NaN)."""
    scenario = result.scenario
    uncertainty = scenario.uncertainty
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "modelled": MODELLED_LABEL,
        "inputs_sha256": inputs_sha256(scenario),
        "atlas_version": __version__,
        "crs": scenario.crs.to_string(),
        "start_year": scenario.start_year,
        "seed": result.seed,
        "realizations": result.count,
        "kept": result.kept,
        "priors": [
            {
                "key": prior.key,
                "distribution": prior.distribution,
                "parameters": list(prior.parameters),
                "bounds": None if prior.bounds is None else list(prior.bounds),
                "provenance": prior_provenance(scenario, prior),
            }
            for prior in result.priors
        ],
        "rank_correlations": []
        if uncertainty is None
        else [list(c) for c in uncertainty.correlations],
        "assumptions": list(result.assumptions),
        "constraint": _constraint(result.constraint),
        "arrivals": _arrivals(result),
        "exceedance_areas": _areas(result),
        "files": sorted(files),
    }


def write_ensemble(result: EnsembleResult, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write an ensemble's files into ``out_dir`` (see the module docstring).

    Parameters
    ----------
    result : EnsembleResult
        What :func:`atlas.ensemble.run_ensemble` returned.
    out_dir : str or os.PathLike
        Output folder; created, or replaced when it holds an earlier ensemble output.

    Returns
    -------
    list of pathlib.Path
        The files written, sorted by name.

    Raises
    ------
    OutputError
        When ``out_dir`` is a file, or a non-empty folder that is not an ensemble output (never
        overwritten), or cannot be written.
    """
    out_dir = Path(out_dir)
    names = list(ENSEMBLE_FILES)
    with staged_folder(out_dir, marker=ENSEMBLE_SUMMARY, kind=_KIND) as folder:
        dataset = result.dataset.copy()
        for name in ("exceedance_probability", *_FLOAT32):
            dataset[name].encoding.update(zlib=True, complevel=4)
        for name in _FLOAT32:
            dataset[name].encoding.update(dtype="float32")
        write_netcdf(dataset, folder / names[0], inputs_sha256=inputs_sha256(result.scenario))
        result.realizations.to_parquet(folder / names[1], index=False)
        result.realizations.to_csv(folder / names[2], index=False, lineterminator="\n")
        write_isochrones(result.isochrones, folder / names[3], scenario=result.name)
        save_png(arrival_probability_chart(result), folder / ARRIVAL_CHART)
        dump_json(ensemble_summary(result, files=names), folder / ENSEMBLE_SUMMARY)
    return sorted(out_dir / name for name in names)


def read_ensemble(folder: str | os.PathLike[str], scenario: Scenario) -> EnsembleResult | None:
    """The ensemble :func:`write_ensemble` wrote into ``folder`` from these very inputs (the
    build's cache of ensembles).

    Parameters
    ----------
    folder : str or os.PathLike
        An ensemble output folder.
    scenario : Scenario
        The scenario (with its ``[uncertainty]``) the ensemble must have been run from.

    Returns
    -------
    EnsembleResult or None
        The result, equal to the one written but for the float32 rounding of the fields;
        None when the folder holds no readable ensemble of exactly these inputs (another
        scenario, changed inputs, priors or atlas version, a missing or damaged file).
    """
    folder = Path(folder)
    expected = inputs_sha256(scenario)
    if scenario.uncertainty is None:
        return None
    try:
        content = json.loads((folder / ENSEMBLE_SUMMARY).read_text(encoding="utf-8"))
        if not isinstance(content, dict) or content.get("inputs_sha256") != expected:
            return None
        if sorted(content["files"]) != sorted(ENSEMBLE_FILES):
            return None
        dataset = read_netcdf(folder / ENSEMBLE_FILES[0], inputs_sha256=expected, widen=_FLOAT32)
        table = pd.read_parquet(folder / ENSEMBLE_FILES[1])
        priors = scenario.uncertainty.priors
        return EnsembleResult(
            scenario=scenario,
            dataset=dataset,
            realizations=table,
            priors=priors,
            seed=int(content["seed"]),
            kept=int(content["kept"]),
            assumptions=tuple(content["assumptions"]),
            isochrones=read_isochrones(folder / ENSEMBLE_FILES[3], PROBABILITY_ISOCHRONE_COLUMNS),
            constraint=constraint_of(scenario, priors, table),
        )
    except (OSError, RuntimeError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None
