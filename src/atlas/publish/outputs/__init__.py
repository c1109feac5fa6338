"""A run's files: CF NetCDF, GeoTIFFs, isochrones and a JSON summary, written from the result
and read back into one (the cache of :func:`atlas.pipeline.build_site`).

Files of an output folder (all modelled, and labelled so):

* ``concentration.nc`` — the result's whole Dataset, CF-1.8, with the CRS as a CF grid
  mapping; opens in QGIS, Panoply and xarray (``flow.nc`` for a flow-only run).
* ``concentration_<k>_<t>yr.tif`` — one float32 north-up GeoTIFF per output time (k = 00, 01,
  ...), in the scenario CRS, nodata -9999.
* ``isochrones.geojson`` — EPSG:4326 polygons of C >= each threshold at each output time.
* ``quicklook_<k>_<t>yr.png`` and ``quicklook_receptors.png`` — pictures for a first look:
  the concentration map at each output time and the concentration at each receptor against
  the year (:mod:`atlas.publish.outputs.quicklook`).
* ``summary.json`` — arrival times per receptor and threshold, the mass budget, the plume's
  extent per threshold, the flow at the source, the assumptions, the provenance of every
  parameter and the inputs' hash.

Everything is written into a temporary folder beside the output folder and moved into place at
the end, so a failure leaves the output folder as it was. The same result gives the same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import xarray as xr

from atlas.publish.outputs.geotiff import write_geotiff
from atlas.publish.outputs.isochrones import read_isochrones, write_isochrones
from atlas.publish.outputs.netcdf import read_netcdf, write_netcdf
from atlas.publish.outputs.quicklook import Surroundings, quicklook_names, write_quicklooks
from atlas.publish.outputs.summary import SUMMARY, dump_json, read_tables, summary
from atlas.publish.staging import staged_folder
from atlas.result import MODELLED_LABEL, PlumeResult
from atlas.scenario import Scenario
from atlas.scenario.digest import inputs_sha256

__all__ = ["SUMMARY", "read_result", "write_result"]

ISOCHRONES = "isochrones.geojson"


def _transports(scenario: Scenario) -> bool:
    return bool(scenario.sources) or scenario.initial is not None


def _geotiff_names(scenario: Scenario) -> list[str]:
    times = scenario.output_times_yr if _transports(scenario) else ()
    return [f"concentration_{k:02d}_{t:g}yr.tif" for k, t in enumerate(times)]


def _file_names(scenario: Scenario) -> list[str]:
    """The files of a result of ``scenario``, NetCDF first, in the order they are written."""
    netcdf = "concentration.nc" if _transports(scenario) else "flow.nc"
    return [netcdf, ISOCHRONES, *_geotiff_names(scenario), *quicklook_names(scenario), SUMMARY]


def _write_geotiffs(result: PlumeResult, folder: Path) -> None:
    if not result.transports:
        return
    scenario = result.scenario
    concentration = result.dataset["concentration"]
    for k, name in enumerate(_geotiff_names(scenario)):
        time_yr = float(concentration["time_yr"][k])
        calendar = (
            {}
            if scenario.start_year is None
            else {"calendar_year": f"{scenario.start_year + time_yr:g}"}
        )
        write_geotiff(
            folder / name,
            scenario.grid,
            concentration.isel(time_yr=k).values,
            tags=dict(
                units="mg/L",
                long_name="modelled concentration (depth-averaged)",
                modelled=MODELLED_LABEL,
                scenario=scenario.name,
                time_yr=f"{time_yr:g}",
                **calendar,
            ),
        )


def write_result(
    result: PlumeResult,
    out_dir: str | os.PathLike[str],
    *,
    surroundings: Surroundings | None = None,
) -> list[Path]:
    """Write a result's files into ``out_dir`` (see the module docstring).

    Parameters
    ----------
    result : PlumeResult
        What :func:`atlas.run.run_scenario` returned (or :func:`read_result` read).
    out_dir : str or os.PathLike
        Output folder; created, or replaced when it holds earlier plume outputs.
    surroundings : Surroundings, optional
        Layers of the data root drawn under the quicklook maps (ponds, rivers,
        observations); without them the maps show the scenario's own geometries.

    Returns
    -------
    list of pathlib.Path
        The files written, sorted by name.

    Raises
    ------
    OutputError
        When ``out_dir`` is a file, or a non-empty folder that holds no plume output (it is
        never overwritten), or cannot be written.
    """
    out_dir = Path(out_dir)
    names = _file_names(result.scenario)
    with staged_folder(out_dir, marker=SUMMARY, kind="plume output") as folder:
        write_netcdf(result.dataset, folder / names[0], inputs_sha256=result.inputs_sha256)
        write_isochrones(result.isochrones, folder / ISOCHRONES, scenario=result.name)
        _write_geotiffs(result, folder)
        write_quicklooks(result, folder, surroundings)
        dump_json(summary(result, files=names), folder / SUMMARY)
    return sorted(out_dir / name for name in names)


def read_result(folder: str | os.PathLike[str], scenario: Scenario) -> PlumeResult | None:
    """The result :func:`write_result` wrote into ``folder`` from these very inputs.

    Parameters
    ----------
    folder : str or os.PathLike
        An output folder.
    scenario : Scenario
        The scenario the result must have been run from.

    Returns
    -------
    PlumeResult or None
        The result, equal to the one written but for the concentrations' float32 rounding;
        None when the folder holds no readable result of exactly these inputs (another
        scenario, changed inputs or atlas version, a missing or damaged file).
    """
    folder = Path(folder)
    expected = inputs_sha256(scenario)
    try:
        content = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
        names = _file_names(scenario)
        if not isinstance(content, dict) or content.get("inputs_sha256") != expected:
            return None
        if sorted(content["files"]) != sorted(names):
            return None
        dataset = read_netcdf(folder / names[0], inputs_sha256=expected)
        if not _fits(dataset, scenario):
            return None
        arrivals, output_times, flow, lines = read_tables(content)
        return PlumeResult(
            scenario=scenario,
            dataset=dataset,
            isochrones=read_isochrones(folder / ISOCHRONES),
            arrivals=arrivals,
            output_times=output_times,
            source_flow=flow,
            assumptions=lines,
            inputs_sha256=expected,
        )
    except (OSError, RuntimeError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def _fits(dataset: xr.Dataset, scenario: Scenario) -> bool:
    """Whether ``dataset`` lies on the scenario's grid, and has its output times if it moves
    solute."""
    grid = scenario.grid
    if (dataset.sizes.get("y"), dataset.sizes.get("x")) != (grid.ny, grid.nx):
        return False
    if not _transports(scenario):
        return "concentration" not in dataset
    return "concentration" in dataset and np.array_equal(
        dataset["time_yr"].values, np.asarray(scenario.output_times_yr, dtype=float)
    )
