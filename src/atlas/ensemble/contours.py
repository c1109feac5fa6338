"""Probability isochrones of an ensemble: where a threshold is likely exceeded, and when.

The deterministic run draws one outline per threshold and output time
(:func:`atlas.impact.isochrones`); an ensemble draws one per threshold, output time and
probability level: the cells where at least that fraction of the kept realizations is at or
above the threshold. The same outlining is used, so the two kinds of layer line up cell for
cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import xarray as xr

from atlas.crs import WGS84
from atlas.grid import Grid
from atlas.impact import isochrones, significant

__all__ = ["PROBABILITY_ISOCHRONE_COLUMNS", "PROBABILITY_LEVELS", "probability_isochrones"]

PROBABILITY_LEVELS = (0.05, 0.5, 0.95)
"""Probability levels of the outlines: possible (5 %), as likely as not (50 %), very likely
(95 %)."""

PROBABILITY_ISOCHRONE_COLUMNS = (
    "scenario",
    "threshold_mg_per_l",
    "probability",
    "time_yr",
    "calendar_year",
    "area_m2",
    "modelled",
)
"""Columns of :func:`probability_isochrones` (plus ``geometry``)."""


def probability_isochrones(
    exceedance_probability: xr.DataArray,
    grid: Grid,
    *,
    scenario: str,
    start_year: int | None,
    levels: Sequence[float] = PROBABILITY_LEVELS,
) -> gpd.GeoDataFrame:
    """Outlines of the area where ``P(C >= threshold) >= level``.

    Parameters
    ----------
    exceedance_probability : xarray.DataArray
        Dims ``(threshold_mg_per_l, time_yr, y, x)``, north-up, values in [0, 1]: the fraction
        of kept realizations at or above each threshold (``EnsembleResult.dataset``).
    grid : Grid
        The grid of the fields (its CRS in metres).
    scenario : str
        Name written in every row.
    start_year : int or None
        Calendar year of t = 0.
    levels : sequence of float
        Probability levels, each in (0, 1].

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns :data:`PROBABILITY_ISOCHRONE_COLUMNS`: one row per threshold, level
        and time with a non-empty area (ordered so), ``area_m2`` in m² of the cells inside.
    """
    times = [float(t) for t in exceedance_probability["time_yr"].values]
    parts = []
    for threshold in exceedance_probability["threshold_mg_per_l"].values:
        fields = exceedance_probability.sel(threshold_mg_per_l=threshold).values
        part = isochrones(
            fields, times, levels, grid, scenario=scenario, start_year=start_year
        ).rename(columns={"threshold_mg_per_l": "probability"})
        part.insert(1, "threshold_mg_per_l", significant(float(threshold)))
        parts.append(part)
    if not parts:
        empty = pd.DataFrame(columns=list(PROBABILITY_ISOCHRONE_COLUMNS))
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.astype({"threshold_mg_per_l": float, "probability": float})
    columns = [*PROBABILITY_ISOCHRONE_COLUMNS, "geometry"]
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=WGS84)
