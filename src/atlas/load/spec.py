"""What a layer must look like: its file, columns, geometry types and keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["LINES", "POINTS", "POLYGONS", "ColumnKind", "LayerSpec"]

ColumnKind = Literal["text", "number", "boolean"]
"""How a column's values are read: ``text`` (any string; missing becomes ``""``), ``number``
(integer or decimal; missing becomes NaN) or ``boolean`` (``true``/``false``, ``1``/``0``,
``yes``/``no``; never missing)."""

POINTS = frozenset({"Point"})
LINES = frozenset({"LineString", "MultiLineString"})
POLYGONS = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class LayerSpec:
    """The contract of one layer in ``layers/``.

    Parameters
    ----------
    name : str
        Stable layer name other code uses, e.g. ``"sites"``.
    filename : str
        File name inside ``layers/``; a ``.csv`` is read with pandas, anything else through
        GDAL (GeoPackage, GeoJSON, FlatGeobuf, ...).
    geometry_types : frozenset of str or None
        Shapely geometry types allowed, e.g. ``POINTS``; ``None`` for a plain table.
    columns : Mapping[str, ColumnKind]
        Required columns and how their values are read. Other columns are kept as they are.
    geometry_nullable : bool
        Whether a row may lack a geometry (e.g. a site whose coordinate is not verified).
        Empty geometries are never allowed.
    description : str
        One line on what the layer holds, for documentation and messages.
    label_column : str, optional
        Column naming a row in error messages, e.g. ``"name"``.
    key_columns : tuple of str
        Columns whose values must be non-blank and unique together; empty for no key.
    """

    name: str
    filename: str
    geometry_types: frozenset[str] | None
    columns: Mapping[str, ColumnKind]
    geometry_nullable: bool = False
    description: str = ""
    label_column: str | None = None
    key_columns: tuple[str, ...] = ()

    @property
    def is_table(self) -> bool:
        """True for a layer without geometry (read as a pandas DataFrame)."""
        return self.geometry_types is None
