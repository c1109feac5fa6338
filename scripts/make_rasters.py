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

Usage: ``python scripts/make_rasters.py --root . --shared ../shared/data``
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import shapely

from atlas.grid import Grid
from atlas.load import find_root, read_layer
from atlas.publish.geotiff import write_geotiff

BAOTOU_BOUNDS_M = (376_000.0, 4_481_000.0, 398_000.0, 4_505_000.0)
BAOTOU_CELL_M = 50.0
FAN_K_M_PER_DAY = 8.6
PLAIN_K_M_PER_DAY = 4.3
CLAY_K_M_PER_DAY = 0.43
PLAIN_EDGE_SOUTH_OF_POND_M = 750.0
CLAY_HALF_WIDTH_M = 500.0
ETOPO_CLIPS = (
    "etopo5_clip_baotou_bayanobo_107.5-112.5E_39-43N.tif",
    "etopo5_clip_mountain_pass_117.5-114W_34-36.5N.tif",
)


def baotou_conductivity(root: Path) -> tuple[Grid, np.ndarray]:
    """The zonation on its grid, y-up, in m/d."""
    grid = Grid.from_bounds(BAOTOU_BOUNDS_M, BAOTOU_CELL_M, "EPSG:32649")
    pond = read_layer("tailings_pond", root).to_crs(grid.crs).geometry.union_all()
    rivers = read_layer("rivers_10m", root)
    river = rivers[rivers["name"] == "Huang"].to_crs(grid.crs).geometry.union_all()
    plain_edge_y_m = pond.bounds[1] - PLAIN_EDGE_SOUTH_OF_POND_M
    conductivity = np.where(
        grid.y_centres_m[:, None] > plain_edge_y_m, FAN_K_M_PER_DAY, PLAIN_K_M_PER_DAY
    ) * np.ones(grid.shape)
    clay = grid.rasterize(shapely.buffer(river, CLAY_HALF_WIDTH_M).intersection(grid.box))
    conductivity[clay] = CLAY_K_M_PER_DAY
    return grid, conductivity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="data root holding layers/ and rasters/")
    parser.add_argument("--shared", default="../shared/data", help="shared source-data folder")
    args = parser.parse_args()
    root = find_root(args.root)
    out = root / "rasters"
    out.mkdir(exist_ok=True)
    grid, conductivity = baotou_conductivity(root)
    write_geotiff(
        out / "baotou_conductivity_schematic.tif",
        grid,
        conductivity[::-1],  # y-up model array -> north-up raster
        tags={
            "units": "m/d",
            "description": "SCHEMATIC hydraulic conductivity zonation (m/d): fans, Yellow River "
            "plain, clay strip near the river; generic values, not measurements; see "
            "rasters/SOURCES.md",
        },
    )
    for name in ETOPO_CLIPS:
        shutil.copyfile(Path(args.shared) / "dem" / name, out / name)


if __name__ == "__main__":
    main()
