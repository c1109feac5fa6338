"""Rebuild the model input rasters in rasters/ (maintainers only; see rasters/SOURCES.md).

``baotou_conductivity_schematic.tif``: a SCHEMATIC hydraulic-conductivity zonation (m/d) for the
Baotou tailings-pond scenario, EPSG:32649, 50 m cells, float32, made from the shipped layers:

* alluvial-pluvial fans (Hademen and Kundulun gullies) north of the Yellow River plain edge,
* the Yellow River alluvial plain, whose northern edge is put 750 m south of the pond's
  southern edge (Yu et al. 2015: the plain lies 500-1000 m south of the tailings field),
* a clay-capped strip within 500 m of the Natural Earth Yellow River centreline (Si et al. 2021
  report a clay layer in the plain near the river that blocks the flow).

The zone boundaries are straight lines and buffers, and the zone values are generic textbook
conductivities: nothing here is a measured conductivity (HYDROGEOLOGY.md section 1.4).

The ETOPO5 clips are copied unchanged from the shared data folder (context shading only).

Everything is written into a temporary folder inside ``rasters/`` and then moved into place,
file by file, so no raster is ever half-written.

Usage: ``python scripts/make_rasters.py --root . --shared ../shared/data``
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from atlas.errors import LayerError, Problem
from atlas.grid import Grid
from atlas.load import LAYERS, find_root, read_layer
from atlas.publish.outputs.geotiff import write_geotiff

BAOTOU_BOUNDS_M = (376_000.0, 4_481_000.0, 398_000.0, 4_505_000.0)
BAOTOU_CELL_M = 50.0
FAN_K_M_PER_DAY = 8.6
PLAIN_K_M_PER_DAY = 4.3
CLAY_K_M_PER_DAY = 0.43
PLAIN_EDGE_SOUTH_OF_POND_M = 750.0
CLAY_HALF_WIDTH_M = 500.0
CONDUCTIVITY_FILE = "baotou_conductivity_schematic.tif"
RIVER_NAME = "Huang"
"""Natural Earth name of the Yellow River in the ``rivers_10m`` layer."""
ETOPO_CLIPS = (
    "etopo5_clip_baotou_bayanobo_107.5-112.5E_39-43N.tif",
    "etopo5_clip_mountain_pass_117.5-114W_34-36.5N.tif",
)


def baotou_conductivity(root: Path) -> tuple[Grid, np.ndarray]:
    """The zonation on its grid, y-up, in m/d."""
    grid = Grid.from_bounds(BAOTOU_BOUNDS_M, BAOTOU_CELL_M, "EPSG:32649")
    pond = read_layer("tailings_pond", root).to_crs(grid.crs).geometry.union_all()
    river = yellow_river(root).to_crs(grid.crs).geometry.union_all()
    plain_edge_y_m = pond.bounds[1] - PLAIN_EDGE_SOUTH_OF_POND_M
    conductivity = np.full(grid.shape, PLAIN_K_M_PER_DAY)
    conductivity[grid.y_centres_m > plain_edge_y_m] = FAN_K_M_PER_DAY
    clay = grid.rasterize(shapely.buffer(river, CLAY_HALF_WIDTH_M).intersection(grid.box))
    conductivity[clay] = CLAY_K_M_PER_DAY
    return grid, conductivity


def yellow_river(root: Path) -> gpd.GeoDataFrame:
    """The features of the ``rivers_10m`` layer named :data:`RIVER_NAME`, in EPSG:4326.

    Raises
    ------
    LayerError
        If the layer has none (the clay strip would silently vanish).
    """
    rivers = read_layer("rivers_10m", root)
    river = rivers[rivers["name"] == RIVER_NAME]
    if river.empty:
        raise LayerError(
            "no Yellow River to draw the clay strip along",
            path=root / "layers" / LAYERS["rivers_10m"].filename,
            problems=[
                Problem(
                    "column 'name'",
                    f"expected a feature named {RIVER_NAME!r}, found none",
                    "rebuild the layers with `make layers`",
                )
            ],
        )
    return river


def main(argv: list[str] | None = None) -> None:
    """Rebuild ``rasters/`` under ``--root`` from its layers and the ``--shared`` data folder.

    Exits with a one-line message if the shared folder lacks the ETOPO5 clips (``dem/``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="data root holding layers/ and rasters/")
    parser.add_argument("--shared", default="../shared/data", help="shared source-data folder")
    args = parser.parse_args(argv)
    dem = Path(args.shared) / "dem"
    missing = [name for name in ETOPO_CLIPS if not (dem / name).is_file()]
    if missing:
        raise SystemExit(
            f"make_rasters: {dem.resolve()} lacks {', '.join(missing)}: point at the shared "
            "data folder with `make rasters SHARED=/path/to/shared/data` (or --shared)"
        )
    root = find_root(args.root)
    out = root / "rasters"
    out.mkdir(exist_ok=True)
    grid, conductivity = baotou_conductivity(root)
    with tempfile.TemporaryDirectory(dir=out, prefix=".rasters-build-") as build:
        staging = Path(build)
        write_geotiff(
            staging / CONDUCTIVITY_FILE,
            grid,
            conductivity[::-1],  # y-up model array -> north-up raster
            tags={
                "units": "m/d",
                "description": "SCHEMATIC hydraulic conductivity zonation (m/d): fans, Yellow "
                "River plain, clay strip near the river; generic values, not measurements; see "
                "rasters/SOURCES.md",
            },
        )
        for name in ETOPO_CLIPS:
            shutil.copyfile(dem / name, staging / name)
        for path in sorted(staging.iterdir()):
            os.replace(path, out / path.name)


if __name__ == "__main__":
    main()
