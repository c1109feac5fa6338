"""The probabilistic outputs as export items: ensembles and the screening of every site.

* An ensemble (:class:`~atlas.ensemble.result.EnsembleResult`) gives a raster of the
  exceedance probability per threshold and output time (``style="probability"``, 0-1), its
  probability isochrones (one table for every ensemble) and the arrival-time quantiles per
  receptor and threshold (a plain table).
* The screening (:func:`atlas.screening.screen_sites`) gives a point layer, one row per site,
  and the table of its priors with the source of each range.

Like :mod:`~atlas.publish.outputs.contents`, nothing is modelled here: the items are the
results' own tables and grids, sorted, with their provenance.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas import __version__
from atlas.crs import WGS84
from atlas.ensemble.contours import PROBABILITY_ISOCHRONE_COLUMNS
from atlas.ensemble.result import ARRIVAL_QUANTILES, EnsembleResult
from atlas.publish.outputs.export_layers import (
    ExportLayer,
    ExportRaster,
    Provenance,
    ScenarioRecord,
    geometry_ready,
    table_name,
)
from atlas.result import MODELLED_LABEL

__all__ = [
    "ARRIVAL_QUANTILES_TABLE",
    "PROBABILITY_ISOCHRONES",
    "SCREENING",
    "SCREENING_PRIORS",
    "ensemble_items",
    "screening_items",
]

PROBABILITY_ISOCHRONES = "plume_probability_isochrones"
ARRIVAL_QUANTILES_TABLE = "plume_arrival_quantiles"
SCREENING = "screening"
SCREENING_PRIORS = "screening_priors"


def _ensemble_provenance(ensembles: Sequence[EnsembleResult], what: str) -> Provenance:
    return Provenance(
        source_and_processing=f"{what}, computed by atlas {__version__} from Monte Carlo "
        "ensembles of the scenarios listed (their priors, with the source of each, are in the "
        "scenario content and provenance)",
        licence="the atlas's outputs; the data they derive from: see the data layers",
        retrieved="not applicable: modelled",
        scenarios=tuple(ScenarioRecord.of(ensemble) for ensemble in ensembles),
    )


def _quantile_column(quantile: float) -> str:
    """``arrival_yr_p05`` ... ``arrival_yr_p95``."""
    return f"arrival_yr_p{round(quantile * 100):02d}"


def _arrival_table(ensembles: Sequence[EnsembleResult]) -> pd.DataFrame:
    """One row per ensemble, receptor and threshold: the arrival quantiles (years since
    t = 0; empty where that quantile does not arrive within the horizon), the probability of
    no arrival, the realizations run and kept."""
    rows = []
    for ensemble in ensembles:
        dataset = ensemble.dataset
        for receptor in dataset["receptor"].values:
            for threshold in dataset["threshold_mg_per_l"].values:
                where = {"receptor": receptor, "threshold_mg_per_l": threshold}
                quantiles = dataset["arrival_quantile_yr"].sel(where).values
                never = float(dataset["never_arrived_probability"].sel(where))
                rows.append(
                    (
                        ensemble.name,
                        str(receptor),
                        float(threshold),
                        *map(float, quantiles),
                        never,
                        ensemble.count,
                        ensemble.kept,
                        MODELLED_LABEL,
                    )
                )
    columns = [
        "scenario",
        "receptor",
        "threshold_mg_per_l",
        *map(_quantile_column, ARRIVAL_QUANTILES),
        "never_arrived_probability",
        "realizations",
        "kept",
        "modelled",
    ]
    return pd.DataFrame(rows, columns=columns)


def _when(ensemble: EnsembleResult, time_yr: float) -> str:
    start_year = ensemble.scenario.start_year
    when = f"{time_yr:g} yr"
    return when if start_year is None else f"{when} (calendar year {start_year + time_yr:g})"


def _probability_rasters(ensemble: EnsembleResult) -> list[ExportRaster]:
    """The exceedance probability of each threshold at each output time of one ensemble."""
    scenario = ensemble.scenario
    probability = ensemble.dataset["exceedance_probability"]
    provenance = _ensemble_provenance([ensemble], "a grid of the modelled ensemble")
    rasters = []
    for threshold in probability["threshold_mg_per_l"].values:
        for k, time_yr in enumerate(probability["time_yr"].values):
            when = _when(ensemble, float(time_yr))
            rasters.append(
                ExportRaster(
                    table_name(
                        scenario.name,
                        "exceedance_probability",
                        f"{threshold:g}".replace(".", "p") + "mg_per_l",
                        f"{k:02d}",
                        f"{time_yr:g}".replace(".", "p") + "yr",
                    ),
                    scenario.grid,
                    probability.sel(threshold_mg_per_l=threshold, time_yr=time_yr).values,
                    "1",
                    "modelled probability over the realizations that C >= threshold",
                    f"{scenario.name}: P(C >= {threshold:g} mg/L) at {when} (MODELLED)",
                    f"{MODELLED_LABEL}. Ensemble of scenario {scenario.name} "
                    f"({ensemble.kept} of {ensemble.count} realizations kept): fraction of the "
                    f"kept realizations with a concentration of at least {threshold:g} mg/L at "
                    f"t = {when}; a probability over the priors, not a measured frequency.",
                    provenance,
                    "probability",
                    (0.0, 1.0),
                )
            )
    return rasters


def ensemble_items(
    ensembles: Sequence[EnsembleResult],
) -> tuple[list[ExportLayer], list[ExportRaster]]:
    """The layers (probability isochrones, arrival quantiles) and rasters (exceedance
    probability) of ``ensembles``, sorted by scenario; nothing when there is none."""
    if not ensembles:
        return [], []
    ensembles = sorted(ensembles, key=lambda e: e.name)
    frame = pd.concat([e.isochrones for e in ensembles], ignore_index=True)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84).sort_values(
        ["scenario", "threshold_mg_per_l", "probability", "time_yr"], kind="stable"
    )
    isochrones = ExportLayer(
        PROBABILITY_ISOCHRONES,
        geometry_ready(frame[[*PROBABILITY_ISOCHRONE_COLUMNS, "geometry"]]).reset_index(drop=True),
        "plume probability isochrones (MODELLED)",
        f"{MODELLED_LABEL}. Area where at least the given fraction (probability) of an "
        "ensemble's kept realizations is at or above each threshold (mg/L), at each output "
        "time (years since t = 0; calendar_year when the scenario has a start year); area in "
        "m2 measured in the scenario's CRS. Probabilities are over the priors' samples, not "
        "measured frequencies.",
        _ensemble_provenance(ensembles, "isochrones of the modelled exceedance probability"),
        "probability_isochrones",
    )
    arrivals = ExportLayer(
        ARRIVAL_QUANTILES_TABLE,
        _arrival_table(ensembles),
        "plume arrival-time quantiles (MODELLED)",
        f"{MODELLED_LABEL}. Per ensemble, receptor and threshold (mg/L): quantiles P5-P95 of "
        "the first arrival over the kept realizations, in years since t = 0 (empty: that "
        "quantile does not arrive within the horizon), and the probability of no arrival "
        "within the horizon.",
        _ensemble_provenance(ensembles, "arrival-time quantiles of the modelled ensembles"),
        "table",
    )
    rasters = [raster for ensemble in ensembles for raster in _probability_rasters(ensemble)]
    return [isochrones, arrivals], rasters


def screening_items(layer: gpd.GeoDataFrame, priors: pd.DataFrame) -> list[ExportLayer]:
    """The screening layer (one row per site, sorted by dataset and site id) and its priors.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        :func:`atlas.screening.screen_sites`' layer: its ``method`` and ``modelled`` columns
        say how it was computed.
    priors : pandas.DataFrame
        The priors' table (``ScreeningPriors.table()``: parameter, distribution, low, high,
        source).
    """
    method = str(layer["method"].iloc[0]) if len(layer) else "not run: no site"
    label = str(layer["modelled"].iloc[0]) if len(layer) else MODELLED_LABEL
    model = f"{method}; priors in the {SCREENING_PRIORS} table, each with its source"
    provenance = Provenance(
        source_and_processing=f"first-order screening computed by atlas {__version__} from "
        "the sites, rivers and lakes layers (distances in each site's UTM zone)",
        licence="the atlas's outputs; the data they derive from: see the data layers",
        retrieved="not applicable: modelled",
        model=model,
    )
    order = layer.sort_values(["dataset", "site_id"], kind="stable")
    screening = ExportLayer(
        SCREENING,
        geometry_ready(order.reset_index(drop=True)),
        "screening of every site (MODELLED)",
        f"{label}. For every site: the nearest river or lake (distance_m, bearing_deg in the "
        "site's UTM zone utm_epsg) and the probability that a plume from a nominal source "
        "there reaches it within 50, 100 and 500 years (p_reach_*: flow toward the water, "
        "the worst case; *_uniform_direction: flow in any direction). Method: "
        f"{method}.",
        provenance,
        "screening",
    )
    table = ExportLayer(
        SCREENING_PRIORS,
        priors.reset_index(drop=True).astype({"low": np.float64, "high": np.float64}),
        "screening priors",
        "The default priors of the screening: each parameter's distribution and range, with "
        "its source or labelled an assumption.",
        provenance,
        "table",
    )
    return [screening, table]
