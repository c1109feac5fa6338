"""The result's isochrones as GeoJSON (EPSG:4326), and back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping, shape

from atlas.crs import WGS84
from atlas.publish.outputs.summary import dump_json, json_number
from atlas.result import ISOCHRONE_COLUMNS

__all__ = ["read_isochrones", "write_isochrones"]


def _plain(value: Any) -> Any:
    """A JSON value: strings as they are, numbers by :func:`json_number`."""
    return value if isinstance(value, str) else json_number(value)


def write_isochrones(isochrones: gpd.GeoDataFrame, path: Path, *, scenario: str) -> None:
    """Write the isochrones as a GeoJSON FeatureCollection named ``<scenario> isochrones``,
    one feature per row in order, every column but the geometry a property (a deterministic
    run's :data:`~atlas.result.ISOCHRONE_COLUMNS`, or an ensemble's probability isochrones);
    the same frame gives the same bytes."""
    columns = [column for column in isochrones.columns if column != isochrones.geometry.name]
    features = [
        {
            "type": "Feature",
            "properties": {column: _plain(row[column]) for column in columns},
            "geometry": mapping(row.geometry),
        }
        for _, row in isochrones.iterrows()
    ]
    content = {"type": "FeatureCollection", "name": f"{scenario} isochrones", "features": features}
    dump_json(content, path)


def read_isochrones(path: Path, columns: Sequence[str] = ISOCHRONE_COLUMNS) -> gpd.GeoDataFrame:
    """The frame :func:`write_isochrones` wrote: EPSG:4326, ``columns`` (a run's
    :data:`atlas.result.ISOCHRONE_COLUMNS` by default; NaN where the file has null), every
    column but ``scenario`` and ``modelled`` a float."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    frame = pd.DataFrame([feature["properties"] for feature in features], columns=list(columns))
    frame = frame.astype(
        {column: float for column in columns if column not in ("scenario", "modelled")}
    )
    geometry = [shape(feature["geometry"]) for feature in features]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)
