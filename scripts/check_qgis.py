"""Open the atlas's outputs in QGIS itself, headless: ``make check-qgis``.

Run with Debian's Python and QGIS (``python3-qgis``), not the project's virtual environment::

    /usr/bin/python3 scripts/check_qgis.py site/downloads/atlas.gpkg site/plumes

Checks, each printed on one line, and exit status 1 when any fails:

* every vector table of the GeoPackage opens as a valid layer with its feature count, and
  takes its default style from ``layer_styles`` (the renderer QGIS builds is the one of the
  stored QML: its type and, for a categorised one, its categories); tables without geometry
  open with their row count;
* every raster table opens as a valid Float32 layer in its CRS, with the values GDAL reads,
  and its QML from ``layer_styles`` applies (a pseudo-colour renderer);
* every ``*.nc`` (its ``concentration`` variable, or ``head_m`` for a flow-only run) and every
  ``*.tif`` under the plume folder opens as a valid raster layer with a projected CRS.

Whether QGIS shows each table's metadata (title, abstract from ``gpkg_metadata``) is reported,
not required.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from osgeo import gdal
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsRasterLayer,
    QgsRenderContext,
    QgsVectorLayer,
)
from qgis.PyQt.QtXml import QDomDocument

gdal.UseExceptions()
FAILURES: list[str] = []


def report(ok: bool, what: str, detail: str = "") -> None:
    """Print one check; remember a failure."""
    print(f"{'ok  ' if ok else 'FAIL'} {what}{': ' + detail if detail else ''}")
    if not ok:
        FAILURES.append(what)


def _query(path: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return connection.execute(sql, params).fetchall()


def _drawn(layer: QgsVectorLayer) -> tuple[int, Counter[str]]:
    """How many features with a geometry ``layer``'s renderer gives no symbol, and how many
    it draws with each legend label."""
    context = QgsRenderContext()
    context.setExpressionContext(
        QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    )
    renderer = layer.renderer().clone()
    renderer.startRender(context, layer.fields())
    missing, labels = 0, Counter()
    try:
        for feature in layer.getFeatures():
            if not feature.hasGeometry():
                continue
            context.expressionContext().setFeature(feature)  # as the map renderer does
            keys = renderer.legendKeysForFeature(feature, context)
            if not renderer.originalSymbolsForFeature(feature, context):
                missing += 1
            for item in renderer.legendSymbolItems():
                if item.ruleKey() in keys:
                    labels[item.label()] += 1
    finally:
        renderer.stopRender(context)
    return missing, labels


def check_vectors(gpkg: Path) -> None:
    tables = _query(
        gpkg,
        "SELECT c.table_name, g.column_name FROM gpkg_contents c LEFT JOIN "
        "gpkg_geometry_columns g ON g.table_name = c.table_name "
        "WHERE c.data_type IN ('features', 'attributes') ORDER BY c.table_name",
    )
    styles = dict(
        _query(gpkg, "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault")
    )
    for table, geometry in tables:
        layer = QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr")
        quoted = '"' + table.replace('"', '""') + '"'  # an identifier cannot be a parameter
        (rows,) = _query(gpkg, f"SELECT count(*) FROM {quoted}")[0]
        valid = layer.isValid() and layer.featureCount() == rows
        report(valid, f"vector {table}", f"{layer.featureCount()} of {rows} features")
        if geometry is None or table not in styles:
            continue
        stored = ET.fromstring(styles[table]).find("renderer-v2")
        renderer = layer.renderer()
        same = renderer is not None and renderer.type() == stored.get("type")
        detail = f"renderer {renderer.type() if renderer else None}"
        if same and stored.get("type") == "categorizedSymbol":
            values = [c.get("value") for c in stored.iter("category")]
            got = [str(c.value()) for c in renderer.categories()]
            same = got == values and renderer.classAttribute() == stored.get("attr")
            detail += f" with {len(got)} categories on {renderer.classAttribute()}"
        report(same, f"vector {table} default style from layer_styles", detail)
        if same:
            missing, labels = _drawn(layer)
            drawn = ", ".join(
                f"{label or 'one symbol'}: {n}" for label, n in sorted(labels.items())
            )
            report(missing == 0, f"vector {table} every feature drawn", drawn)
            if stored.get("type") == "categorizedSymbol":
                other = [c.get("label") for c in stored.iter("category") if c.get("value") == ""]
                specific = sum(n for label, n in labels.items() if label not in other)
                report(specific > 0, f"vector {table} categories match the data", f"{specific}")
        metadata = layer.metadata()
        print(
            f"     metadata in QGIS: title {metadata.title()!r}, abstract of "
            f"{len(metadata.abstract())} characters, {len(metadata.licenses())} licence(s)"
        )


def _gdal_values(gpkg: Path, table: str):
    dataset = gdal.OpenEx(str(gpkg), gdal.OF_RASTER, open_options=[f"TABLE={table}"])
    return dataset.GetRasterBand(1).ReadAsArray()


def check_rasters(gpkg: Path) -> None:
    tables = _query(
        gpkg,
        "SELECT table_name, srs_id FROM gpkg_contents "
        "WHERE data_type = '2d-gridded-coverage' ORDER BY table_name",
    )
    styles = dict(_query(gpkg, "SELECT f_table_name, styleQML FROM layer_styles"))
    for table, srs_id in tables:
        layer = QgsRasterLayer(f"GPKG:{gpkg}:{table}", table, "gdal")
        valid = (
            layer.isValid()
            and layer.crs().authid() == f"EPSG:{srs_id}"
            and layer.dataProvider().dataType(1) == Qgis.DataType.Float32
        )
        report(valid, f"raster {table}", f"{layer.width()}x{layer.height()} {layer.crs().authid()}")
        if not valid:
            continue
        expected = _gdal_values(gpkg, table)
        provider = layer.dataProvider()
        block = provider.block(1, layer.extent(), layer.width(), layer.height())
        row, col = divmod(int(expected.argmax()), layer.width())  # the largest value
        value = block.value(row, col)
        report(
            abs(value - float(expected[row, col])) <= 1e-6 * max(1.0, abs(value)),
            f"raster {table} largest value as GDAL reads it",
            f"{value:g} at row {row}, column {col}",
        )
        automatic = layer.renderer().type() if layer.renderer() else None
        print(f"     renderer QGIS chose on opening: {automatic}")
        document = QDomDocument()
        document.setContent(styles.get(table, ""))
        applied, message = layer.importNamedStyle(document)
        kind = layer.renderer().type() if layer.renderer() else None
        report(
            applied and kind == "singlebandpseudocolor",
            f"raster {table} style from layer_styles",
            message or kind,
        )


def check_plume_files(folder: Path) -> None:
    for path in sorted(folder.rglob("*.nc")):
        variable = "concentration" if path.name == "concentration.nc" else "head_m"
        layer = QgsRasterLayer(f'NETCDF:"{path}":{variable}', path.name, "gdal")
        ok = layer.isValid() and layer.crs().isValid() and not layer.crs().isGeographic()
        report(
            ok,
            f"netcdf {path.relative_to(folder)} {variable}",
            f"{layer.bandCount()} bands, {layer.crs().authid()}",
        )
    for path in sorted(folder.rglob("*.tif")):
        layer = QgsRasterLayer(str(path), path.name, "gdal")
        ok = layer.isValid() and layer.crs().isValid() and not layer.crs().isGeographic()
        report(ok, f"geotiff {path.relative_to(folder)}", layer.crs().authid())


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    gpkg, plumes = Path(argv[1]), Path(argv[2])
    application = QgsApplication([], False)
    application.initQgis()
    try:
        print(f"QGIS {Qgis.QGIS_VERSION}, GDAL {gdal.__version__}: {gpkg}, {plumes}")
        report(gpkg.is_file(), f"{gpkg} exists")
        report(plumes.is_dir(), f"{plumes} exists")
        if gpkg.is_file():
            check_vectors(gpkg)
            check_rasters(gpkg)
        if plumes.is_dir():
            check_plume_files(plumes)
    finally:
        application.exitQgis()
    print(f"{len(FAILURES)} failed" if FAILURES else "every check passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
