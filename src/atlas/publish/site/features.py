"""GeoDataFrames to compact, deterministic GeoJSON for the page.

Coordinates are rounded to a fixed number of decimals (5 decimals of a degree is about
1 m; 3 decimals about 100 m, enough for a world basemap), big geometries are simplified
first, rows without a geometry are left out, and features are sorted, so the same layer
always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

from atlas.crs import WGS84
from atlas.errors import CRSPolicyError

__all__ = ["feature_collection", "located", "require_wgs84", "rounded_geometries"]

Properties = Callable[[Mapping[str, Any]], dict[str, Any]]
"""Builds the (small) properties a feature carries on the page from its row."""


def located(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows of ``frame`` that have a non-empty geometry."""
    geometry = frame.geometry
    return frame[geometry.notna() & ~geometry.is_empty]


def rounded_geometries(
    frame: gpd.GeoDataFrame, *, decimals: int, simplify_deg: float = 0.0
) -> np.ndarray:
    """Geometries of ``frame`` simplified by ``simplify_deg`` degrees and rounded to ``decimals``.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Layer in EPSG:4326 (degrees).
    decimals : int
        Decimals of a degree kept in every coordinate.
    simplify_deg : float
        Douglas-Peucker tolerance in degrees (topology preserved); 0 keeps every vertex.
    """
    geometries = frame.geometry.to_numpy()
    if simplify_deg > 0:
        geometries = shapely.simplify(geometries, simplify_deg, preserve_topology=True)
    return shapely.transform(geometries, lambda xy: np.round(xy, decimals))


def require_wgs84(frame: gpd.GeoDataFrame, where: str) -> None:
    """Refuse a layer that is not in EPSG:4326.

    Raises
    ------
    CRSPolicyError
        Naming the layer ``where``, its CRS and the fix.
    """
    if frame.crs is None or not WGS84.equals(frame.crs):
        raise CRSPolicyError(
            f"{where}: expected a layer in EPSG:4326 (lon/lat), found CRS {frame.crs!r}; "
            "reproject it with .to_crs(4326) before publishing"
        )


def feature_collection(
    frame: gpd.GeoDataFrame,
    properties: Properties,
    *,
    sort_by: Sequence[str],
    decimals: int = 5,
    simplify_deg: float = 0.0,
    where: str = "layer",
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the located rows of ``frame``, sorted by ``sort_by``.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Layer in EPSG:4326.
    properties : callable
        Row (a mapping) -> the properties the feature carries on the page.
    sort_by : sequence of str
        Columns that order the features (missing columns are ignored); ties keep input order.
    decimals, simplify_deg
        See :func:`rounded_geometries`.
    where : str
        Layer name for error messages.

    Raises
    ------
    CRSPolicyError
        When ``frame`` is not in EPSG:4326.
    """
    require_wgs84(frame, where)
    rows = located(frame)
    keys = [c for c in sort_by if c in rows.columns]
    if keys:
        rows = rows.sort_values(keys, kind="stable", key=lambda column: column.astype(str))
    geometries = rounded_geometries(rows, decimals=decimals, simplify_deg=simplify_deg)
    features = []
    for (_, row), geometry in zip(rows.iterrows(), geometries, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(geometry),
                "properties": properties(row),
            }
        )
    return {"type": "FeatureCollection", "features": features}
