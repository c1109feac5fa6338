"""GeoTIFF writing: one float32, north-up, DEFLATE band on a model grid."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import rasterio

from atlas.grid import Grid

__all__ = ["GEOTIFF_NODATA", "write_geotiff"]

GEOTIFF_NODATA = -9999.0
"""Nodata value of every GeoTIFF the atlas writes (NaN cells are written as this)."""


def write_geotiff(
    path: Path, grid: Grid, north_up_values: np.ndarray, *, tags: Mapping[str, str]
) -> None:
    """Write one band on ``grid`` as a float32, north-up, DEFLATE GeoTIFF.

    Parameters
    ----------
    path : pathlib.Path
        File to write (overwritten).
    grid : Grid
        The grid the values lie on; gives the size, CRS and transform.
    north_up_values : numpy.ndarray
        Values of shape ``(ny, nx)``, first row the northern one; NaN becomes nodata.
    tags : Mapping[str, str]
        Dataset tags, e.g. ``units`` and ``long_name``. Same inputs give the same bytes.
    """
    values = np.where(np.isfinite(north_up_values), north_up_values, GEOTIFF_NODATA)
    profile = {
        "driver": "GTiff",
        "height": grid.ny,
        "width": grid.nx,
        "count": 1,
        "dtype": "float32",
        "crs": grid.crs.to_wkt(),
        "transform": grid.transform,
        "nodata": GEOTIFF_NODATA,
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as raster:
        raster.write(values.astype("float32"), 1)
        raster.update_tags(**tags)
