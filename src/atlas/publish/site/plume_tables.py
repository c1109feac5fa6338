"""Plume results on the page: tables of facts with their sources, side by side.

:func:`plume_view` gathers what the page shows of one :class:`~atlas.result.PlumeResult`
(its facts, :mod:`.plume_facts`, and the files written for it); :func:`plume_tables` puts
views of the same grid side by side in one table (the two Baotou runs), one row per fact,
every fact with its source. Everything here is plain text; the page template escapes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd

from atlas.publish.site.plume_facts import Entry, Fact, plume_facts
from atlas.result import MODELLED_LABEL, PlumeResult

__all__ = [
    "Download",
    "PlumeTable",
    "PlumeView",
    "Row",
    "featured",
    "plume_tables",
    "plume_view",
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
class PlumeView:
    """What the page shows of one plume result.

    Attributes
    ----------
    name, title, description : str
        The scenario's name (also its folder in ``plumes/``), how pages name it
        (:attr:`atlas.scenario.Scenario.display_title`) and its description.
    grid_key : tuple
        CRS and grid of the result: views with equal keys are shown side by side.
    isochrones : geopandas.GeoDataFrame
        Areas at or above each threshold at each output time, EPSG:4326 (modelled).
    facts : tuple of (str, Entry)
        Labelled facts, in the order shown.
    assumptions : tuple of str
        The model's assumptions.
    modelled : str
        The "modelled, not measured" label.
    downloads : tuple of Download
        The files written for the result, sorted by name.
    transports : bool
        The run moved solute (a flow-only run has no plume to draw).
    """

    name: str
    title: str
    description: str
    grid_key: tuple[Any, ...]
    isochrones: gpd.GeoDataFrame
    facts: tuple[Fact, ...]
    assumptions: tuple[str, ...]
    modelled: str
    downloads: tuple[Download, ...]
    transports: bool = True

    @property
    def download_groups(self) -> tuple[tuple[str, tuple[Download, ...]], ...]:
        """The downloads grouped by kind of file: (description, files), NetCDF first."""
        groups = (
            (description, tuple(d for d in self.downloads if d.name.endswith(suffix)))
            for suffix, description in _DESCRIPTIONS.items()
        )
        return tuple((description, files) for description, files in groups if files)


@dataclass(frozen=True)
class PlumeTable:
    """Plume results shown in one table, one column each."""

    title: str
    projections: tuple[PlumeView, ...]
    rows: tuple[Row, ...]


_DESCRIPTIONS = {
    ".nc": "NetCDF (CF-1.8): concentrations at every output time, heads, velocities, arrivals",
    ".tif": "GeoTIFF (scenario CRS, mg/L), one per output time: the concentration",
    ".geojson": "GeoJSON (EPSG:4326): the plume outlines drawn on the map",
    ".png": "PNG quicklooks: the concentration map at each output time and the concentration "
    "at each receptor against the year",
    ".json": "JSON: arrival times, mass budget, assumptions and the source of every parameter",
}
"""What each kind of output file holds, by suffix, in the order the page lists them."""


def plume_view(result: PlumeResult, files: Iterable[Path]) -> PlumeView:
    """What the page shows of ``result``, whose ``files`` were written into the site."""
    grid = result.scenario.grid
    grid_values = {
        "cell_size_m": grid.cell_size_m,
        "nx": grid.nx,
        "ny": grid.ny,
        "x_min_m": grid.x_min_m,
        "y_min_m": grid.y_min_m,
    }
    return PlumeView(
        name=result.name,
        title=result.scenario.display_title,
        description=result.scenario.description,
        grid_key=(result.scenario.crs.to_string(), *(grid_values[k] for k in sorted(grid_values))),
        isochrones=result.isochrones,
        facts=plume_facts(result),
        assumptions=result.assumptions,
        modelled=MODELLED_LABEL,
        downloads=tuple(Download(path.name, path.stat().st_size) for path in sorted(files)),
        transports=result.transports,
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


def _table(projections: Sequence[PlumeView]) -> PlumeTable:
    labels: list[str] = []
    for projection in projections:
        labels += [label for label, _ in projection.facts if label not in labels]
    missing = Entry("-", "not part of this scenario")
    rows = tuple(
        Row(label, tuple(dict(p.facts).get(label, missing) for p in projections))
        for label in labels
    )
    count = len(projections)
    title = (
        projections[0].title
        if count == 1
        else f"{_place([p.name for p in projections])}: "
        f"{_COUNTS.get(count, count)} projections side by side"
    )
    return PlumeTable(title, tuple(projections), rows)


def plume_tables(projections: Iterable[PlumeView]) -> tuple[PlumeTable, ...]:
    """One table per grid: results of the same area side by side, tables with more than
    one result first, then by the first scenario name."""
    groups: dict[tuple[Any, ...], list[PlumeView]] = {}
    for projection in sorted(projections, key=lambda p: p.name):
        groups.setdefault(projection.grid_key, []).append(projection)
    ordered = sorted(groups.values(), key=lambda group: (len(group) == 1, group[0].name))
    return tuple(_table(group) for group in ordered)


def featured(tables: Sequence[PlumeTable]) -> frozenset[str]:
    """Names of the results shown when the page opens: those of the first table of
    :func:`plume_tables`, when it puts several side by side."""
    if not tables or len(tables[0].projections) < 2:
        return frozenset()
    return frozenset(p.name for p in tables[0].projections)
