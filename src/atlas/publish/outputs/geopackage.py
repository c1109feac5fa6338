"""The atlas as one GeoPackage: every layer, the plume rasters, QGIS styles and provenance.

:func:`write_geopackage` writes an :class:`~atlas.publish.outputs.export_layers.ExportContents`:

* each vector layer as a table in EPSG:4326 with an R-tree index (pyogrio), rows in their
  published order and fids 1, 2, ...; a table without geometry as an attributes table;
* each raster as a Float32 tiled gridded coverage (GDAL's ``2d-gridded-coverage``, TIFF tiles)
  in its scenario's projected CRS, one table each (``APPEND_SUBDATASET``), nodata
  :data:`~atlas.publish.outputs.geotiff.GEOTIFF_NODATA`, cells as areas (rasterio);
* ``layer_styles``, ``gpkg_metadata`` and the description of every table in
  ``gpkg_contents`` (:mod:`~atlas.publish.outputs.gpkg_metadata`).

The same contents give the same bytes: timestamps are fixed (:func:`fixed_timestamp`) and the
file is vacuumed. The file is written beside the target and moved into place
(:func:`os.replace`), so an interrupted export leaves the earlier file as it was.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import rasterio
import rasterio.errors

from atlas.errors import OutputError
from atlas.publish.outputs.export_layers import ExportContents, ExportLayer, ExportRaster
from atlas.publish.outputs.geotiff import GEOTIFF_NODATA
from atlas.publish.outputs.gpkg_metadata import (
    GEOMETRY_COLUMN,
    STYLES_TABLE,
    add_metadata,
    style_rows,
)

__all__ = [
    "FIXED_TIMESTAMP",
    "GPKG_VERSION",
    "check_geopackage_target",
    "fixed_timestamp",
    "write_geopackage",
]

FIXED_TIMESTAMP = "2026-01-01T00:00:00.000Z"
"""The timestamp every export records (``gpkg_contents.last_change``, styles, metadata): not
the time of export, but fixed so that the same inputs give the same bytes. Set
``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention) to choose it."""

GPKG_VERSION = "1.2"
"""The GeoPackage version written: 1.2, which every GDAL since 2.2 (and so every QGIS 3) reads
without a warning; GDAL would write 1.4 by default."""

_SQLITE_HEADER = b"SQLite format 3\x00"
"""The first bytes of an SQLite file; a GeoPackage has ``GPKG`` as its application id (bytes
68-71)."""


def fixed_timestamp() -> str:
    """:data:`FIXED_TIMESTAMP`, or the time ``SOURCE_DATE_EPOCH`` gives, ISO 8601 in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return FIXED_TIMESTAMP
    when = datetime.fromtimestamp(int(epoch), tz=UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def check_geopackage_target(path: Path) -> None:
    """Refuse a target that is not a ``.gpkg`` name, a folder, a file that is not a GeoPackage
    (an earlier GeoPackage is replaced; anything else never), or a place that cannot be
    written.

    Raises
    ------
    OutputError
        Naming the path and the fix.
    """
    if path.suffix.lower() != ".gpkg":
        raise OutputError("expected a file name ending in .gpkg; add .gpkg", path=path)
    if path.is_dir():
        raise OutputError("is a folder; give a file name such as atlas.gpkg", path=path)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot write here ({folder} is not a writable folder); choose a writable folder",
            path=path,
        )
    if path.exists():
        with path.open("rb") as existing:
            header = existing.read(72)
            if header[: len(_SQLITE_HEADER)] != _SQLITE_HEADER or header[68:72] != b"GPKG":
                raise OutputError(
                    "exists and is not a GeoPackage; refusing to replace it; choose another "
                    "file name",
                    path=path,
                )


def _write_layer(path: Path, layer: ExportLayer) -> None:
    frame = layer.frame
    options = {"IDENTIFIER": layer.title, "DESCRIPTION": layer.description}
    create: dict[str, Any] = {} if path.exists() else {"dataset_options": {"VERSION": GPKG_VERSION}}
    if not layer.has_geometry:
        pyogrio.write_dataframe(
            pd.DataFrame(frame),
            path,
            layer=layer.name,
            driver="GPKG",
            layer_options=options,
            **create,
        )
        return
    geometry_types = set(frame.geometry.dropna().geom_type)
    pyogrio.write_dataframe(
        frame,
        path,
        layer=layer.name,
        driver="GPKG",
        geometry_type=None if geometry_types else "Unknown",
        promote_to_multi=None,
        layer_options={**options, "GEOMETRY_NAME": GEOMETRY_COLUMN, "SPATIAL_INDEX": "YES"},
        **create,
    )


def _write_styles(path: Path, contents: ExportContents, timestamp: str) -> list[str]:
    rows = style_rows(contents, timestamp=timestamp)
    if not rows:
        return []
    table = pd.DataFrame(rows)
    table["update_time"] = pd.to_datetime(table["update_time"])
    pyogrio.write_dataframe(
        table,
        path,
        layer=STYLES_TABLE,
        driver="GPKG",
        layer_options={"FID": "id", "DESCRIPTION": "QGIS styles"},
    )
    return [row["f_table_name"] for row in rows]


def _write_raster(path: Path, raster: ExportRaster) -> None:
    grid = raster.grid
    values = np.where(np.isfinite(raster.values), raster.values, GEOTIFF_NODATA)
    with rasterio.open(
        path,
        "w",
        driver="GPKG",
        width=grid.nx,
        height=grid.ny,
        count=1,
        dtype="float32",
        crs=grid.crs.to_wkt(),
        transform=grid.transform,
        APPEND_SUBDATASET="YES",
        RASTER_TABLE=raster.name,
        RASTER_IDENTIFIER=raster.title,
        RASTER_DESCRIPTION=raster.description,
        TILE_FORMAT="TIFF",
        GRID_CELL_ENCODING="grid-value-is-area",
        UOM=raster.units,
        FIELD_NAME=raster.name,
        QUANTITY_DEFINITION=raster.quantity,
    ) as layer:
        layer.write(values.astype("float32"), 1)


def _finish(path: Path, contents: ExportContents, styled: list[str], timestamp: str) -> None:
    connection = sqlite3.connect(path)
    try:
        with connection:
            add_metadata(
                connection, contents, styled=styled, timestamp=timestamp, nodata=GEOTIFF_NODATA
            )
        connection.execute("VACUUM")
    finally:
        connection.close()


@contextlib.contextmanager
def _gdal_timestamp(timestamp: str) -> Iterator[None]:
    """GDAL's ``OGR_CURRENT_DATE`` set for pyogrio and rasterio, restored afterwards."""
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": timestamp})
    try:
        with rasterio.Env(OGR_CURRENT_DATE=timestamp):
            yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def write_geopackage(path: str | os.PathLike[str], contents: ExportContents) -> Path:
    """Write ``contents`` as one GeoPackage at ``path`` (see the module docstring).

    Parameters
    ----------
    path : str or os.PathLike
        The ``.gpkg`` file; created with its folder, or replaced when it is an earlier one.
    contents : ExportContents
        Layers and rasters (:func:`~atlas.publish.outputs.export_layers.export_contents`).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    OutputError
        When ``path`` is not a ``.gpkg`` name, is a folder or another kind of file, or cannot
        be written (the earlier file, if any, is left as it was).
    """
    path = Path(path)
    check_geopackage_target(path)
    timestamp = fixed_timestamp()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=".part.gpkg", dir=path.parent
        )
        os.close(handle)
    except OSError as exc:
        raise OutputError(
            f"cannot write here ({exc.strerror or exc}); choose a writable folder", path=path
        ) from None
    staged = Path(name)
    try:
        staged.unlink()  # GDAL creates the file itself
        with _gdal_timestamp(timestamp):
            for layer in contents.layers:
                _write_layer(staged, layer)
            styled = _write_styles(staged, contents, timestamp)
            for raster in contents.rasters:
                _write_raster(staged, raster)
        _finish(staged, contents, styled, timestamp)
        staged.chmod(0o644)
        os.replace(staged, path)
    except (
        OSError,
        sqlite3.Error,
        pyogrio.errors.DataSourceError,
        rasterio.errors.RasterioError,
    ) as exc:
        raise OutputError(
            f"cannot write the GeoPackage ({exc}); choose a writable folder", path=path
        ) from exc
    finally:
        staged.unlink(missing_ok=True)
        for suffix in ("-journal", "-wal", "-shm"):
            Path(f"{staged}{suffix}").unlink(missing_ok=True)
    return path
