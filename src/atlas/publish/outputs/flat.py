"""The export as plain files, for users without GIS software: one file per layer.

:func:`write_folder` writes the same layers and columns as the GeoPackage
(:mod:`~atlas.publish.outputs.geopackage`) into a folder:

* ``<layer>.geojson`` (EPSG:4326; a table's features have no geometry), ``<layer>.csv``
  (the geometry as WKT in a ``geometry_wkt`` column) or ``<layer>.parquet`` (GeoParquet; a
  table as plain Parquet);
* ``rasters/<raster>.tif``: the rasters as float32 GeoTIFFs in their scenario's CRS;
* ``<layer>.qml`` and ``rasters/<raster>.qml``: each file's QGIS style
  (:mod:`~atlas.publish.outputs.styles`, as in the GeoPackage's ``layer_styles``), which QGIS
  applies by itself when it opens the file beside it;
* ``export.json``: what each file holds, its columns and its provenance (as the GeoPackage's
  ``gpkg_metadata``).

The folder is written beside its place and moved in whole (:func:`~atlas.publish.staging.
staged_folder`); the same contents give the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio

from atlas import __version__
from atlas.crs import WGS84
from atlas.publish.outputs.export_layers import ExportContents, ExportLayer, describe
from atlas.publish.outputs.geotiff import GEOTIFF_NODATA, write_geotiff
from atlas.publish.outputs.styles import raster_qml, vector_qml
from atlas.publish.outputs.summary import dump_json
from atlas.publish.staging import check_target, staged_folder
from atlas.result import MODELLED_LABEL

__all__ = ["FORMATS", "MANIFEST", "check_folder_target", "write_folder"]

Format = Literal["geojson", "csv", "parquet"]
FORMATS: tuple[Format, ...] = ("geojson", "csv", "parquet")
"""The formats of :func:`write_folder`, also the files' extensions."""

MANIFEST = "export.json"
"""The file every export folder holds (it marks the folder as an export)."""

_KIND = "export folder"


def check_folder_target(out_dir: Path) -> None:
    """Refuse a file, or a non-empty folder that is not an earlier export (before any work).

    Raises
    ------
    OutputError
        Naming the folder and the fix.
    """
    check_target(out_dir, marker=MANIFEST, kind=_KIND)


def _with_geometry(layer: ExportLayer) -> gpd.GeoDataFrame:
    if layer.has_geometry:
        return layer.frame
    return gpd.GeoDataFrame(layer.frame, geometry=[None] * len(layer.frame), crs=WGS84)


def _write_layer(layer: ExportLayer, path: Path, form: Format) -> None:
    if form == "geojson":
        pyogrio.write_dataframe(_with_geometry(layer), path, layer=layer.name, driver="GeoJSON")
    elif form == "csv":
        table = pd.DataFrame(layer.frame)
        if layer.has_geometry:
            wkt = layer.frame.geometry.to_wkt()
            table = table.drop(columns=layer.frame.geometry.name).assign(geometry_wkt=wkt)
        table.to_csv(path, index=False, lineterminator="\n")
    elif layer.has_geometry:
        layer.frame.to_parquet(path, index=False)
    else:
        pd.DataFrame(layer.frame).to_parquet(path, index=False)


def _write_text(folder: Path, name: str, text: str) -> str:
    """Write ``text`` into ``folder / name`` (UTF-8, LF line ends); returns ``name``."""
    (folder / name).write_text(text, encoding="utf-8", newline="\n")
    return name


def write_folder(
    out_dir: str | os.PathLike[str], contents: ExportContents, form: Format
) -> list[Path]:
    """Write ``contents`` as one ``form`` file per layer into ``out_dir`` (see the module
    docstring).

    Parameters
    ----------
    out_dir : str or os.PathLike
        The folder; created, or replaced when it is an earlier export.
    contents : ExportContents
        Layers and rasters (:func:`~atlas.publish.outputs.export_layers.export_contents`).
    form : {"geojson", "csv", "parquet"}
        The format of the layers' files.

    Returns
    -------
    list of pathlib.Path
        The files written, sorted.

    Raises
    ------
    OutputError
        When ``out_dir`` is a file or a non-empty folder that is no earlier export, or cannot
        be written.
    """
    if form not in FORMATS:
        raise ValueError(f"format {form!r} is not one of {FORMATS}")
    out_dir = Path(out_dir)
    names: list[str] = [MANIFEST]
    manifest = {
        "atlas_version": __version__,
        "format": form,
        "modelled": MODELLED_LABEL,
        "layers": [],
        "rasters": [],
    }
    with staged_folder(out_dir, marker=MANIFEST, kind=_KIND) as folder:
        for layer in contents.layers:
            name = f"{layer.name}.{form}"
            _write_layer(layer, folder / name, form)
            manifest["layers"].append({"file": name, **describe(layer)})  # type: ignore[attr-defined]
            names.append(name)
            qml = vector_qml(layer)
            if qml is not None:
                names.append(_write_text(folder, f"{layer.name}.qml", qml))
        if contents.rasters:
            (folder / "rasters").mkdir()
        for raster in contents.rasters:
            name = f"rasters/{raster.name}.tif"
            tags = {"units": raster.units, "long_name": raster.quantity, "title": raster.title}
            if raster.provenance.modelled:
                tags["modelled"] = MODELLED_LABEL
            write_geotiff(folder / name, raster.grid, raster.values, tags=tags)
            names.append(_write_text(folder, f"rasters/{raster.name}.qml", raster_qml(raster)))
            manifest["rasters"].append(  # type: ignore[attr-defined]
                {"file": name, "nodata": GEOTIFF_NODATA, **describe(raster)}
            )
            names.append(name)
        dump_json(manifest, folder / MANIFEST)
    return sorted(out_dir / name for name in names)
