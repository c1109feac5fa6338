"""The default layers shipped in ``layers/``: their contracts and how to load them all.

``layers/SOURCES.md`` documents where each file comes from and how it was made
(``scripts/prepare_layers.py``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType

import geopandas as gpd
import pandas as pd

from atlas.errors import LayerError
from atlas.load.read import read_table, read_vector
from atlas.load.root import find_root
from atlas.load.spec import LINES, POINTS, POLYGONS, ColumnKind, LayerSpec

__all__ = ["LAYERS", "Layers", "load_layers", "read_layer"]

_NE_LINE_COLUMNS: Mapping[str, ColumnKind] = {
    "name": "text",
    "name_en": "text",
    "scalerank": "number",
    "featurecla": "text",
}
_NE_LAKE_COLUMNS: Mapping[str, ColumnKind] = {
    "name": "text",
    "scalerank": "number",
    "featurecla": "text",
}

_SPECS = (
    LayerSpec(
        "sites",
        "sites.csv",
        POINTS,
        {
            "name": "text",
            "kind": "text",
            "commodity": "text",
            "country": "text",
            "lon": "number",
            "lat": "number",
            "source": "text",
            "notes": "text",
        },
        geometry_nullable=True,
        description="hand-curated mines, plants, tailings ponds and reference towns; a row "
        "without a verified coordinate has no geometry",
        label_column="name",
        key_columns=("name",),
    ),
    LayerSpec(
        "usgs_sites",
        "usgs_sites.gpkg",
        POINTS,
        dict.fromkeys(
            (
                "dataset",
                "source_id",
                "record_id",
                "record_url",
                "site_name",
                "other_names",
                "country",
                "state_or_province",
                "commodity",
                "deposit_type",
            ),
            "text",
        ),
        geometry_nullable=True,
        description="USGS rare-earth sites (MRDS, OFR 02-189, OFR 2009-1139); public domain",
        label_column="site_name",
        key_columns=("source_id", "record_id"),
    ),
    LayerSpec(
        "rivers_10m",
        "rivers_10m.gpkg",
        LINES,
        _NE_LINE_COLUMNS,
        description="Natural Earth 1:10m rivers and lake centrelines, clipped to boxes around "
        "the curated sites",
        label_column="name",
    ),
    LayerSpec(
        "rivers_50m",
        "rivers_50m.gpkg",
        LINES,
        _NE_LINE_COLUMNS,
        description="Natural Earth 1:50m rivers and lake centrelines, world",
        label_column="name",
    ),
    LayerSpec(
        "lakes_10m",
        "lakes_10m.gpkg",
        POLYGONS,
        _NE_LAKE_COLUMNS,
        description="Natural Earth 1:10m lakes, clipped to boxes around the curated sites",
        label_column="name",
    ),
    LayerSpec(
        "lakes_50m",
        "lakes_50m.gpkg",
        POLYGONS,
        _NE_LAKE_COLUMNS,
        description="Natural Earth 1:50m lakes, world",
        label_column="name",
    ),
    LayerSpec(
        "countries",
        "countries.gpkg",
        POLYGONS,
        {"name": "text", "iso_a3": "text", "continent": "text"},
        description="Natural Earth 1:50m admin-0 countries",
        label_column="name",
    ),
    LayerSpec(
        "towns",
        "towns.gpkg",
        POINTS,
        {
            "name": "text",
            "adm1name": "text",
            "adm0name": "text",
            "pop_max": "number",
            "featurecla": "text",
        },
        description="Natural Earth 1:10m populated places, for the nearest-town join",
        label_column="name",
    ),
    LayerSpec(
        "tailings_pond",
        "tailings_pond.gpkg",
        POLYGONS,
        {
            "name": "text",
            "area_km2": "number",
            "perimeter_km": "number",
            "geometry_method": "text",
            "sources": "text",
            "notes": "text",
        },
        description="Baotou tailings pond, approximated by an ellipse of the published area "
        "and perimeter (no published outline exists)",
        label_column="name",
        key_columns=("name",),
    ),
    LayerSpec(
        "observations",
        "observations.csv",
        POINTS,
        {
            "id": "text",
            "name": "text",
            "lon": "number",
            "lat": "number",
            "location_method": "text",
            "location_is_approximate": "boolean",
            "period": "text",
            "measured": "text",
            "result": "text",
            "source": "text",
        },
        geometry_nullable=True,
        description="reported contamination observations; a row whose source gives no "
        "locatable place has no geometry",
        label_column="name",
        key_columns=("id",),
    ),
    LayerSpec(
        "context_facts",
        "context_facts.csv",
        None,
        dict.fromkeys(
            (
                "fact_id",
                "topic",
                "commodity",
                "statement",
                "value",
                "unit",
                "as_of",
                "source",
                "source_cites",
                "notes",
            ),
            "text",
        ),
        description="sourced figures on supply, trade and environment (a table, no geometry)",
        label_column="fact_id",
        key_columns=("fact_id",),
    ),
)

LAYERS: Mapping[str, LayerSpec] = MappingProxyType({spec.name: spec for spec in _SPECS})
"""Every default layer by its stable name."""


def read_layer(name: str, root: str | os.PathLike[str]) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read one default layer from ``root/layers/``, validated and in EPSG:4326.

    Parameters
    ----------
    name : str
        A key of :data:`LAYERS`, e.g. ``"sites"``.
    root : str or os.PathLike
        The data root (see :func:`~atlas.load.root.find_root`).

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        A GeoDataFrame for a layer with geometry, a DataFrame for a table.

    Raises
    ------
    LayerError
        For an unknown name, or a file that is missing or fails validation.
    DataRootError
        When ``root`` has no ``layers/`` folder.
    """
    spec = LAYERS.get(name)
    if spec is None:
        raise LayerError(f"no layer named {name!r}; the layers are {sorted(LAYERS)}")
    path = find_root(root) / "layers" / spec.filename
    return read_table(path, spec) if spec.is_table else read_vector(path, spec)


@dataclass(frozen=True, eq=False)
class Layers:
    """Every default layer, read and validated; field names are the keys of :data:`LAYERS`."""

    sites: gpd.GeoDataFrame
    usgs_sites: gpd.GeoDataFrame
    rivers_10m: gpd.GeoDataFrame
    rivers_50m: gpd.GeoDataFrame
    lakes_10m: gpd.GeoDataFrame
    lakes_50m: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    tailings_pond: gpd.GeoDataFrame
    observations: gpd.GeoDataFrame
    context_facts: pd.DataFrame

    def as_mapping(self) -> Mapping[str, gpd.GeoDataFrame | pd.DataFrame]:
        """The layers by name (a read-only view), e.g. for code that takes a mapping."""
        return MappingProxyType({field.name: getattr(self, field.name) for field in fields(self)})


def load_layers(root: str | os.PathLike[str]) -> Layers:
    """Read every default layer from ``root/layers/`` (see :func:`read_layer`)."""
    return Layers(**{field.name: read_layer(field.name, root) for field in fields(Layers)})
