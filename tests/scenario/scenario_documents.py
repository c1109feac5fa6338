"""Scenario documents and raster files built in code, for the scenario tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine

# A 2 km x 1 km grid of 50 m cells in UTM 49N; a pond in the west, a river line in the east.
BASE: dict[str, Any] = {
    "schema_version": 1,
    "name": "small",
    "crs": "EPSG:32649",
    "start_year": 2000,
    "grid": {"bounds_m": [400_000, 4_500_000, 402_000, 4_501_000], "cell_size_m": 50.0},
    "aquifer": {
        "effective_porosity": 0.25,
        "thickness_m": 10.0,
        "longitudinal_dispersivity_m": 50.0,
        "transverse_dispersivity_m": 5.0,
    },
    "flow": {"velocity_m_per_yr": 25.0, "direction_deg": 90.0},
    "source": [
        {
            "name": "pond",
            "geometry": "POLYGON ((400200 4500400, 400400 4500400, 400400 4500600, "
            "400200 4500600, 400200 4500400))",
            "concentration_mg_per_l": 100.0,
        }
    ],
    "receptor": [
        {
            "name": "river",
            "geometry": "LINESTRING (401500 4499000, 401500 4502000)",
            "thresholds_mg_per_l": [1.0, 10.0],
        }
    ],
    "output": {"times_yr": [10, 20]},
    "provenance": {"aquifer.effective_porosity": "assumption for a test"},
}


def write_raster(
    path: Path,
    values_north_up: np.ndarray,
    *,
    crs: str = "EPSG:32649",
    origin: tuple[float, float] = (400_000.0, 4_501_000.0),
    cell_size_m: float = 50.0,
    nodata: float | None = None,
) -> Path:
    """A single-band float32 GeoTIFF whose top-left corner is ``origin``."""
    height, width = values_north_up.shape
    transform = Affine(cell_size_m, 0, origin[0], 0, -cell_size_m, origin[1])
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=height,
        width=width,
        count=1,
        dtype="float32",
        crs=crs,
        transform=transform,
        nodata=nodata,
    ) as raster:
        raster.write(values_north_up.astype("float32"), 1)
    return path
