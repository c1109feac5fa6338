"""Plume projections on the page: an output folder read into tables of facts with their sources.

:func:`read_projection` reads what the page needs from a folder written by
:func:`atlas.publish.outputs.write_outputs` (``summary.json``, ``isochrones.geojson``
and the velocities of ``concentration.nc``) together with the scenario it was projected from.
:func:`projection_tables` puts projections of the same grid side by side in one table (the
two Baotou projections), one row per fact (:mod:`.projection_facts`), every fact with its
source. Everything here is plain text; the page template escapes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import xarray as xr

from atlas.crs import WGS84
from atlas.errors import OutputError
from atlas.publish.site.plume_facts import Entry, Fact, projection_facts, source_flow
from atlas.scenario import Scenario

__all__ = [
    "Download",
    "Projection",
    "ProjectionTable",
    "Row",
    "featured",
    "projection_tables",
    "read_projection",
]


@dataclass(frozen=True)
class Row:
    """A row of a projection table: its label and one entry per projection."""

    label: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Download:
    """A file of a projection, linked from the page: ``plumes/<scenario>/<name>``."""

    name: str
    size_bytes: int


@dataclass(frozen=True)
class Projection:
    """What the page shows of one plume projection.

    Attributes
    ----------
    name, description : str
        The scenario's name (also its folder in ``plumes/``) and description.
    folder : pathlib.Path
        The folder holding the projection's files.
    grid_key : tuple
        CRS and grid of the projection: projections with equal keys are shown side by side.
    isochrones : geopandas.GeoDataFrame
        Areas at or above each threshold at each output time, EPSG:4326 (modelled).
    facts : tuple of (str, Entry)
        Labelled facts, in the order shown.
    assumptions : tuple of str
        The model's assumptions, from ``summary.json``.
    modelled : str
        The "modelled, not measured" label of ``summary.json``.
    downloads : tuple of Download
        The files of the projection, in the order of ``summary.json``.
    """

    name: str
    description: str
    folder: Path
    grid_key: tuple[Any, ...]
    isochrones: gpd.GeoDataFrame
    facts: tuple[Fact, ...]
    assumptions: tuple[str, ...]
    modelled: str
    downloads: tuple[Download, ...]

    @property
    def download_groups(self) -> tuple[tuple[str, tuple[Download, ...]], ...]:
        """The downloads grouped by kind of file: (description, files), NetCDF first."""
        groups = (
            (description, tuple(d for d in self.downloads if d.name.endswith(suffix)))
            for suffix, description in _DESCRIPTIONS.items()
        )
        return tuple((description, files) for description, files in groups if files)


@dataclass(frozen=True)
class ProjectionTable:
    """Projections shown in one table, one column each."""

    title: str
    projections: tuple[Projection, ...]
    rows: tuple[Row, ...]


_DESCRIPTIONS = {
    ".nc": "NetCDF (CF-1.8): concentrations at every output time, heads, velocities, arrivals",
    ".tif": "GeoTIFF (scenario CRS, mg/L), one per output time: the concentration",
    ".geojson": "GeoJSON (EPSG:4326): the plume outlines drawn on the map",
    ".json": "JSON: arrival times, mass budget, assumptions and the source of every parameter",
}
"""What each kind of output file holds, by suffix, in the order the page lists them."""


def _downloads(folder: Path, files: Iterable[str]) -> tuple[Download, ...]:
    downloads = []
    for name in files:
        path = folder / name
        if not path.is_file():
            raise OutputError(
                f"summary.json lists {name!r} but the file is missing; delete the folder to "
                "project the scenario again",
                path=folder,
            )
        downloads.append(Download(name, path.stat().st_size))
    return tuple(downloads)


def _isochrones(path: Path) -> gpd.GeoDataFrame:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    if not features:
        return gpd.GeoDataFrame(geometry=[], crs=WGS84)
    return gpd.GeoDataFrame.from_features(features, crs=WGS84)


def _velocities(path: Path, scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    with xr.open_dataset(path, engine="netcdf4") as dataset:
        return (
            scenario.grid.from_dataarray(dataset["velocity_x_m_per_yr"]),
            scenario.grid.from_dataarray(dataset["velocity_y_m_per_yr"]),
        )


def read_projection(folder: Path, scenario: Scenario) -> Projection:
    """Read the projection written into ``folder`` from ``scenario``.

    Parameters
    ----------
    folder : pathlib.Path
        A folder written by :func:`atlas.publish.outputs.write_outputs`.
    scenario : Scenario
        The scenario it was written from (for the parameters and the source cells).

    Raises
    ------
    OutputError
        When a file the summary lists is missing or a file cannot be read.
    """
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        isochrones = _isochrones(folder / "isochrones.geojson")
        flow = source_flow(scenario, *_velocities(folder / "concentration.nc", scenario))
    except (OSError, ValueError, KeyError) as exc:
        raise OutputError(
            f"cannot read the plume outputs ({exc}); delete the folder to project the scenario "
            "again",
            path=folder,
        ) from exc
    grid = summary["grid"]
    return Projection(
        name=scenario.name,
        description=str(summary.get("description") or ""),
        folder=folder,
        grid_key=(summary["crs"], *(grid[key] for key in sorted(grid))),
        isochrones=isochrones,
        facts=projection_facts(scenario, summary, flow),
        assumptions=tuple(str(line) for line in summary["assumptions"]),
        modelled=str(summary["modelled"]),
        downloads=_downloads(folder, summary["files"]),
    )


def _place(names: Sequence[str]) -> str:
    """The words the names share at their start, title-cased: baotou, baotou_fast_path -> Baotou."""
    words = [name.split("_") for name in names]
    common = []
    for parts in zip(*words, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return " ".join(common).title() if common else ", ".join(names)


_COUNTS = {2: "two", 3: "three", 4: "four"}


def _table(projections: Sequence[Projection]) -> ProjectionTable:
    labels: list[str] = []
    for projection in projections:
        labels += [label for label, _ in projection.facts if label not in labels]
    missing = Entry("-", "not part of this scenario")
    rows = tuple(
        Row(label, tuple(dict(p.facts).get(label, missing) for p in projections))
        for label in labels
    )
    place = _place([p.name for p in projections])
    count = len(projections)
    title = (
        place if count == 1 else f"{place}: {_COUNTS.get(count, count)} projections side by side"
    )
    return ProjectionTable(title, tuple(projections), rows)


def projection_tables(projections: Iterable[Projection]) -> tuple[ProjectionTable, ...]:
    """One table per grid: projections of the same area side by side, tables with more than
    one projection first, then by the first scenario name."""
    groups: dict[tuple[Any, ...], list[Projection]] = {}
    for projection in sorted(projections, key=lambda p: p.name):
        groups.setdefault(projection.grid_key, []).append(projection)
    ordered = sorted(groups.values(), key=lambda group: (len(group) == 1, group[0].name))
    return tuple(_table(group) for group in ordered)


def featured(tables: Sequence[ProjectionTable]) -> frozenset[str]:
    """Names of the projections shown when the page opens: those of the first table of
    :func:`projection_tables`, when it puts several side by side."""
    if not tables or len(tables[0].projections) < 2:
        return frozenset()
    return frozenset(p.name for p in tables[0].projections)
