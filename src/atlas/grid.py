"""The model grid: a regular, square-celled raster in a projected CRS (metres).

Two array conventions meet here and only here:

* **y-up** (the numerics, :mod:`atlas.plume`): ``array[0]`` is the *southern* row, so
  ``array[j, i]`` sits at ``(x_centres_m[i], y_centres_m[j])`` with ``y`` increasing with ``j``.
* **north-up** (files, xarray, GeoTIFF): ``array[0]`` is the *northern* row, as in every
  GIS raster; the affine :attr:`Grid.transform` describes this orientation.

:meth:`Grid.to_dataarray` and :meth:`Grid.from_dataarray` convert between the two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import rasterio.features
import shapely
import xarray as xr
from affine import Affine
from pyproj import CRS
from rasterio.enums import Resampling
from shapely.geometry.base import BaseGeometry

from atlas.crs import require_projected_metres
from atlas.errors import GridError, RasterError

__all__ = ["DEFAULT_MAX_CELLS", "Grid", "single_parts"]

DEFAULT_MAX_CELLS = 4_000_000
"""Largest grid (nx * ny) accepted unless a caller allows more (about 32 MB per field)."""


def single_parts(geometry: BaseGeometry) -> np.ndarray:
    """The single-part geometries of ``geometry``, read through a collection of multi-part
    ones: the parts :meth:`Grid.rasterize` marks one by one."""
    return shapely.get_parts(shapely.get_parts(geometry))


@dataclass(frozen=True)
class Grid:
    """A regular grid of square cells in a projected CRS.

    Parameters
    ----------
    x_min_m, y_min_m : float
        South-west corner of the grid (cell edges, not centres), in metres.
    cell_size_m : float
        Edge length of the square cells, in metres.
    nx, ny : int
        Number of columns (west to east) and rows (south to north).
    crs : pyproj.CRS
        Projected CRS with axes in metres.
    """

    x_min_m: float
    y_min_m: float
    cell_size_m: float
    nx: int
    ny: int
    crs: CRS

    @classmethod
    def from_bounds(
        cls,
        bounds_m: tuple[float, float, float, float],
        cell_size_m: float,
        crs: Any,
        *,
        max_cells: int = DEFAULT_MAX_CELLS,
    ) -> Grid:
        """The grid covering ``bounds_m`` with cells of ``cell_size_m``.

        The grid starts at ``(xmin, ymin)``; when the extent is not a whole number of cells
        the last column and row reach past ``xmax`` and ``ymax`` (never short of them).

        Parameters
        ----------
        bounds_m : (float, float, float, float)
            ``(xmin, ymin, xmax, ymax)`` in metres, in ``crs``.
        cell_size_m : float
            Cell edge length in metres, > 0.
        crs : Any
            A projected CRS in metres (anything :func:`atlas.crs.as_crs` accepts).
        max_cells : int
            Refuse grids with more cells than this.

        Raises
        ------
        GridError
            Bounds not increasing, a non-positive cell size, or too many cells.
        CRSPolicyError
            A geographic CRS or one not in metres.
        """
        projected = require_projected_metres(crs, where="grid crs")
        xmin, ymin, xmax, ymax = (float(v) for v in bounds_m)
        if not (xmax > xmin and ymax > ymin):
            raise GridError(
                f"bounds_m {list(bounds_m)!r} must be [xmin, ymin, xmax, ymax] with xmax > xmin "
                "and ymax > ymin (metres)"
            )
        if not (math.isfinite(cell_size_m) and cell_size_m > 0):
            raise GridError(f"cell_size_m must be a positive number of metres, got {cell_size_m!r}")
        nx = max(1, math.ceil((xmax - xmin) / cell_size_m - 1e-9))
        ny = max(1, math.ceil((ymax - ymin) / cell_size_m - 1e-9))
        if nx * ny > max_cells:
            raise GridError(
                f"{nx} x {ny} = {nx * ny:,} cells is more than the maximum of {max_cells:,}; "
                "use larger cells, a smaller extent, or raise the maximum (grid.max_cells)"
            )
        return cls(xmin, ymin, float(cell_size_m), nx, ny, projected)

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``: the shape of every field on this grid."""
        return (self.ny, self.nx)

    @property
    def x_max_m(self) -> float:
        """Eastern edge of the grid, in metres."""
        return self.x_min_m + self.nx * self.cell_size_m

    @property
    def y_max_m(self) -> float:
        """Northern edge of the grid, in metres."""
        return self.y_min_m + self.ny * self.cell_size_m

    @property
    def bounds_m(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` of the cell edges, in metres."""
        return (self.x_min_m, self.y_min_m, self.x_max_m, self.y_max_m)

    @property
    def x_centres_m(self) -> np.ndarray:
        """Easting of the cell centres, west to east (nx,), in metres."""
        return self.x_min_m + (np.arange(self.nx) + 0.5) * self.cell_size_m

    @property
    def y_centres_m(self) -> np.ndarray:
        """Northing of the cell centres, south to north (ny,) (y-up order), in metres."""
        return self.y_min_m + (np.arange(self.ny) + 0.5) * self.cell_size_m

    @property
    def transform(self) -> Affine:
        """Affine transform of the **north-up** raster (row 0 = northern row)."""
        return Affine(self.cell_size_m, 0.0, self.x_min_m, 0.0, -self.cell_size_m, self.y_max_m)

    @property
    def box(self) -> shapely.Polygon:
        """The grid's outline as a polygon in its CRS."""
        return shapely.box(*self.bounds_m)

    def rasterize(self, geometry: BaseGeometry) -> np.ndarray:
        """Cells covered by a geometry, as a boolean mask in **y-up** order.

        Points and lines mark every cell they touch, and at least the cells of their vertices
        (GDAL passes over a short line lying along a row boundary); on one of the grid's edges
        (or within a millionth of a cell of it, on either side), the cells along it. A point on
        a boundary between two cells marks one of them. A polygon marks the cells whose centre
        it contains; a polygon part that contains no cell centre (smaller than a cell) still
        marks the cells it touches, so no source or receptor vanishes.

        Parameters
        ----------
        geometry : BaseGeometry
            Any geometry in the grid's CRS.

        Returns
        -------
        numpy.ndarray of bool, shape (ny, nx)
        """
        mask = np.zeros(self.shape, dtype=bool)
        for part in single_parts(geometry):
            if part.is_empty:
                continue
            if isinstance(part, shapely.Polygon):
                part_mask = self._burn(part, all_touched=False)
                mask |= part_mask if part_mask.any() else self._burn(part, all_touched=True)
            else:
                inside = self._inside_edges(part)
                vertices = shapely.MultiPoint(shapely.get_coordinates(inside))
                mask |= self._burn(shapely.GeometryCollection([inside, vertices]), all_touched=True)
        return mask

    def count_points(self, geometry: BaseGeometry) -> np.ndarray:
        """How many of a geometry's parts each cell holds: for wells, the wells per cell.

        Each part counts 1, shared evenly by the cells :meth:`rasterize` marks for it alone
        (one, for a point inside the grid or within a millionth of a cell of it; none, for one
        further outside): a point written twice counts twice.

        Parameters
        ----------
        geometry : BaseGeometry
            Points (any geometry) in the grid's CRS.

        Returns
        -------
        numpy.ndarray of float, shape (ny, nx)
            Zero outside the cells :meth:`rasterize` marks for the whole geometry.
        """
        counts = np.zeros(self.shape)
        for part in single_parts(geometry):
            if not part.is_empty:
                mask = self.rasterize(part)
                if mask.any():
                    counts[mask] += 1 / np.count_nonzero(mask)
        return counts

    def _inside_edges(self, geometry: BaseGeometry) -> BaseGeometry:
        """``geometry`` with coordinates on the grid's edges, or within a millionth of a cell of
        them on either side, moved a thousandth of a cell inside. Rasterizing then finds the
        cells along the edge: rounding in the inverse transform put some points on the west or
        north edge just outside, a point on the east or south edge marks none, and GDAL passes
        over a line within 1e-4 of a cell of a row boundary, such as the north edge."""
        near_m, inset_m = 1e-6 * self.cell_size_m, 1e-3 * self.cell_size_m
        x0, y0, x1, y1 = self.bounds_m

        def onto(values: np.ndarray, low: float, high: float) -> np.ndarray:
            values = np.where(np.abs(values - low) <= near_m, low + inset_m, values)
            return np.where(np.abs(values - high) <= near_m, high - inset_m, values)

        def inside(xy: np.ndarray) -> np.ndarray:
            return np.column_stack([onto(xy[:, 0], x0, x1), onto(xy[:, 1], y0, y1)])

        return shapely.transform(geometry, inside)

    def _burn(self, geometry: BaseGeometry, *, all_touched: bool) -> np.ndarray:
        burnt = rasterio.features.rasterize(
            [(geometry, 1)],
            out_shape=self.shape,
            transform=self.transform,
            fill=0,
            all_touched=all_touched,
            dtype="uint8",
        )
        return burnt[::-1].astype(bool)

    def align(
        self,
        raster: xr.DataArray,
        *,
        where: str = "raster",
        resampling: Resampling = Resampling.nearest,
    ) -> np.ndarray:
        """Resample a georeferenced raster onto this grid, as a **y-up** float array.

        Parameters
        ----------
        raster : xarray.DataArray
            A single-band raster opened with rioxarray (a leading ``band`` dimension of
            length 1 is dropped). It must carry the grid's CRS: rasters in another CRS are
            rejected rather than silently warped, so that the values the model sees are
            the values in the file.
        where : str
            Name of the raster for error messages (e.g. its path).
        resampling : rasterio.enums.Resampling
            Resampling method; nearest neighbour keeps zone values (e.g. conductivity classes).

        Returns
        -------
        numpy.ndarray of float, shape (ny, nx)
            The values at the grid cells; NaN where the raster has no data or does not reach.

        Raises
        ------
        RasterError
            No CRS, another CRS than the grid's, or more than one band.
        """
        if "band" in raster.dims:
            if raster.sizes["band"] != 1:
                raise RasterError(
                    f"{where}: has {raster.sizes['band']} bands; a model input needs exactly one"
                )
            raster = raster.squeeze("band", drop=True)
        raster_crs = raster.rio.crs
        if raster_crs is None:
            raise RasterError(
                f"{where}: has no CRS; expected {self.crs.to_string()}; "
                f"set it, e.g. gdal_edit.py -a_srs {self.crs.to_string()} FILE"
            )
        if CRS.from_user_input(raster_crs) != self.crs:
            raise RasterError(
                f"{where}: is in {raster_crs.to_string()!r}, not the scenario CRS "
                f"{self.crs.to_string()!r}; reproject it first, e.g. "
                f"gdalwarp -t_srs {self.crs.to_string()} IN OUT"
            )
        floats = raster.astype("float64")
        nodata = raster.rio.nodata
        if nodata is not None and not np.isnan(nodata):
            floats = floats.where(raster != nodata)
        floats = floats.rio.write_nodata(np.nan).rio.write_crs(self.crs)
        resampled = floats.rio.reproject(
            self.crs,
            shape=self.shape,
            transform=self.transform,
            resampling=resampling,
            nodata=np.nan,
        )
        return np.asarray(resampled.values, dtype=float)[::-1].copy()

    def to_dataarray(
        self, values: np.ndarray, *, name: str, units: str, long_name: str, **attrs: Any
    ) -> xr.DataArray:
        """Wrap **y-up** field(s) as a north-up DataArray with coordinates and CRS.

        Parameters
        ----------
        values : numpy.ndarray, shape (..., ny, nx)
            Field(s) in y-up order; leading dimensions are named by the caller afterwards
            (they come out as ``dim_0``, ... unless the array is 2-D).
        name, units, long_name : str
            Variable name and CF attributes.
        **attrs
            Further attributes.

        Returns
        -------
        xarray.DataArray
            Dims ``(..., y, x)``, ``y`` descending (north-up), cell-centre coordinates in
            metres, the CRS written as a CF grid mapping (``spatial_ref``).
        """
        values = np.asarray(values)
        if values.shape[-2:] != self.shape:
            raise GridError(f"{name}: shape {values.shape} does not end in the grid's {self.shape}")
        leading = [f"dim_{k}" for k in range(values.ndim - 2)]
        array = xr.DataArray(
            values[..., ::-1, :],
            dims=(*leading, "y", "x"),
            coords={"y": self.y_centres_m[::-1], "x": self.x_centres_m},
            name=name,
            attrs={"units": units, "long_name": long_name, **attrs},
        )
        array["x"].attrs.update(
            units="m", standard_name="projection_x_coordinate", long_name="easting"
        )
        array["y"].attrs.update(
            units="m", standard_name="projection_y_coordinate", long_name="northing"
        )
        return array.rio.write_crs(self.crs).rio.write_grid_mapping()

    def from_dataarray(self, array: xr.DataArray) -> np.ndarray:
        """The values of a north-up DataArray on this grid, as a **y-up** array.

        Raises
        ------
        GridError
            When the DataArray's ``x``/``y`` coordinates are not this grid's cell centres.
        """
        x = np.asarray(array["x"].values, dtype=float)
        y = np.asarray(array["y"].values, dtype=float)
        tolerance = 1e-6 * self.cell_size_m
        if not (
            x.shape == (self.nx,)
            and y.shape == (self.ny,)
            and np.allclose(x, self.x_centres_m, atol=tolerance, rtol=0)
            and np.allclose(y, self.y_centres_m[::-1], atol=tolerance, rtol=0)
        ):
            raise GridError(
                f"{array.name!r}: its x/y coordinates are not the cell centres of this grid "
                f"({self.nx} x {self.ny} cells of {self.cell_size_m} m from "
                f"({self.x_min_m}, {self.y_min_m})); align it with Grid.align first"
            )
        return np.asarray(array.transpose(..., "y", "x").values)[..., ::-1, :].copy()
