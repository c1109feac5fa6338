"""What an export holds: vector layers and rasters, each with its description and provenance.

:class:`ExportContents` (built by :func:`atlas.publish.outputs.contents.export_contents`) is
the one list of :class:`ExportLayer` and :class:`ExportRaster` items every export format
writes (:mod:`~atlas.publish.outputs.geopackage`, :mod:`~atlas.publish.outputs.flat`), so
the GeoPackage and the GeoJSON/CSV/Parquet folder hold the same layers and columns.

Outputs of other kinds plug in as more items
(:mod:`~atlas.publish.outputs.probability_contents`): ensembles add exceedance-probability
rasters (``style="probability"``, drawn over 0-1) and isochrones per probability level, the
screening a layer of every site with its priors' table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon
from shapely.geometry.base import BaseGeometry

from atlas import __version__
from atlas.ensemble.result import EnsembleResult
from atlas.grid import Grid
from atlas.result import MODELLED_LABEL, PlumeResult
from atlas.scenario.digest import inputs_sha256

__all__ = [
    "ExportContents",
    "ExportLayer",
    "ExportRaster",
    "Provenance",
    "ScenarioRecord",
    "describe",
    "geometry_ready",
    "table_name",
]

VectorStyle = Literal[
    "sites",
    "usgs_sites",
    "observations",
    "points",
    "lines",
    "polygons",
    "land",
    "tailings_pond",
    "isochrones",
    "probability_isochrones",
    "screening",
    "receptors",
    "sources",
    "table",
]
"""How a vector layer is drawn (see :mod:`atlas.publish.outputs.styles`)."""

RasterStyle = Literal["concentration", "head", "velocity", "probability"]
"""How a raster is drawn; ``probability`` (0-1) is an ensemble's exceedance probability."""

ISOCHRONES = "plume_isochrones"
RECEPTORS = "plume_receptors"
SOURCES = "plume_sources"


@dataclass(frozen=True)
class ScenarioRecord:
    """What a modelled layer was computed from: one scenario, as run.

    Attributes
    ----------
    name, description : str
        The scenario's name and description.
    inputs_sha256 : str
        SHA-256 of the run's inputs.
    scenario_json : str
        The scenario file's content as parsed (canonical JSON; comments dropped).
    assumptions : tuple of str
        The model's assumptions in plain words.
    provenance : Mapping[str, str]
        Source or stated assumption of each parameter.
    """

    name: str
    description: str
    inputs_sha256: str
    scenario_json: str
    assumptions: tuple[str, ...]
    provenance: Mapping[str, str]

    @classmethod
    def of(cls, result: PlumeResult | EnsembleResult) -> ScenarioRecord:
        """The record of one result, a run's or an ensemble's (its priors are in the
        scenario's content, their sources in its provenance)."""
        scenario = result.scenario
        digest = result.inputs_sha256 if isinstance(result, PlumeResult) else None
        return cls(
            name=scenario.name,
            description=scenario.description,
            inputs_sha256=digest or inputs_sha256(scenario),
            scenario_json=scenario.document_json,
            assumptions=result.assumptions,
            provenance=dict(sorted(scenario.provenance.items())),
        )


@dataclass(frozen=True)
class Provenance:
    """Where a layer comes from: the data's source, licence, retrieval date and processing,
    and for a modelled layer the scenarios it was computed from.

    Attributes
    ----------
    source_and_processing, licence, retrieved : str
        As ``layers/SOURCES.md`` says (Markdown), or a plain statement for a modelled layer.
    scenarios : tuple of ScenarioRecord
        The scenarios behind a modelled layer; empty for data.
    model : str
        For a modelled layer not run from scenarios (the screening): the model and its
        priors, in plain words; empty otherwise.
    atlas_version : str
        The atlas version that wrote the export.
    """

    source_and_processing: str
    licence: str
    retrieved: str
    scenarios: tuple[ScenarioRecord, ...] = ()
    model: str = ""
    atlas_version: str = __version__

    @property
    def modelled(self) -> bool:
        """Whether the layer is a model output (it then carries :data:`MODELLED_LABEL`)."""
        return bool(self.scenarios or self.model)


@dataclass(frozen=True, eq=False)
class ExportLayer:
    """One vector layer or table of an export, rows in their published order.

    Attributes
    ----------
    name : str
        Table (and file) name, lower_snake_case.
    frame : geopandas.GeoDataFrame or pandas.DataFrame
        The rows, EPSG:4326 for a layer with geometry; a DataFrame for a plain table.
    title, description : str
        Short title, and one paragraph on what the layer holds (with :data:`MODELLED_LABEL`
        for a modelled layer).
    provenance : Provenance
        Where the rows come from.
    style : str
        How it is drawn (:data:`VectorStyle`).
    """

    name: str
    frame: gpd.GeoDataFrame | pd.DataFrame
    title: str
    description: str
    provenance: Provenance
    style: VectorStyle

    @property
    def has_geometry(self) -> bool:
        """Whether the layer has a geometry column."""
        return isinstance(self.frame, gpd.GeoDataFrame)


@dataclass(frozen=True, eq=False)
class ExportRaster:
    """One single-band raster of an export, on a scenario's grid (its projected CRS).

    Attributes
    ----------
    name : str
        Table name, lower_snake_case, units in the name.
    grid : Grid
        The grid the values lie on (size, CRS, transform).
    values : numpy.ndarray
        Shape ``(ny, nx)``, north-up (first row the northern one); NaN is nodata.
    units : str
        Units of the values, e.g. ``"mg/L"``.
    quantity : str
        What the values are, e.g. ``"modelled concentration (depth-averaged)"``.
    title, description : str
        Short title and one paragraph (with :data:`MODELLED_LABEL`).
    provenance : Provenance
        The scenario it was computed from.
    style : str
        How it is drawn (:data:`RasterStyle`).
    style_range : tuple of float
        The values the colour ramp spans (minimum, maximum), shared by the rasters of a series
        (every output time of a scenario) so that they compare.
    stops : tuple of float
        Values marked on the ramp between the ends, e.g. the scenario's thresholds.
    """

    name: str
    grid: Grid
    values: np.ndarray
    units: str
    quantity: str
    title: str
    description: str
    provenance: Provenance
    style: RasterStyle
    style_range: tuple[float, float]
    stops: tuple[float, ...] = ()


@dataclass(frozen=True, eq=False)
class ExportContents:
    """Everything an export writes: vector layers and tables, then rasters, in order."""

    layers: tuple[ExportLayer, ...]
    rasters: tuple[ExportRaster, ...] = field(default=())

    def items(self) -> tuple[ExportLayer | ExportRaster, ...]:
        """Every layer, then every raster."""
        return (*self.layers, *self.rasters)

    def names(self) -> list[str]:
        """Every table name, layers first."""
        return [item.name for item in self.items()]


def table_name(*parts: str) -> str:
    """A lower_snake_case table name from ``parts`` (a scenario's name may hold ``-`` or
    ``.``, which become ``_``); one starting with a digit gets a ``t_`` prefix."""
    name = re.sub(r"[^a-z0-9_]+", "_", "_".join(parts).lower()).strip("_")
    return f"t_{name}" if not name or name[0].isdigit() else name


def geometry_ready(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame as exported: the geometry column last, and one geometry type per layer
    (single and multi parts of one kind become multi)."""
    geometry = frame.geometry.name
    frame = frame[[c for c in frame.columns if c != geometry] + [geometry]]
    types = set(frame.geometry.dropna().geom_type)
    families = {t.removeprefix("Multi") for t in types}
    if len(types) > 1 and len(families) == 1:
        frame = frame.set_geometry(
            [None if g is None else _multi(g) for g in frame.geometry], crs=frame.crs
        )
    return frame


def _multi(geometry: BaseGeometry) -> BaseGeometry:
    """``geometry`` as a multi-part geometry (a multi-part one as it is)."""
    kinds: dict[str, Any] = {
        "Point": MultiPoint,
        "LineString": MultiLineString,
        "Polygon": MultiPolygon,
    }
    kind = kinds.get(geometry.geom_type)
    return geometry if kind is None else kind([geometry])


def describe(item: ExportLayer | ExportRaster) -> dict[str, Any]:
    """Plain-JSON description and provenance of a layer or raster: what the GeoPackage's
    ``gpkg_metadata`` and the folder export's ``export.json`` hold for it."""
    provenance = item.provenance
    record: dict[str, Any] = {
        "table": item.name,
        "title": item.title,
        "description": item.description,
        "modelled": MODELLED_LABEL if provenance.modelled else None,
        "source_and_processing": provenance.source_and_processing,
        "licence": provenance.licence,
        "retrieved": provenance.retrieved,
        "atlas_version": provenance.atlas_version,
        "model": provenance.model or None,
        "scenarios": [
            {
                "name": s.name,
                "description": s.description,
                "inputs_sha256": s.inputs_sha256,
                "scenario": json.loads(s.scenario_json),
                "assumptions": list(s.assumptions),
                "provenance": dict(s.provenance),
            }
            for s in provenance.scenarios
        ],
    }
    if isinstance(item, ExportRaster):
        record.update(
            units=item.units,
            quantity=item.quantity,
            crs=item.grid.crs.to_string(),
            cell_size_m=item.grid.cell_size_m,
        )
    else:
        record["columns"] = [str(c) for c in item.frame.columns if c != "geometry"]
    return record
