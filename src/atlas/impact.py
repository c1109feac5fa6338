"""What a plume does to its surroundings: when receptors are reached, where and how far it
spreads, how much flows through its source.

Pure functions on numpy arrays and the grid (y-up fields and boolean masks from
:meth:`atlas.grid.Grid.rasterize`, unless a docstring says north-up); no I/O. The run
(:mod:`atlas.run`) calls them once; the tables they return are kept at the precision they are
published with (:func:`significant`, :func:`years`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import shape

from atlas.crs import WGS84, transformer
from atlas.errors import ParameterError
from atlas.grid import Grid
from atlas.plume.flow import hydraulic_gradient
from atlas.result import (
    ARRIVAL_COLUMNS,
    DEGREE_DECIMALS,
    ISOCHRONE_COLUMNS,
    MODELLED_LABEL,
    SIGNIFICANT_DIGITS,
    YEAR_DECIMALS,
    SourceFlow,
)

__all__ = [
    "arrival_table",
    "arrival_times_yr",
    "first_crossing_yr",
    "isochrones",
    "output_time_table",
    "receptor_maxima",
    "significant",
    "source_flow",
    "years",
]


FloatArray = NDArray[np.float64]


def receptor_maxima(concentration_mg_per_l: ArrayLike, masks: Sequence[np.ndarray]) -> FloatArray:
    """Highest concentration in each receptor's cells, at each time.

    Parameters
    ----------
    concentration_mg_per_l : array_like, shape (nt, ny, nx)
        Concentration fields, in mg/L.
    masks : sequence of bool arrays, shape (ny, nx)
        Cells of each receptor (none may be empty).

    Returns
    -------
    numpy.ndarray, shape (nt, n_receptors)
        Maximum over the receptor's cells, in mg/L.
    """
    fields = np.asarray(concentration_mg_per_l, dtype=float)
    if fields.ndim != 3:
        raise ParameterError(
            f"concentration_mg_per_l: expected (nt, ny, nx) fields, got shape {fields.shape}"
        )
    columns = []
    for index, mask in enumerate(masks):
        if mask.shape != fields.shape[1:] or not mask.any():
            raise ParameterError(
                f"receptor mask {index} must be a non-empty {fields.shape[1:]} boolean array, "
                f"got shape {mask.shape} with {int(mask.sum())} cells"
            )
        columns.append(fields[:, mask].max(axis=1))
    return np.stack(columns, axis=1) if columns else np.empty((fields.shape[0], 0))


def first_crossing_yr(times_yr: ArrayLike, series_mg_per_l: ArrayLike, threshold: float) -> float:
    """First time a sampled series reaches ``threshold``, linearly interpolated between samples.

    Parameters
    ----------
    times_yr : array_like, shape (nt,)
        Strictly increasing sample times, in years.
    series_mg_per_l : array_like, shape (nt,)
        Concentration at those times, in mg/L.
    threshold : float
        Concentration to reach, in mg/L (> 0).

    Returns
    -------
    float
        The time, in years, when the series first reaches ``threshold``: the first sample at or
        above it, moved back to where the straight line from the previous sample crosses it.
        NaN when it is never reached. The error is at most one sampling interval and, for a
        smooth breakthrough curve, much less.
    """
    times = np.asarray(times_yr, dtype=float)
    series = np.asarray(series_mg_per_l, dtype=float)
    if times.shape != series.shape or times.ndim != 1:
        raise ParameterError(
            f"times_yr {times.shape} and series_mg_per_l {series.shape} must be equal 1-D shapes"
        )
    if times.size > 1 and not np.all(np.diff(times) > 0):
        raise ParameterError("times_yr: sample times in years must be strictly increasing")
    reached = np.flatnonzero(series >= threshold)
    if reached.size == 0:
        return float("nan")
    k = int(reached[0])
    if k == 0:
        return float(times[0])
    before, after = series[k - 1], series[k]
    fraction = (threshold - before) / (after - before)
    return float(times[k - 1] + fraction * (times[k] - times[k - 1]))


def arrival_times_yr(
    times_yr: ArrayLike, receptor_mg_per_l: ArrayLike, thresholds_mg_per_l: Sequence[float]
) -> FloatArray:
    """Arrival time of every threshold at every receptor.

    Parameters
    ----------
    times_yr : array_like, shape (nt,)
        Sample times, in years since the start of the run.
    receptor_mg_per_l : array_like, shape (nt, n_receptors)
        Concentration seen by each receptor (e.g. :func:`receptor_maxima`), in mg/L.
    thresholds_mg_per_l : sequence of float
        Thresholds, in mg/L.

    Returns
    -------
    numpy.ndarray, shape (n_receptors, n_thresholds)
        Years since the start (see :func:`first_crossing_yr`); NaN where never reached.
    """
    series = np.asarray(receptor_mg_per_l, dtype=float)
    return np.array(
        [
            [first_crossing_yr(times_yr, series[:, r], t) for t in thresholds_mg_per_l]
            for r in range(series.shape[1])
        ],
        dtype=float,
    ).reshape(series.shape[1], len(thresholds_mg_per_l))


def significant(value: float) -> float:
    """``value`` rounded to :data:`SIGNIFICANT_DIGITS` significant digits; NaN stays NaN."""
    value = float(value)
    return value if not np.isfinite(value) else float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def years(value: float) -> float:
    """A time in years rounded to :data:`YEAR_DECIMALS` decimals; NaN stays NaN."""
    value = float(value)
    return value if not np.isfinite(value) else round(value, YEAR_DECIMALS)


def arrival_table(
    arrival_yr: ArrayLike,
    thresholds_mg_per_l: Sequence[float],
    receptors: Sequence[tuple[str, Sequence[float]]],
    start_year: int | None,
) -> pd.DataFrame:
    """The arrivals of each receptor's own thresholds, one row each, in scenario order.

    Parameters
    ----------
    arrival_yr : array_like, shape (n_receptors, n_thresholds)
        Arrival times in years since t = 0 (:func:`arrival_times_yr`) for every threshold of
        the scenario, NaN where not reached.
    thresholds_mg_per_l : sequence of float
        The thresholds of the columns of ``arrival_yr``, in mg/L.
    receptors : sequence of (str, sequence of float)
        Each receptor's name and its own thresholds, in mg/L.
    start_year : int or None
        Calendar year of t = 0.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`atlas.result.ARRIVAL_COLUMNS`; years rounded by :func:`years`.
    """
    arrival = np.asarray(arrival_yr, dtype=float)
    column = {float(t): k for k, t in enumerate(thresholds_mg_per_l)}
    rows = []
    for index, (name, thresholds) in enumerate(receptors):
        for threshold in thresholds:
            time_yr = years(arrival[index, column[float(threshold)]])
            calendar = np.nan if start_year is None else years(start_year + time_yr)
            rows.append((name, significant(threshold), time_yr, calendar))
    return pd.DataFrame(rows, columns=list(ARRIVAL_COLUMNS)).astype(
        {"threshold_mg_per_l": float, "arrival_yr": float, "arrival_calendar_year": float}
    )


def output_time_table(
    times_yr: ArrayLike, fields_mg_per_l: ArrayLike, budget_kg: Mapping[str, ArrayLike]
) -> pd.DataFrame:
    """The plume at each output time: its highest concentration and the mass budget.

    Parameters
    ----------
    times_yr : array_like, shape (nt,)
        Output times, in years since t = 0.
    fields_mg_per_l : array_like, shape (nt, ny, nx)
        Concentration at those times, in mg/L.
    budget_kg : mapping of str to array_like, shape (nt,)
        Mass terms in kg by name (e.g. ``mass_in_kg``).

    Returns
    -------
    pandas.DataFrame
        ``time_yr``, ``max_concentration_mg_per_l`` and one column per mass term, rounded
        by :func:`years` and :func:`significant`.
    """
    fields = np.asarray(fields_mg_per_l, dtype=float)
    table = {
        "time_yr": [years(t) for t in np.asarray(times_yr, dtype=float)],
        "max_concentration_mg_per_l": [significant(np.nanmax(field)) for field in fields],
    }
    for term, values in budget_kg.items():
        table[term] = [significant(value) for value in np.asarray(values, dtype=float)]
    return pd.DataFrame(table)


def _outline(north_up_mask: np.ndarray, grid: Grid) -> shapely.Geometry:
    """The cells of a north-up mask as one (multi)polygon in EPSG:4326, counter-clockwise
    shells, coordinates rounded to :data:`DEGREE_DECIMALS` decimals."""
    shapes = rasterio.features.shapes(
        north_up_mask.astype("uint8"), mask=north_up_mask, transform=grid.transform, connectivity=4
    )
    projected = shapely.union_all([shape(geometry) for geometry, _ in shapes])
    to_wgs84 = transformer(grid.crs, WGS84)
    geographic = shapely.transform(
        projected, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1]))
    )
    geographic = shapely.set_precision(geographic, 10.0**-DEGREE_DECIMALS)
    if not geographic.is_valid:
        geographic = shapely.make_valid(geographic)
    return shapely.orient_polygons(geographic)


def isochrones(
    north_up_mg_per_l: ArrayLike,
    times_yr: Sequence[float],
    thresholds_mg_per_l: Sequence[float],
    grid: Grid,
    *,
    scenario: str,
    start_year: int | None,
) -> gpd.GeoDataFrame:
    """Where the concentration is at or above each threshold at each output time.

    Parameters
    ----------
    north_up_mg_per_l : array_like, shape (nt, ny, nx)
        Concentration at the output times, in mg/L, **north-up** (row 0 = north edge).
    times_yr : sequence of float
        The output times, in years since t = 0.
    thresholds_mg_per_l : sequence of float
        Thresholds, in mg/L.
    grid : Grid
        The grid of the fields (its CRS in metres).
    scenario : str
        Name written in every row.
    start_year : int or None
        Calendar year of t = 0.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns :data:`atlas.result.ISOCHRONE_COLUMNS`: one row per threshold and
        time with a non-empty area, thresholds in the order given, then by time; ``area_m2``
        is the area of the cells at or above the threshold, in m².
    """
    fields = np.asarray(north_up_mg_per_l, dtype=float)
    rows, outlines = [], []
    for threshold in thresholds_mg_per_l:
        for field, time_yr in zip(fields, times_yr, strict=True):
            mask = field >= threshold
            if not mask.any():
                continue
            calendar = np.nan if start_year is None else years(start_year + time_yr)
            area_m2 = significant(mask.sum() * grid.cell_size_m**2)
            rows.append(
                (
                    scenario,
                    significant(threshold),
                    years(time_yr),
                    calendar,
                    area_m2,
                    MODELLED_LABEL,
                )
            )
            outlines.append(_outline(mask, grid))
    frame = pd.DataFrame(rows, columns=list(ISOCHRONE_COLUMNS)).astype(
        {"threshold_mg_per_l": float, "time_yr": float, "calendar_year": float, "area_m2": float}
    )
    return gpd.GeoDataFrame(frame, geometry=outlines, crs=WGS84)


def _spread(values: np.ndarray) -> tuple[float, float, float]:
    return float(np.median(values)), float(values.min()), float(values.max())


def source_flow(
    source_mask: np.ndarray,
    velocity_x_m_per_yr: np.ndarray,
    velocity_y_m_per_yr: np.ndarray,
    conductivity_m_per_day: np.ndarray | None,
    effective_porosity: float,
) -> SourceFlow | None:
    """Seepage speed, conductivity and gradient in the source cells.

    Parameters
    ----------
    source_mask : numpy.ndarray of bool, shape (ny, nx)
        The cells of every source (y-up).
    velocity_x_m_per_yr, velocity_y_m_per_yr : numpy.ndarray, shape (ny, nx)
        Cell-mean seepage velocities in m/yr, y-up, toward east and north.
    conductivity_m_per_day : numpy.ndarray or None, shape (ny, nx)
        Hydraulic conductivity in m/d (y-up); None when the scenario has none.
    effective_porosity : float
        Effective porosity (dimensionless).

    Returns
    -------
    SourceFlow or None
        Median and range over the source cells; the gradient is Darcy's law inverted,
        ``i = v n_e / K``. None when there is no source cell.
    """
    if not source_mask.any():
        return None
    speed = np.hypot(velocity_x_m_per_yr, velocity_y_m_per_yr)[source_mask]
    cells = int(source_mask.sum())
    if conductivity_m_per_day is None:
        return SourceFlow(cells, _spread(speed), None, None)
    conductivity = conductivity_m_per_day[source_mask]
    gradient = hydraulic_gradient(speed, effective_porosity, conductivity)
    return SourceFlow(cells, _spread(speed), _spread(conductivity), float(np.median(gradient)))
