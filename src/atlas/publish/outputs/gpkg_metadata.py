"""The GeoPackage's metadata, styles and fix-ups that GDAL does not write: SQL on the file.

* ``gpkg_metadata`` + ``gpkg_metadata_reference`` (the GeoPackage metadata extension): per
  table, a QGIS layer-metadata document (``http://mrcc.com/qgis.dtd``, title, abstract,
  licence, history: what QGIS shows as the layer's metadata) and the full provenance as JSON
  (:data:`PROVENANCE_URI`: source, licence, retrieval date, processing; for a model output the
  assumptions, each scenario's content and inputs' hash; the atlas version), and one JSON
  document for the whole file.
* ``layer_styles`` rows (the QGIS convention): the QML of every table, marked as its default.
* The nodata value of each raster, ``gpkg_2d_gridded_coverage_ancillary.data_null``.

Every value goes into SQL as a parameter, never into the SQL text; documents come from
escaping templates (:mod:`~atlas.publish.outputs.xml`) or :func:`json.dumps`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from atlas import __version__
from atlas.publish.outputs.export_layers import ExportContents, ExportLayer, ExportRaster, describe
from atlas.publish.outputs.styles import QGIS_VERSION, raster_qml, vector_qml
from atlas.publish.outputs.xml import render_xml
from atlas.result import MODELLED_LABEL

__all__ = [
    "GEOMETRY_COLUMN",
    "PROVENANCE_URI",
    "QGIS_METADATA_URI",
    "STYLES_TABLE",
    "add_metadata",
    "style_rows",
]

PROVENANCE_URI = "urn:atlas:provenance:1"
"""``md_standard_uri`` of the atlas's JSON provenance documents."""

QGIS_METADATA_URI = "http://mrcc.com/qgis.dtd"
"""``md_standard_uri`` of QGIS layer-metadata documents."""

STYLES_TABLE = "layer_styles"
"""The QGIS styles table."""

GEOMETRY_COLUMN = "geom"
"""Name of the geometry column of every vector table (GDAL's default)."""

_METADATA_TABLES = (
    """CREATE TABLE IF NOT EXISTS gpkg_metadata (
  id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
  md_scope TEXT NOT NULL DEFAULT 'dataset',
  md_standard_uri TEXT NOT NULL,
  mime_type TEXT NOT NULL DEFAULT 'text/xml',
  metadata TEXT NOT NULL DEFAULT ''
)""",
    """CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
  reference_scope TEXT NOT NULL,
  table_name TEXT,
  column_name TEXT,
  row_id_value INTEGER,
  timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  md_file_id INTEGER NOT NULL,
  md_parent_id INTEGER,
  CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
  CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id)
)""",
)
_EXTENSION_URI = "http://www.geopackage.org/spec120/#extension_metadata"


def _style_name(name: str) -> str:
    return f"atlas {name}"


def style_rows(contents: ExportContents, *, timestamp: str) -> list[dict[str, Any]]:
    """The rows of ``layer_styles``: one default QML style per table that has one (vector
    layers with geometry, and rasters), in the order of the tables.

    Parameters
    ----------
    contents : ExportContents
        The export.
    timestamp : str
        ISO 8601 ``update_time`` of every row (fixed, for identical files).
    """
    rows = []
    for item in contents.items():
        is_raster = isinstance(item, ExportRaster)
        qml = raster_qml(item) if isinstance(item, ExportRaster) else vector_qml(item)
        if qml is None:
            continue
        rows.append(
            {
                "f_table_catalog": "",
                "f_table_schema": "",
                "f_table_name": item.name,
                "f_geometry_column": "" if is_raster else GEOMETRY_COLUMN,
                "styleName": _style_name(item.name),
                "styleQML": qml,
                "styleSLD": "",
                "useAsDefault": True,
                "description": f"as on the atlas site: {item.title}",
                "owner": "",
                "ui": "",
                "update_time": timestamp,
            }
        )
    return rows


def _qgis_metadata(item: ExportLayer | ExportRaster) -> str:
    provenance = item.provenance
    history = [
        f"source and processing: {provenance.source_and_processing}",
        f"source data retrieved: {provenance.retrieved}",
        *(
            f"scenario {s.name}: inputs sha256 {s.inputs_sha256}; assumptions: "
            + "; ".join(s.assumptions)
            for s in provenance.scenarios
        ),
        f"written by atlas {provenance.atlas_version}; full provenance as JSON in "
        f"gpkg_metadata ({PROVENANCE_URI})",
    ]
    abstract = item.description
    if provenance.modelled and MODELLED_LABEL not in abstract:
        abstract = f"{MODELLED_LABEL}. {abstract}"
    return render_xml(
        "metadata.qmd",
        version=QGIS_VERSION,
        identifier=item.name,
        parent="atlas",
        title=item.title,
        abstract=abstract,
        keywords=["atlas", "modelled" if provenance.modelled else "data"],
        style_name=_style_name(item.name),
        style_url=f"{STYLES_TABLE}?f_table_name={item.name}",
        style_description=f"default QML style of {item.name}, in the {STYLES_TABLE} table",
        history=history,
        licence=provenance.licence,
    )


def _provenance_json(item: ExportLayer | ExportRaster, styled: bool) -> str:
    record = describe(item)
    record["style"] = (
        {"table": STYLES_TABLE, "style_name": _style_name(item.name)} if styled else None
    )
    return json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1)


def _insert(
    connection: sqlite3.Connection,
    document: str,
    *,
    uri: str,
    mime: str,
    scope: str,
    table: str | None,
    timestamp: str,
) -> None:
    cursor = connection.execute(
        "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
        "VALUES (?, ?, ?, ?)",
        ("dataset", uri, mime, document),
    )
    connection.execute(
        "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, "
        "row_id_value, timestamp, md_file_id, md_parent_id) VALUES (?, ?, NULL, NULL, ?, ?, NULL)",
        (scope, table, timestamp, cursor.lastrowid),
    )


def _register_extension(connection: sqlite3.Connection) -> None:
    for table in ("gpkg_metadata", "gpkg_metadata_reference"):
        known = connection.execute(
            "SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND extension_name = ?",
            (table, "gpkg_metadata"),
        ).fetchone()
        if known is None:
            connection.execute(
                "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                "definition, scope) VALUES (?, NULL, ?, ?, ?)",
                (table, "gpkg_metadata", _EXTENSION_URI, "read-write"),
            )


def add_metadata(
    connection: sqlite3.Connection,
    contents: ExportContents,
    *,
    styled: Sequence[str],
    timestamp: str,
    nodata: float,
) -> None:
    """Add the metadata documents of every table and of the file, and the rasters' nodata.

    Parameters
    ----------
    connection : sqlite3.Connection
        The open GeoPackage (GDAL has written its tables); the caller commits.
    contents : ExportContents
        What was written.
    styled : sequence of str
        The tables that have a row in ``layer_styles``.
    timestamp : str
        ISO 8601 timestamp of every metadata reference (fixed, for identical files).
    nodata : float
        The rasters' nodata value.
    """
    for statement in _METADATA_TABLES:
        connection.execute(statement)
    _register_extension(connection)
    file_record = {
        "title": "atlas of rare-earth mines, their tailings and groundwater plumes",
        "atlas_version": __version__,
        "modelled": MODELLED_LABEL,
        "modelled_tables": [item.name for item in contents.items() if item.provenance.modelled],
        "tables": contents.names(),
        "styles": STYLES_TABLE,
    }
    _insert(
        connection,
        json.dumps(file_record, ensure_ascii=False, sort_keys=True, indent=1),
        uri=PROVENANCE_URI,
        mime="application/json",
        scope="geopackage",
        table=None,
        timestamp=timestamp,
    )
    for item in contents.items():
        _insert(
            connection,
            _qgis_metadata(item),
            uri=QGIS_METADATA_URI,
            mime="text/xml",
            scope="table",
            table=item.name,
            timestamp=timestamp,
        )
        _insert(
            connection,
            _provenance_json(item, item.name in styled),
            uri=PROVENANCE_URI,
            mime="application/json",
            scope="table",
            table=item.name,
            timestamp=timestamp,
        )
    for raster in contents.rasters:
        connection.execute(
            "UPDATE gpkg_2d_gridded_coverage_ancillary SET data_null = ? "
            "WHERE tile_matrix_set_name = ?",
            (nodata, raster.name),
        )
