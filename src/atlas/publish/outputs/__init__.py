"""Write a plume projection: CF NetCDF, GeoTIFFs, a JSON summary and isochrone polygons.

Files written into the output folder (all modelled, and labelled so):

* ``concentration.nc`` — the whole :func:`atlas.run.project` Dataset, CF-1.8, with the
  CRS as a CF grid mapping; opens in QGIS, Panoply and xarray.
* ``concentration_<k>_<t>yr.tif`` — one float32 north-up GeoTIFF per output time (k = 00, 01,
  ...), in the scenario CRS, nodata -9999.
* ``summary.json`` — arrival times per receptor and threshold, the mass budget, the plume's
  extent per threshold, the assumptions, the provenance of every parameter and the inputs' hash.
* ``isochrones.geojson`` — EPSG:4326 polygons of C >= each threshold at each output time.

Everything is written into a temporary folder beside the output folder and moved into place at
the end, so a failure leaves the output folder as it was. The same inputs give the same bytes
for ``summary.json``, ``isochrones.geojson`` and the GeoTIFFs.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.features
import shapely
import xarray as xr
from shapely.geometry import mapping, shape

from atlas import __version__
from atlas.crs import WGS84, transformer
from atlas.publish.outputs.geotiff import write_geotiff
from atlas.publish.staging import staged_folder
from atlas.run import MODELLED_LABEL, assumptions
from atlas.scenario import Scenario

__all__ = ["inputs_sha256", "is_current", "write_outputs"]

_SIGNIFICANT_DIGITS = 6
_DEGREE_DECIMALS = 7  # about 1 cm
_YEAR_DECIMALS = 3


def inputs_sha256(scenario: Scenario) -> str:
    """sha256 of everything a projection depends on.

    Covers the parsed scenario (comments excluded), the bytes of every raster it reads, its
    resolved geometries (so a change in a referenced layer counts) and the atlas version. Equal
    hashes mean a stored result can be reused.
    """
    digest = hashlib.sha256()
    digest.update(f"atlas {__version__}\n".encode())
    digest.update(scenario.document_json.encode())
    for path in scenario.referenced_files:
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    digest.update(scenario.geometry_sha256().encode())
    return digest.hexdigest()


def is_current(out_dir: str | os.PathLike[str], scenario: Scenario) -> bool:
    """Whether ``out_dir`` holds outputs written from exactly these inputs."""
    summary = Path(out_dir) / "summary.json"
    if not summary.is_file():
        return False
    try:
        stored = json.loads(summary.read_text(encoding="utf-8")).get("inputs_sha256")
    except (OSError, ValueError):
        return False
    return stored == inputs_sha256(scenario)


def _number(value: Any) -> float | None:
    """A float rounded to a fixed number of significant digits (None for NaN)."""
    value = float(value)
    return None if not np.isfinite(value) else float(f"{value:.{_SIGNIFICANT_DIGITS}g}")


def _years(value: Any) -> float | None:
    """A time in years rounded to 0.001 yr (about 9 hours), None for NaN."""
    value = float(value)
    return None if not np.isfinite(value) else round(value, _YEAR_DECIMALS)


def _write_netcdf(dataset: xr.Dataset, path: Path, digest: str) -> None:
    dataset = dataset.copy()
    dataset.attrs["inputs_sha256"] = digest
    dataset.attrs["atlas_version"] = __version__
    dataset["concentration"].encoding.update(dtype="float32", zlib=True, complevel=4)
    dataset.to_netcdf(path, engine="netcdf4")


def _geotiff_names(dataset: xr.Dataset) -> list[str]:
    times = dataset["time_yr"].values
    return [f"concentration_{k:02d}_{t:g}yr.tif" for k, t in enumerate(times)]


def _write_geotiffs(dataset: xr.Dataset, folder: Path, scenario: Scenario) -> None:
    grid = scenario.grid
    for name, (k, time_yr) in zip(
        _geotiff_names(dataset), enumerate(dataset["time_yr"].values), strict=True
    ):
        write_geotiff(
            folder / name,
            grid,
            np.asarray(dataset["concentration"].isel(time_yr=k).values),
            tags=dict(
                units="mg/L",
                long_name="modelled concentration (depth-averaged)",
                modelled=MODELLED_LABEL,
                scenario=scenario.name,
                time_yr=f"{time_yr:g}",
                **(
                    {}
                    if scenario.start_year is None
                    else {"calendar_year": f"{scenario.start_year + time_yr:g}"}
                ),
            ),
        )


def _extent(north_up_mask: np.ndarray, scenario: Scenario) -> dict[str, Any] | None:
    """The cells of a north-up mask as one (multi)polygon in EPSG:4326, None when empty."""
    if not north_up_mask.any():
        return None
    shapes = rasterio.features.shapes(
        north_up_mask.astype("uint8"),
        mask=north_up_mask,
        transform=scenario.grid.transform,
        connectivity=4,
    )
    projected = shapely.union_all([shape(geometry) for geometry, _ in shapes])
    to_wgs84 = transformer(scenario.crs, WGS84)
    geographic = shapely.transform(
        projected, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1]))
    )
    geographic = shapely.set_precision(geographic, 10.0**-_DEGREE_DECIMALS)
    if not geographic.is_valid:
        geographic = shapely.make_valid(geographic)
    return mapping(shapely.orient_polygons(geographic))


def _isochrones(dataset: xr.Dataset, scenario: Scenario) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    cell_area_m2 = scenario.grid.cell_size_m**2
    for threshold in scenario.thresholds_mg_per_l:
        for k, time_yr in enumerate(dataset["time_yr"].values):
            mask = np.asarray(dataset["concentration"].isel(time_yr=k).values) >= threshold
            geometry = _extent(mask, scenario)
            if geometry is None:
                continue
            properties = {
                "scenario": scenario.name,
                "threshold_mg_per_l": _number(threshold),
                "time_yr": _years(time_yr),
                "calendar_year": None
                if scenario.start_year is None
                else _years(scenario.start_year + time_yr),
                "area_m2": _number(mask.sum() * cell_area_m2),
                "modelled": MODELLED_LABEL,
            }
            features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return {
        "type": "FeatureCollection",
        "name": f"{scenario.name} isochrones",
        "features": features,
    }


def _arrivals(dataset: xr.Dataset, scenario: Scenario) -> list[dict[str, Any]]:
    rows = []
    for receptor in scenario.receptors:
        for threshold in receptor.thresholds_mg_per_l:
            arrival = dataset["arrival_yr"].sel(
                receptor=receptor.name, threshold_mg_per_l=threshold
            )
            years = _years(arrival)
            rows.append(
                {
                    "receptor": receptor.name,
                    "threshold_mg_per_l": _number(threshold),
                    "arrival_yr": years,
                    "arrival_calendar_year": None
                    if years is None or scenario.start_year is None
                    else _years(scenario.start_year + float(arrival)),
                }
            )
    return rows


def summary(
    dataset: xr.Dataset, scenario: Scenario, *, files: Iterable[str] = ()
) -> dict[str, Any]:
    """The content of ``summary.json``: arrival times, the mass budget per output time,
    assumptions, provenance and the inputs' hash, in plain JSON types (None for NaN).

    Parameters
    ----------
    dataset : xarray.Dataset
        The result of :func:`atlas.run.project` for ``scenario``.
    scenario : Scenario
        The scenario the dataset was projected from.
    files : iterable of str
        Names of the files written beside it, listed under ``"files"``.
    """
    grid = scenario.grid
    concentration = dataset["concentration"]
    per_time = []
    for k, time_yr in enumerate(dataset["time_yr"].values):
        field = np.asarray(concentration.isel(time_yr=k).values)
        per_time.append(
            {
                "time_yr": _years(time_yr),
                "max_concentration_mg_per_l": _number(np.nanmax(field)),
                "area_m2_at_or_above": {
                    f"{t:g}": _number(np.count_nonzero(field >= t) * grid.cell_size_m**2)
                    for t in scenario.thresholds_mg_per_l
                },
                **{term: _number(dataset[term].values[k]) for term in _BUDGET},
            }
        )
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "modelled": MODELLED_LABEL,
        "inputs_sha256": inputs_sha256(scenario),
        "atlas_version": __version__,
        "crs": scenario.crs.to_string(),
        "start_year": scenario.start_year,
        "grid": {
            "x_min_m": grid.x_min_m,
            "y_min_m": grid.y_min_m,
            "cell_size_m": grid.cell_size_m,
            "nx": grid.nx,
            "ny": grid.ny,
        },
        "assumptions": assumptions(scenario),
        "provenance": dict(scenario.provenance),
        "undocumented_parameters": list(scenario.undocumented),
        "arrival_resolution_yr": _years(scenario.arrival_resolution_yr),
        "arrivals": _arrivals(dataset, scenario),
        "output_times": per_time,
        "files": sorted(files),
    }


_BUDGET = ("mass_in_kg", "mass_stored_kg", "mass_out_kg", "mass_decayed_kg")


def _dump_json(content: Any, path: Path) -> None:
    text = json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def write_outputs(
    dataset: xr.Dataset, out_dir: str | os.PathLike[str], *, scenario: Scenario
) -> list[Path]:
    """Write a projection's files into ``out_dir`` (see the module docstring).

    Parameters
    ----------
    dataset : xarray.Dataset
        The result of :func:`atlas.run.project` for ``scenario``.
    out_dir : str or os.PathLike
        Output folder; created, or replaced when it holds an earlier plume output.
    scenario : Scenario
        The scenario the dataset was projected from.

    Returns
    -------
    list of pathlib.Path
        The files written, sorted.

    Raises
    ------
    OutputError
        When ``out_dir`` is a file, or a non-empty folder that holds no plume output (it is
        never overwritten), or cannot be written.
    """
    out_dir = Path(out_dir)
    with staged_folder(out_dir, marker="summary.json", kind="plume output") as built:
        _write_all(dataset, built, scenario)
    return sorted(out_dir.iterdir())


def _write_all(dataset: xr.Dataset, folder: Path, scenario: Scenario) -> None:
    names = ["concentration.nc", "isochrones.geojson", *_geotiff_names(dataset), "summary.json"]
    content = summary(dataset, scenario, files=names)
    _write_netcdf(dataset, folder / "concentration.nc", content["inputs_sha256"])
    _dump_json(_isochrones(dataset, scenario), folder / "isochrones.geojson")
    _write_geotiffs(dataset, folder, scenario)
    _dump_json(content, folder / "summary.json")
