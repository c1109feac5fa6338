"""Geometries (WKT or layer references) and rasters of a scenario, resolved onto its grid."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import rioxarray
import shapely
import xarray as xr
from pyproj import CRS
from rioxarray.exceptions import NoDataInBounds
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from atlas.errors import AtlasError, RasterError
from atlas.grid import Grid
from atlas.scenario.fields import FieldReader, key_path, shown, suggest
from atlas.scenario.schema import GridRaster

__all__ = ["MOST_BUFFER_M", "Inputs"]

MOST_BUFFER_M = 100_000.0
"""The widest ``buffer_m`` of a layer reference, in metres."""


class Inputs:
    """Resolves geometries (WKT or layer references) and rasters for one scenario."""

    def __init__(
        self,
        reader: FieldReader,
        crs: CRS | None,
        grid: Grid | None,
        folder: Path,
        root: Path | None,
    ) -> None:
        self.reader, self.crs, self.grid, self.folder, self.root = reader, crs, grid, folder, root
        self.files: list[Path] = []
        self._layers: dict[str, Any] = {}

    def geometry(self, spec: Any, where: str, *, clip: bool) -> BaseGeometry | None:
        """The geometry in the scenario CRS, clipped to the grid when ``clip``; None if bad."""
        self.reader.parameter_keys.append(where)
        if isinstance(spec, str):
            geometry = self._wkt(spec, where)
        elif isinstance(spec, dict):
            geometry = self._layer_geometry(spec, where, clip=clip)
        else:
            self.reader.note(
                where,
                f"expected WKT text or a layer reference, found {shown(spec)}",
                'e.g. "POINT (389000 4499000)" or { layer = "rivers_10m", where = { name = '
                '"Huang" } }',
            )
            return None
        if geometry is None or self.grid is None:
            return geometry
        return self._inside_grid(self.grid, geometry, where, clip=clip)

    def placed(self, geometry: BaseGeometry, where: str) -> BaseGeometry | None:
        """``geometry`` (in the scenario CRS) when it lies wholly on the grid; None (noted)
        when it does not."""
        if self.grid is None:
            return geometry
        return self._inside_grid(self.grid, geometry, where, clip=False)

    def _wkt(self, text: str, where: str) -> BaseGeometry | None:
        try:
            with warnings.catch_warnings():  # GEOS overflows on 1e400: invalid below
                warnings.simplefilter("ignore", RuntimeWarning)
                geometry = shapely.from_wkt(text)
        except GEOSException as exc:
            self.reader.note(where, f"is not valid WKT ({exc})", "see en.wikipedia.org/wiki/WKT")
            return None
        if geometry.is_empty or not geometry.is_valid:
            self.reader.note(where, f"WKT geometry is empty or invalid: {shown(text)}")
            return None
        return geometry

    def _layer_geometry(
        self, spec: dict[str, Any], where: str, *, clip: bool
    ) -> BaseGeometry | None:
        self.reader.keys(spec, ["layer", "where", "buffer_m"], where)
        name = self.reader.text(spec, "layer", f"{where}.layer")
        conditions = spec.get("where", {})
        buffer_m = self.reader.number(
            spec,
            "buffer_m",
            f"{where}.buffer_m",
            default=0.0,
            rule=(
                lambda v: 0 <= v <= MOST_BUFFER_M,
                f"is outside [0, {MOST_BUFFER_M:,.0f}] m: a buffer widens a line or point into "
                "a band (a river's width, a margin)",
            ),
        )
        if not isinstance(conditions, dict):
            self.reader.note(
                f"{where}.where", f"expected a table column = value, got {shown(conditions)}"
            )
            return None
        scalar = str | int | float | bool
        for column, wanted in conditions.items():
            values = wanted if isinstance(wanted, list) else [wanted]
            if not values or not all(isinstance(v, scalar) for v in values):
                self.reader.note(
                    f"{where}.where.{column}",
                    f"expected a value or a non-empty list of values, got {shown(wanted)}",
                )
                return None
        if name is None or self.crs is None or buffer_m is None:
            return None
        if self.root is None:
            self.reader.note(
                f"{where}.layer",
                "a layer reference needs a data root (a folder holding layers/), none found",
                "give the data root (--root DIR or ATLAS_ROOT; root= in Python), or keep the "
                "scenario in ROOT/scenarios/",
            )
            return None
        try:
            frame = self._read_layer(name, self.root)
        except AtlasError as exc:
            self.reader.note(f"{where}.layer", str(exc))
            return None
        earlier: dict[str, Any] = {}
        for column, wanted in conditions.items():
            if column not in frame.columns:
                self.reader.note(
                    f"{where}.where.{column}",
                    f"layer {name!r} has no column {column!r}",
                    suggest(column, sorted(map(str, frame.columns))),
                )
                return None
            values = wanted if isinstance(wanted, list) else [wanted]
            matched = frame[frame[column].isin(values)]
            if matched.empty:
                also = f" where {shown(earlier)}" if earlier else ""
                self.reader.note(
                    key_path(f"{where}.where", column),
                    f"no feature of layer {name!r}{also} has {column} = {shown(wanted)}",
                    _closest_value(values[0], frame[column].dropna().unique()),
                )
                return None
            earlier[column] = wanted
            frame = matched
        frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
        if frame.empty:
            self.reader.note(where, f"no feature of layer {name!r} matches {shown(conditions)}")
            return None
        with warnings.catch_warnings():  # features PROJ cannot place come out as inf or NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            projected = frame.to_crs(self.crs).geometry
            projected = projected[np.isfinite(projected.bounds.to_numpy()).all(axis=1)]
            if projected.empty:
                self.reader.note(
                    where,
                    f"no feature of layer {name!r} matching {shown(conditions)} can be drawn in "
                    f"the scenario CRS {self.crs.to_string()!r}",
                    "use the site's UTM zone",
                )
                return None
            geometry = projected.union_all()
        return self._buffered(geometry, buffer_m, where, clip=clip) if buffer_m > 0 else geometry

    def _buffered(
        self, geometry: BaseGeometry, buffer_m: float, where: str, *, clip: bool
    ) -> BaseGeometry | None:
        """``geometry`` widened by ``buffer_m``, only where that can reach the grid: a layer
        may cover the world, and buffering all of it takes seconds."""
        if self.grid is not None:
            x0, y0, x1, y1 = self.grid.bounds_m
            if clip:  # keep what lies within buffer_m (and a cell) of the grid
                margin = buffer_m + self.grid.cell_size_m
                geometry = shapely.clip_by_rect(
                    geometry, x0 - margin, y0 - margin, x1 + margin, y1 + margin
                )
            elif not self.grid.box.covers(geometry):
                return geometry  # already outside the grid: reported as such, unbuffered
        try:
            return geometry.buffer(buffer_m)
        except GEOSException as exc:
            self.reader.note(f"{where}.buffer_m", f"cannot buffer the layer's geometry ({exc})")
            return None

    def _read_layer(self, name: str, root: Path) -> Any:
        if name not in self._layers:
            from atlas.load import read_layer

            self._layers[name] = read_layer(name, root)
        return self._layers[name]

    def _inside_grid(self, grid: Grid, geometry: BaseGeometry, where: str, *, clip: bool):
        box = grid.box
        try:
            if clip:
                clipped = geometry.intersection(box)
                if not clipped.is_empty:
                    return clipped
            elif box.covers(geometry):
                return geometry
        except GEOSException as exc:
            self.reader.note(where, f"cannot be placed on the grid ({exc})")
            return None
        x0, y0, x1, y1 = geometry.bounds
        degrees = max(abs(x0), abs(x1)) <= 180 and max(abs(y0), abs(y1)) <= 90
        # empty: a buffered layer clipped to the grid's surroundings, and nothing was there
        digits = 4 if degrees else 1  # a tenth of a metre, or about ten metres in degrees
        shown_bounds = ", ".join(
            np.format_float_positional(v, precision=digits, trim="-") for v in (x0, y0, x1, y1)
        )
        bounds = "none near it" if geometry.is_empty else f"its bounds are [{shown_bounds}]"
        self.reader.note(
            where,
            f"lies {'partly ' if clip is False and geometry.intersects(box) else ''}outside the "
            f"grid {list(grid.bounds_m)} ({bounds})",
            "WKT coordinates are in the scenario CRS, not degrees"
            if degrees
            else "move it or enlarge grid.bounds_m",
        )
        return None

    def raster(self, spec: Any, where: str) -> GridRaster | None:
        """A raster file (path relative to the scenario's folder or the data root), aligned."""
        self.reader.parameter_keys.append(where)
        if not isinstance(spec, str) or not spec.strip():
            self.reader.note(where, f"expected a raster path, found {shown(spec)}")
            return None
        candidates = [self.folder / spec] + ([Path(self.root) / spec] if self.root else [])
        path = next((p for p in candidates if _is_file(p)), None)
        if path is None:
            looked = ", ".join(shown(str(p)) for p in candidates)
            self.reader.note(
                where,
                f"raster {shown(spec)} not found (looked at {looked})",
                "give the path from the scenario's folder or from the data root (--root, or "
                "ATLAS_ROOT)",
            )
            return None
        self.files.append(path)
        if self.grid is None:
            return None
        try:
            opened = rioxarray.open_rasterio(path)
            if not isinstance(opened, xr.DataArray):
                raise OSError("not a single raster")
            with opened:
                values = self.grid.align(_window(opened, self.grid, str(path)), where=str(path))
        except AtlasError as exc:
            self.reader.note(where, exc.message)
            return None
        except OSError as exc:
            self.reader.note(where, f"cannot read {str(path)!r} as a raster ({exc})")
            return None
        return GridRaster(path, values)


MAX_RASTER_PIXELS = 100_000_000
"""The most pixels of a raster read for a grid (after clipping it to the grid)."""


def _window(raster: xr.DataArray, grid: Grid, where: str) -> xr.DataArray:
    """The part of a lazily opened raster around the grid, loaded: only that part is read, so
    a small compressed file cannot blow up to gigabytes.

    Raises
    ------
    RasterError
        More than one band, no overlap with the grid, or too many pixels around it.
    """
    bands = raster.sizes.get("band", 1)
    if bands != 1:
        raise RasterError(f"{where}: has {bands} bands; a model input needs exactly one")
    if raster.rio.crs is not None and CRS.from_user_input(raster.rio.crs) == grid.crs:
        margin = 2 * grid.cell_size_m
        x0, y0, x1, y1 = grid.bounds_m
        try:
            raster = raster.rio.clip_box(x0 - margin, y0 - margin, x1 + margin, y1 + margin)
        except NoDataInBounds:
            raise RasterError(f"{where}: does not reach the grid {list(grid.bounds_m)}") from None
    if raster.size > MAX_RASTER_PIXELS:
        raise RasterError(
            f"{where}: {raster.size:,} pixels around the grid, more than {MAX_RASTER_PIXELS:,}; "
            "resample it to a resolution near the grid's cell size"
        )
    return raster.load()


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for a path the system cannot even look up (too long, a NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _toml(value: Any) -> str:
    """A layer's value as a scenario would write it: ``true``, ``3``, ``2.5`` or a quoted
    string (bounded, on one line)."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return shown(str(value))


def _closest_value(wanted: Any, known: Any) -> str:
    """The fix for a ``where`` value no feature has (:func:`~atlas.scenario.fields.suggest`),
    each known value as a scenario would write it."""
    spelled = {str(value): _toml(value) for value in known}
    if not spelled:
        return "the column holds no value in these features"
    return suggest(str(wanted), sorted(spelled), what="values", spelled=spelled)
