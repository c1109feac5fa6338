"""Read one layer file into a validated frame in EPSG:4326.

* A ``.csv`` is read with pandas. A point layer in CSV has numeric ``lon``/``lat`` columns in
  decimal degrees; such a CSV is WGS84 (EPSG:4326) by definition and carries no CRS of its own.
  A row with both empty has no geometry.
* Any other file is read through GDAL with pyogrio (GeoPackage, GeoJSON, FlatGeobuf, Shapefile
  ...). It must declare its CRS; any CRS other than EPSG:4326 is reprojected to it.

Every problem found in the rows of a file is reported at once in one :class:`LayerError`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors

from atlas.crs import WGS84
from atlas.errors import CRSPolicyError, LayerError, Problem
from atlas.load.spec import ColumnKind, LayerSpec
from atlas.load.validate import (
    coerce_columns,
    geometry_problems,
    key_problems,
    missing_columns,
    points_from_lon_lat,
)

__all__ = ["MAX_REPORTED_PROBLEMS", "read_table", "read_vector"]

MAX_REPORTED_PROBLEMS = 50
"""At most this many problems are listed in one error; a last line counts the rest."""

_LON_LAT: Mapping[str, ColumnKind] = {"lon": "number", "lat": "number"}
_PYOGRIO_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
)


def read_vector(path: str | os.PathLike[str], spec: LayerSpec) -> gpd.GeoDataFrame:
    """Read and validate a vector layer; see the module docstring for formats.

    Parameters
    ----------
    path : str or os.PathLike
        The file: a CSV with ``lon``/``lat`` columns (WGS84 degrees) or any format GDAL reads.
    spec : LayerSpec
        The layer's contract: required columns, geometry types, keys.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, with a default index, the required columns read as their kinds and every
        other column as found.

    Raises
    ------
    LayerError
        When the file is missing, empty or unreadable, lacks a required column, or has rows
        with bad values or geometries (all such rows are listed).
    CRSPolicyError
        When a non-CSV file declares no CRS.
    """
    path = Path(path)
    if spec.is_table:
        raise LayerError(
            f"layer {spec.name!r} is a table without geometry",
            path=path,
            problems=[Problem("spec", "read_vector needs a layer with geometry", "use read_table")],
        )
    if _is_csv(path):
        raw = _read_csv(path)
        columns = {**spec.columns, **_LON_LAT}
        _raise_if(missing_columns(raw, columns), path, spec)
        frame, problems = coerce_columns(raw, columns, spec)
        geometries, point_problems = points_from_lon_lat(frame, raw, spec)
        layer = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries), crs=WGS84)
        problems += point_problems
    else:
        layer = _to_wgs84(_read_ogr(path, spec, read_geometry=True), path)
        _raise_if(missing_columns(layer, spec.columns), path, spec)
        layer, problems = coerce_columns(layer, spec.columns, spec)
    problems += key_problems(layer, spec)
    problems += geometry_problems(np.asarray(layer.geometry.array), layer, spec)
    _raise_if(problems, path, spec)
    return layer


def read_table(path: str | os.PathLike[str], spec: LayerSpec) -> pd.DataFrame:
    """Read and validate a table without geometry (a CSV, or any attribute table GDAL reads).

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    spec : LayerSpec
        The table's contract: required columns and keys.

    Returns
    -------
    pandas.DataFrame
        With a default index and the required columns read as their kinds.

    Raises
    ------
    LayerError
        When the file is missing, empty or unreadable, lacks a required column, or has rows
        with bad values (all such rows are listed).
    """
    path = Path(path)
    if _is_csv(path):
        frame = _read_csv(path)
    else:
        frame = pd.DataFrame(_read_ogr(path, spec, read_geometry=False))
    _raise_if(missing_columns(frame, spec.columns), path, spec)
    frame, problems = coerce_columns(frame, spec.columns, spec)
    problems += key_problems(frame, spec)
    _raise_if(problems, path, spec)
    return frame


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() == ".csv"


def _require_file(path: Path) -> None:
    """Raise a :class:`LayerError` unless ``path`` is a non-empty file."""
    if not path.exists():
        raise LayerError(
            "file not found; rebuild the layers (make layers) or point --root / ATLAS_ROOT "
            "at a data root that has it",
            path=path,
        )
    if not path.is_file():
        raise LayerError("is not a file (a folder?); give the path of the layer file", path=path)
    if path.stat().st_size == 0:
        raise LayerError("the file is empty (0 bytes); restore or rebuild it", path=path)


def _read_csv(path: Path) -> pd.DataFrame:
    """Every cell of a UTF-8 CSV as a string (empty cells as ``""``)."""
    _require_file(path)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LayerError(
            f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV",
            path=path,
        ) from None
    except pd.errors.EmptyDataError:
        raise LayerError(
            "has no header line; the first line must name the columns", path=path
        ) from None
    except pd.errors.ParserError as exc:
        raise LayerError(
            f"is not well-formed CSV ({exc}); check quoting and the number of fields per line",
            path=path,
        ) from None


def _read_ogr(path: Path, spec: LayerSpec, *, read_geometry: bool) -> pd.DataFrame:
    """Read the file's one layer (or the layer named ``spec.name``) through GDAL."""
    _require_file(path)
    try:
        names = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
        layer = _choose_layer(names, path, spec)
        frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=read_geometry)
    except _PYOGRIO_ERRORS as exc:
        raise LayerError(
            f"cannot be read as a vector layer ({str(exc).strip()}); check that it is valid "
            "GeoJSON, GeoPackage or FlatGeobuf (e.g. open it with ogrinfo or QGIS)",
            path=path,
        ) from None
    return frame.reset_index(drop=True)


def _choose_layer(names: list[str], path: Path, spec: LayerSpec) -> str:
    if len(names) == 1:
        return names[0]
    if spec.name in names:
        return spec.name
    raise LayerError(
        f"holds {len(names)} layers {names} and none is named {spec.name!r}; keep one layer "
        f"in the file or name the one to use {spec.name!r}",
        path=path,
    )


def _to_wgs84(layer: pd.DataFrame, path: Path) -> gpd.GeoDataFrame:
    """The layer in EPSG:4326; a layer without a CRS is an error, never assumed."""
    if not isinstance(layer, gpd.GeoDataFrame):
        raise LayerError("has no geometry column; a vector layer needs one", path=path)
    if layer.crs is None:
        raise CRSPolicyError(
            "declares no CRS, so its coordinates cannot be placed; set it where the file is "
            "made (GeoDataFrame.set_crs(...) before to_file, or ogr2ogr -a_srs EPSG:4326 "
            "out.gpkg in.gpkg), or use a CSV with lon/lat columns in WGS84 degrees",
            path=path,
        )
    if layer.crs.equals(WGS84):
        return layer
    return layer.to_crs(WGS84)


def _raise_if(problems: list[Problem], path: Path, spec: LayerSpec) -> None:
    """Raise one :class:`LayerError` listing ``problems`` (at most MAX_REPORTED_PROBLEMS)."""
    if not problems:
        return
    listed = problems[:MAX_REPORTED_PROBLEMS]
    if len(problems) > len(listed):
        listed.append(Problem("...", f"and {len(problems) - len(listed)} more problems not listed"))
    count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
    raise LayerError(f"layer {spec.name!r}: {count}", path=path, problems=listed)
