"""The Grid: extent, y-up masks, alignment of rasters, north-up DataArrays."""

from __future__ import annotations

import numpy as np
import pytest
import rioxarray  # noqa: F401 - registers .rio
import shapely
import xarray as xr
from affine import Affine
from pyproj import CRS

from atlas.errors import CRSPolicyError, GridError, RasterError
from atlas.grid import Grid


@pytest.fixture
def grid() -> Grid:
    return Grid.from_bounds((1000.0, 2000.0, 1100.0, 2050.0), 10.0, "EPSG:32649")


def test_from_bounds_rounds_the_extent_up_to_whole_cells():
    grid = Grid.from_bounds((0, 0, 95, 40), 10.0, "EPSG:32649")
    assert grid.shape == (4, 10)
    assert grid.bounds_m == (0.0, 0.0, 100.0, 40.0)


def test_too_many_cells_and_geographic_crs_are_refused():
    with pytest.raises(GridError, match="more than the maximum of 99"):
        Grid.from_bounds((0, 0, 100, 100), 10.0, "EPSG:32649", max_cells=99)
    with pytest.raises(CRSPolicyError, match="geographic"):
        Grid.from_bounds((0, 0, 1, 1), 0.1, "EPSG:4326")


def test_transform_is_north_up_from_the_north_west_corner(grid):
    assert grid.transform == Affine(10.0, 0.0, 1000.0, 0.0, -10.0, 2050.0)
    assert grid.y_centres_m[0] == 2005.0  # y-up: the first row is the southern one


def test_rasterize_is_y_up(grid):
    mask = grid.rasterize(shapely.Point(1005.0, 2005.0))  # south-west cell
    assert mask[0, 0]
    assert mask.sum() == 1


def test_rasterize_line_marks_every_cell_it_touches(grid):
    mask = grid.rasterize(shapely.LineString([(1000.0, 2025.0), (1100.0, 2025.0)]))
    assert mask[2].all()


@pytest.mark.parametrize("seed", range(5))
def test_a_point_on_any_edge_or_corner_marks_the_cell_along_it_wherever_the_grid_lies(seed):
    """Points on each edge and corner, exactly or half a millionth of a cell outside or inside,
    mark the one cell along the edge, for grids at random origins and cell sizes: rasterio's
    inverse transform alone put about one in ten on the west or north edge outside the grid,
    and every one on the east or south edge. Two millionths of a cell outside marks none."""
    rng = np.random.default_rng(seed)
    for _ in range(40):
        x0, y0 = rng.uniform(-2e6, 8e6, 2)
        size = float(rng.choice([1.0, 10.0, 25.0, 33.3, 100.0, 1000.0]))
        grid = Grid(x0, y0, size, 7, 5, CRS.from_epsg(32649))
        x1, y1 = grid.bounds_m[2:]
        column, row = int(rng.integers(7)), int(rng.integers(5))
        x, y = grid.x_centres_m[column], grid.y_centres_m[row]
        cells = {
            (x0, y): (row, 0),
            (x1, y): (row, 6),
            (x, y0): (0, column),
            (x, y1): (4, column),
            (x0, y0): (0, 0),
            (x1, y0): (0, 6),
            (x0, y1): (4, 0),
            (x1, y1): (4, 6),
        }
        for (px, py), cell in cells.items():
            for nudge in (0.0, -5e-7, 5e-7):
                mask = grid.rasterize(shapely.Point(px + nudge * size, py + nudge * size))
                assert np.argwhere(mask).tolist() == [list(cell)], (x0, y0, size, px, py, nudge)
        assert not grid.rasterize(shapely.Point(x0 - 2e-6 * size, y)).any()
        assert not grid.rasterize(shapely.Point(x, y1 + 2e-6 * size)).any()


@pytest.mark.parametrize(
    ("wkt", "cells"),
    [
        ("LINESTRING (1031 2050, 1039 2050)", [[4, 3]]),  # on the north edge, in one cell
        ("LINESTRING (1031 2000, 1039 2000)", [[0, 3]]),  # on the south edge
        ("LINESTRING (1000 2031, 1000 2039)", [[3, 0]]),  # on the west edge
        ("LINESTRING (1100 2031, 1100 2039)", [[3, 9]]),  # on the east edge
        ("LINESTRING (1031 2050, 1035 2080)", [[4, 3]]),  # from the north edge outward
        ("LINESTRING (1000 2035, 960 2035)", [[3, 0]]),  # from the west edge outward
    ],
)
def test_a_line_on_an_edge_or_leaving_from_it_marks_the_cells_along_it(grid, wkt, cells):
    """GDAL passed over a line within 1e-4 of a cell of a row boundary, as on the north edge,
    and rasterio over a line touching the west or north edge from outside."""
    assert np.argwhere(grid.rasterize(shapely.from_wkt(wkt))).tolist() == cells


def test_a_short_line_along_a_row_boundary_inside_marks_a_cell_of_its_vertices(grid):
    """GDAL passes over it (its cells are the vertices' cells: the row above or below)."""
    mask = grid.rasterize(shapely.LineString([(1031.0, 2020.0), (1039.0, 2020.0)]))
    assert np.argwhere(mask).tolist() in ([[1, 3]], [[2, 3]])


def test_polygon_smaller_than_a_cell_still_marks_its_cell(grid):
    tiny = shapely.box(1031.0, 2012.0, 1033.0, 2014.0)
    mask = grid.rasterize(tiny)
    assert mask.sum() == 1
    assert mask[1, 3]


def test_polygon_marks_cells_whose_centre_it_holds(grid):
    mask = grid.rasterize(shapely.box(1000.0, 2000.0, 1030.0, 2020.0))
    assert mask.sum() == 6
    assert mask[:2, :3].all()


def _raster(values_north_up, crs, x0, y_top, cell):
    height, width = values_north_up.shape
    array = xr.DataArray(
        values_north_up[None],
        dims=("band", "y", "x"),
        coords={
            "band": [1],
            "y": y_top - (np.arange(height) + 0.5) * cell,
            "x": x0 + (np.arange(width) + 0.5) * cell,
        },
    )
    return array.rio.write_crs(crs)


def test_align_resamples_a_finer_raster_onto_the_grid(grid):
    fine = np.repeat(np.arange(10, dtype=float)[:, None], 20, axis=1)  # rows of 5 m, north-up
    aligned = grid.align(_raster(fine, "EPSG:32649", 1000.0, 2050.0, 5.0))
    assert aligned.shape == grid.shape
    assert np.all(aligned[-1] <= 1.0)  # northern row: the first raster rows
    assert np.all(aligned[0] >= 8.0)


def test_align_leaves_nan_where_the_raster_does_not_reach(grid):
    half = _raster(np.ones((5, 5)), "EPSG:32649", 1000.0, 2050.0, 10.0)
    aligned = grid.align(half)
    assert np.all(aligned[:, :5] == 1.0)
    assert np.isnan(aligned[:, 5:]).all()


def test_align_rejects_another_crs(grid):
    with pytest.raises(RasterError, match="reproject it first"):
        grid.align(_raster(np.ones((5, 10)), "EPSG:32650", 1000.0, 2050.0, 10.0))


def test_dataarray_round_trip_and_orientation(grid):
    values = np.arange(50, dtype=float).reshape(grid.shape)
    array = grid.to_dataarray(values, name="h", units="m", long_name="head")
    assert array.dims == ("y", "x")
    assert np.all(np.diff(array["y"].values) < 0)  # north-up
    assert array.rio.crs.to_epsg() == 32649
    assert array.attrs["units"] == "m"
    assert array.sel(x=1005.0, y=2005.0).item() == values[0, 0]
    np.testing.assert_array_equal(grid.from_dataarray(array), values)
